import numpy as np
import pytest
from sqlalchemy.exc import IntegrityError

from report_rag.store.sql import Store
from report_rag.types import Chunk, Page, ReportMeta, ReportStatus


def _chunks(n: int) -> list[Chunk]:
    return [Chunk(text=f"段落 {i}", page_start=1, page_end=1, start_offset=0, end_offset=4, ordinal=i) for i in range(n)]


def _exercise_store(store: Store) -> None:
    vectors = np.eye(3, 4, dtype=np.float32)
    report_id, chunk_ids = store.add_report(
        file_name="报告 1.pdf",
        path="/x/报告 1.pdf",
        content_hash="h1",
        status=ReportStatus.READY,
        pages=[Page(1, "第一页"), Page(2, "第二页")],
        chunks=_chunks(3),
        vectors=vectors,
        meta=ReportMeta(title="标题", broker="华金证券"),
    )
    assert len(chunk_ids) == 3
    report = store.find_by_hash("h1")
    assert report.id == report_id and report.pages == 2 and report.chunks == 3
    assert report.meta.broker == "华金证券"
    assert [p.text for p in store.pages(report_id)] == ["第一页", "第二页"]
    ids, got = store.vectors(chunk_ids, 4)
    assert sorted(ids.tolist()) == sorted(chunk_ids)
    assert np.allclose(got[np.argsort(ids)], vectors[np.argsort(chunk_ids)])
    assert sorted(store.indexed_chunk_ids().tolist()) == sorted(chunk_ids)

    # The same bytes can never be stored twice.
    with pytest.raises(IntegrityError):
        store.add_report(file_name="copy.pdf", path="/y", content_hash="h1", status=ReportStatus.READY)

    # A failed write leaves nothing behind (one transaction per report).
    with pytest.raises(ValueError):
        store.add_report(
            file_name="bad.pdf", path="/z", content_hash="h2", status=ReportStatus.READY,
            chunks=_chunks(2), vectors=np.zeros((1, 4), np.float32),
        )
    assert store.find_by_hash("h2") is None
    assert store.counts() == {"reports": 1, "chunks": 3}

    # Replacing a failed attempt happens in the same transaction as the new write.
    failed_id, _ = store.add_report(
        file_name="f.pdf", path="/f", content_hash="h3", status=ReportStatus.FAILED, error="boom"
    )
    new_id, _ = store.add_report(
        file_name="f.pdf", path="/f", content_hash="h3", status=ReportStatus.READY,
        chunks=_chunks(1), vectors=np.ones((1, 4), np.float32), replace_ids=[failed_id],
    )
    assert store.find_by_hash("h3").id == new_id

    deleted = store.delete_report(report_id)
    assert sorted(deleted) == sorted(chunk_ids)
    assert store.get_report(report_id) is None and store.pages(report_id) == []
    store.set_meta("fp", {"a": 1})
    assert store.get_meta("fp") == {"a": 1}


def test_sqlite_store(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'lib.sqlite3'}")
    _exercise_store(store)
    store.close()


@pytest.mark.postgres
def test_postgres_store(postgres_url):
    from sqlalchemy import create_engine

    from report_rag.store.facts_tables import FactsBase
    from report_rag.store.sql import Base

    def drop_all(engine) -> None:
        # Fact tables reference reports: drop them first.
        FactsBase.metadata.drop_all(engine)
        Base.metadata.drop_all(engine)

    # A clean schema per run: the CI database is reused between test sessions.
    engine = create_engine(postgres_url)
    drop_all(engine)
    engine.dispose()
    store = Store(postgres_url)
    try:
        _exercise_store(store)
    finally:
        drop_all(store.engine)
        store.close()


def test_the_fact_tables_orm_matches_what_the_migrations_create(tmp_path) -> None:
    # Migrations define their own tables (never the live ORM classes); the ORM must still
    # describe what they create, column for column.
    from sqlalchemy import inspect as sql_inspect

    from report_rag.store.facts_tables import FactsBase
    from report_rag.store.migrations import migrate
    from report_rag.store.sql import Store

    store = Store(f"sqlite:///{tmp_path / 'lib.sqlite3'}")
    migrate(store)
    created = sql_inspect(store.engine)
    for name, table in FactsBase.metadata.tables.items():
        columns = {c["name"]: c for c in created.get_columns(name)}
        assert set(columns) == {c.name for c in table.columns}, name
        for column in table.columns:
            assert bool(columns[column.name]["nullable"]) == bool(column.nullable) or column.primary_key, (name, column.name)
            expected = str(column.type.compile(dialect=store.engine.dialect))
            assert str(columns[column.name]["type"]) == expected, (name, column.name)
    store.close()
