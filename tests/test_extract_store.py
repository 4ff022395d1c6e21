"""Facts in SQL: migrations, save/load round trip, cascade on report delete, re-extraction
of a library without re-ingesting, the cross-report picks and ratings queries.

Runs on SQLite, and on PostgreSQL when REPORT_RAG_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import json
import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from report_rag.extract.facts import extract_facts
from report_rag.pipeline import reextract
from report_rag.pipeline.reextract import extract_and_store, reextract_library
from report_rag.store.facts_queries import query_picks, query_ratings
from report_rag.store.facts_tables import FactsBase, load_facts, save_facts
from report_rag.store.migrations import LATEST_VERSION, migrate, schema_version
from report_rag.store.sql import Base, Store
from report_rag.types import Page, ReportFacts, ReportMeta, ReportStatus

MEDIA = (
    "华锦证券 证券研究报告·行业快报 2024年07月08日\n传媒 | 行业快报\nWAIC 2024落幕，大模型与AI应用多点开花\n投资要点\n"
    "◆ 投资建议：建议关注：快手-W(1024.HK)、腾讯控股(0700.HK)、哔哩哔哩-W等。\n◆ 风险提示：政策监管不确定性；行业竞争加剧。\n"
    "投资评级 领先大市-A维持\n分析师\n林书瑶\nSAC 执业证书编号：S1250523060004\nlinshuyao@hjsec.com.cn\n"
    "相关报告\n传媒：暑期档开启，关注优质内容供给-华锦证券-传媒-行业快报 2024.7.2"
)
MOUTAI = (
    "开元证券 公司研究 | 食品饮料 2024-08-09\n贵州茅台（600519.SH）| 公司点评\n上半年稳健增长，系列酒表现亮眼\n"
    "投资评级 买入（维持）\n目标价格 1880.00元\n当前股价 1426.00元\n投资要点\n⚫ 风险提示：宏观经济复苏不及预期。"
)
TENCENT = (
    "德诚证券 行业点评 2024年08月15日\n互联网 | 行业点评\n港股互联网估值修复\n投资评级：看好（首次）\n投资要点\n"
    "■ 重点关注：腾讯控股（0700.HK）、美团-W（3690.HK）。"
)


def _add(store: Store, name: str, text: str, meta: ReportMeta | None = None, status=ReportStatus.READY) -> int:
    report_id, _ = store.add_report(
        file_name=name, path=f"/x/{name}", content_hash=name, status=status,
        pages=[Page(1, text)] if status == ReportStatus.READY else [], meta=meta,
    )
    return report_id


def _sqlite(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'lib.sqlite3'}")


def _exercise(store: Store) -> None:
    media = _add(store, "media.pdf", MEDIA, ReportMeta(broker="华锦证券", date=date(2024, 7, 8)))
    moutai = _add(store, "moutai.pdf", MOUTAI, ReportMeta(broker="开元证券", date=date(2024, 8, 9)))
    _add(store, "broken.pdf", "", status=ReportStatus.FAILED)

    facts = extract_and_store(store, media, store.pages(media), ReportMeta(broker="华锦证券", date=date(2024, 7, 8)))
    assert [p.name for p in facts.picks] == ["快手-W", "腾讯控股", "哔哩哔哩-W"]
    assert load_facts(store, media) == facts
    assert load_facts(store, moutai) is None  # not extracted yet
    with store.engine.connect() as connection:
        assert schema_version(connection) == LATEST_VERSION

    summary = reextract_library(store)
    assert (summary.reports, summary.extracted, summary.failed) == (2, 2, [])
    assert load_facts(store, moutai).target_price.value == 1880.0
    assert reextract_library(store, only_stale=True).skipped == 2

    # Re-saving replaces: no duplicate rows.
    save_facts(store, media, load_facts(store, media))
    assert len(load_facts(store, media).picks) == 3

    rows = query_picks(store, stock="腾讯")
    assert [(r.file, r.stock, r.code, r.report_rating) for r in rows] == [("media.pdf", "腾讯控股", "0700.HK", "领先大市-A维持")]
    assert rows[0].evidence.quote == "腾讯控股(0700.HK)"
    assert {r.stock for r in query_picks(store, stock="快手")} == {"快手-W"}  # suffix-insensitive
    assert query_picks(store, broker="开元") == []
    assert query_picks(store, since=date(2024, 8, 1)) == []
    ratings = query_ratings(store)
    assert [(r.file, r.raw, r.normalized) for r in ratings] == [
        ("moutai.pdf", "买入（维持）", "buy"), ("media.pdf", "领先大市-A维持", "outperform")]

    # Deleting a report drops its facts with it.
    store.delete_report(media)
    assert load_facts(store, media) is None
    assert query_picks(store) == []


def test_sqlite_facts_store(tmp_path: Path) -> None:
    store = _sqlite(tmp_path)
    try:
        _exercise(store)
    finally:
        store.close()


@pytest.mark.postgres
def test_postgres_facts_store(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    FactsBase.metadata.drop_all(engine)  # dependants first: they reference `reports`
    Base.metadata.drop_all(engine)
    engine.dispose()
    store = Store(postgres_url)
    try:
        _exercise(store)
    finally:
        FactsBase.metadata.drop_all(store.engine)
        Base.metadata.drop_all(store.engine)
        store.close()


def test_a_version_1_library_is_migrated_in_place(tmp_path: Path) -> None:
    store = _sqlite(tmp_path)
    report_id = _add(store, "m.pdf", MOUTAI)
    assert store.get_meta("schema_version") == {"version": 1}
    assert "fact_reports" not in inspect(store.engine).get_table_names()

    assert migrate(store) == LATEST_VERSION
    assert migrate(store) == LATEST_VERSION  # idempotent
    assert store.get_meta("schema_version") == {"version": LATEST_VERSION}
    tables = set(inspect(store.engine).get_table_names())
    assert set(FactsBase.metadata.tables) <= tables
    assert {"reports", "pages", "chunks", "library_meta"} <= tables
    assert [p.text for p in store.pages(report_id)] == [MOUTAI]  # old data untouched
    store.close()

    reopened = _sqlite(tmp_path)  # Store must not reset the version it did not write
    assert reopened.get_meta("schema_version") == {"version": LATEST_VERSION}
    reopened.close()


def test_concurrent_first_use_migrates_once(tmp_path: Path) -> None:
    stores = [_sqlite(tmp_path) for _ in range(4)]
    errors: list[BaseException] = []

    def run(store: Store) -> None:
        try:
            migrate(store)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert stores[0].get_meta("schema_version") == {"version": LATEST_VERSION}
    for store in stores:
        store.close()


def test_writing_inside_the_callers_session(tmp_path: Path) -> None:
    """Ingestion can store facts in the same transaction as the report it commits."""
    store = _sqlite(tmp_path)
    report_id = _add(store, "t.pdf", TENCENT)
    with store.session() as session:
        facts = extract_and_store(session, report_id, [Page(1, TENCENT)])
        assert load_facts(session, report_id) == facts
    assert [p.name for p in load_facts(store, report_id).picks] == ["腾讯控股", "美团-W"]

    # A failure rolls the caller's transaction back, facts included.
    with pytest.raises(RuntimeError):
        with store.session() as session:
            save_facts(session, report_id, ReportFacts())
            raise RuntimeError("ingest failed after extraction")
    assert len(load_facts(store, report_id).picks) == 2
    store.close()


def test_reextract_records_a_failing_report_and_goes_on(tmp_path: Path, monkeypatch) -> None:
    store = _sqlite(tmp_path)
    first = _add(store, "a.pdf", MOUTAI)
    _add(store, "b.pdf", TENCENT)

    real = reextract.extract_facts

    def flaky(pages, meta=None):
        if pages and pages[0].text == MOUTAI:
            raise ValueError("rule bug")
        return real(pages, meta)

    monkeypatch.setattr(reextract, "extract_facts", flaky)
    progress: list[tuple[int, int]] = []
    summary = reextract_library(store, progress=lambda done, total: progress.append((done, total)))
    assert summary.extracted == 1 and [i for i, _ in summary.failed] == [first]
    assert progress == [(1, 2), (2, 2)]
    assert json.loads(json.dumps(summary.to_json()))["failed"][0]["report_id"] == first
    store.close()


def test_reextract_accepts_a_library(settings) -> None:
    from report_rag.store.library import Library

    library = Library(settings)
    try:
        report_id = _add(library.store, "t.pdf", TENCENT)
        assert reextract_library(library).extracted == 1
        assert load_facts(library.store, report_id).rating.raw == "看好（首次）"
    finally:
        library.store.close()


def test_stored_facts_equal_fresh_extraction_for_every_field(tmp_path: Path) -> None:
    store = _sqlite(tmp_path)
    pages = [Page(1, MEDIA), Page(2, "行业评级体系\n收益评级：\n领先大市 —未来6个月的投资收益率领先沪深300指数10%以上；")]
    report_id, _ = store.add_report(file_name="m.pdf", path="/m", content_hash="m", status=ReportStatus.READY, pages=pages)
    meta = ReportMeta(title="WAIC 2024落幕，大模型与AI应用多点开花", broker="华锦证券", date=date(2024, 7, 8))
    fresh = extract_facts(pages, meta)
    assert fresh.rating.definition is not None and fresh.related_reports
    save_facts(store, report_id, fresh)
    assert load_facts(store, report_id) == fresh
    with store.engine.connect() as connection:
        count = connection.execute(text("SELECT COUNT(*) FROM fact_picks WHERE report_id = :r"), {"r": report_id}).scalar()
    assert count == len(fresh.picks)
    store.close()
