"""SQL side of the library (SQLAlchemy 2.x): reports, pages, chunks and library metadata.

SQL is the source of truth. Chunk ids are the FAISS ids, and each chunk row also keeps its
vector, so the FAISS file is a cache that can always be rebuilt or reconciled from here.

Several processes (UIs, API servers, ingest workers on other machines) may share one
database. Every write of a report appends to `library_changes` in its own transaction, so a
process holding an index in memory sees that the library moved (`generation()`) and catches
up; `ingest_claims` (used by store/claims.py) lets ingest workers split a folder without doing
a file twice, and a report's commit ends its claim.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    create_engine,
    delete,
    event,
    func,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from report_rag.types import Chunk, Page, Report, ReportMeta, ReportStatus

if TYPE_CHECKING:
    from sqlalchemy.engine.interfaces import DBAPIConnection
    from sqlalchemy.pool import ConnectionPoolEntry

# The base schema this module creates (reports, pages, chunks, library_meta) is version 1;
# store/migrations.py takes it from there.
SCHEMA_VERSION_KEY = "schema_version"
BASE_SCHEMA_VERSION = 1


class Base(DeclarativeBase):
    pass


class MetaRow(Base):
    __tablename__ = "library_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ReportRow(Base):
    __tablename__ = "reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    file_name: Mapped[str] = mapped_column(String(512))
    path: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    chunk_count: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    broker: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    published: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ChangeRow(Base):
    """One committed write to the library (a report added, deleted, re-chunked, re-extracted)."""

    __tablename__ = "library_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ClaimRow(Base):
    """An ingest worker's hold on one file's bytes while it parses and embeds them."""

    __tablename__ = "ingest_claims"
    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    worker: Mapped[str] = mapped_column(String(160))
    file_name: Mapped[str] = mapped_column(String(512))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class PageRow(Base):
    __tablename__ = "pages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class ChunkRow(Base):
    __tablename__ = "chunks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    page_start: Mapped[int] = mapped_column(Integer)
    page_end: Mapped[int] = mapped_column(Integer)
    start_offset: Mapped[int] = mapped_column(Integer)
    end_offset: Mapped[int] = mapped_column(Integer)
    section: Mapped[str] = mapped_column(Text, default="")
    is_boilerplate: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    text: Mapped[str] = mapped_column(Text)
    vector: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    # WAL keeps readers (the UI) unblocked during an ingest; foreign keys make deletes cascade.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _record_change(s: Session, report_id: int, kind: str) -> None:
    s.add(ChangeRow(report_id=report_id, kind=kind, at=datetime.now(UTC)))


def _report_from_row(row: ReportRow) -> Report:
    return Report(
        id=row.id,
        file_name=row.file_name,
        path=row.path,
        content_hash=row.content_hash,
        status=ReportStatus(row.status),
        pages=row.page_count,
        chunks=row.chunk_count,
        error=row.error,
        meta=ReportMeta(title=row.title, broker=row.broker, date=row.published, language=row.language),
        ingested_at=row.ingested_at,
    )


def _chunk_from_row(row: ChunkRow) -> Chunk:
    return Chunk(
        id=row.id,
        report_id=row.report_id,
        ordinal=row.ordinal,
        text=row.text,
        page_start=row.page_start,
        page_end=row.page_end,
        start_offset=row.start_offset,
        end_offset=row.end_offset,
        section=row.section,
        is_boilerplate=row.is_boilerplate,
    )


def _chunk_rows(report_id: int, chunks: Sequence[Chunk], vectors: np.ndarray | None) -> list[ChunkRow]:
    return [
        ChunkRow(
            report_id=report_id,
            ordinal=c.ordinal,
            page_start=c.page_start,
            page_end=c.page_end,
            start_offset=c.start_offset,
            end_offset=c.end_offset,
            section=c.section,
            is_boilerplate=c.is_boilerplate,
            text=c.text,
            vector=None if vectors is None else np.asarray(vectors[i], np.float32).tobytes(),
        )
        for i, c in enumerate(chunks)
    ]


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._create_schema()
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        if self.get_meta(SCHEMA_VERSION_KEY) is None:
            try:
                self.set_meta(SCHEMA_VERSION_KEY, {"version": BASE_SCHEMA_VERSION})
            except IntegrityError:
                pass  # another process wrote it first

    def _create_schema(self) -> None:
        # Two processes opening a new library at once (CLI ingest + UI) both see "no
        # tables" and race to create them; the loser's retry finds them in place.
        for attempt in range(3):
            try:
                Base.metadata.create_all(self.engine)
                return
            except (OperationalError, ProgrammingError, IntegrityError):
                if attempt == 2:
                    raise
                time.sleep(0.2)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed on success, rolled back on any error."""
        with self._sessions() as s, s.begin():
            yield s

    def close(self) -> None:
        self.engine.dispose()

    # -- library metadata -------------------------------------------------------------
    def get_meta(self, key: str) -> dict[str, Any] | None:
        with self.session() as s:
            row = s.get(MetaRow, key)
            return json.loads(row.value) if row else None

    def set_meta(self, key: str, value: dict[str, Any]) -> None:
        with self.session() as s:
            row = s.get(MetaRow, key)
            if row is None:
                s.add(MetaRow(key=key, value=json.dumps(value, sort_keys=True)))
            else:
                row.value = json.dumps(value, sort_keys=True)

    # -- reports ----------------------------------------------------------------------
    def find_by_hash(self, content_hash: str) -> Report | None:
        with self.session() as s:
            row = s.scalar(select(ReportRow).where(ReportRow.content_hash == content_hash))
            return _report_from_row(row) if row else None

    def add_report(
        self,
        *,
        file_name: str,
        path: str,
        content_hash: str,
        status: ReportStatus,
        pages: Sequence[Page] = (),
        chunks: Sequence[Chunk] = (),
        vectors: np.ndarray | None = None,
        meta: ReportMeta | None = None,
        error: str | None = None,
        replace_ids: Iterable[int] = (),
        also: Callable[[Session, int], None] | None = None,
    ) -> tuple[int, list[int]]:
        """Write one report with its pages and chunks in a single transaction.

        `replace_ids` are reports deleted in the same transaction (a failed earlier attempt
        at the same bytes), so a crash leaves either the old state or the new one. `also`
        writes more rows about the report (its extracted facts) in that same transaction.
        Returns the report id and the new chunk ids, in chunk order.
        """
        meta = meta or ReportMeta()
        if vectors is not None and len(vectors) != len(chunks):
            raise ValueError("one vector per chunk expected")
        with self.session() as s:
            for old_id in replace_ids:
                self._delete_report(s, old_id)
            s.flush()
            row = ReportRow(
                content_hash=content_hash,
                file_name=file_name,
                path=path,
                status=status.value,
                error=error,
                page_count=len(pages),
                chunk_count=len(chunks),
                title=meta.title,
                broker=meta.broker,
                published=meta.date,
                language=meta.language,
                ingested_at=datetime.now(UTC),
            )
            s.add(row)
            s.flush()
            s.add_all(PageRow(report_id=row.id, number=p.number, text=p.text) for p in pages)
            chunk_rows = _chunk_rows(row.id, chunks, vectors)
            s.add_all(chunk_rows)
            s.flush()
            if also is not None:
                also(s, row.id)
            # The claim on these bytes ends with the commit that makes them a report.
            s.execute(delete(ClaimRow).where(ClaimRow.content_hash == content_hash))
            for old_id in replace_ids:
                _record_change(s, old_id, "delete")
            _record_change(s, row.id, "add")
            return row.id, [r.id for r in chunk_rows]

    def replace_chunks(self, report_id: int, chunks: Sequence[Chunk], vectors: np.ndarray) -> list[int]:
        """Swap a report's chunks (and vectors) for new ones in one transaction (reindex)."""
        with self.session() as s:
            s.execute(delete(ChunkRow).where(ChunkRow.report_id == report_id))
            rows = _chunk_rows(report_id, chunks, vectors)
            s.add_all(rows)
            s.execute(
                update(ReportRow).where(ReportRow.id == report_id).values(chunk_count=len(rows))
            )
            s.flush()
            _record_change(s, report_id, "reindex")
            return [r.id for r in rows]

    def _delete_report(self, s: Session, report_id: int) -> None:
        # Explicit deletes: SQLite only cascades with the foreign_keys pragma, other
        # backends may be configured differently; this works everywhere.
        s.execute(delete(ChunkRow).where(ChunkRow.report_id == report_id))
        s.execute(delete(PageRow).where(PageRow.report_id == report_id))
        s.execute(delete(ReportRow).where(ReportRow.id == report_id))

    def delete_report(self, report_id: int) -> list[int]:
        """Delete a report; returns the ids of its chunks (to drop from the index)."""
        with self.session() as s:
            ids = list(s.scalars(select(ChunkRow.id).where(ChunkRow.report_id == report_id)))
            self._delete_report(s, report_id)
            _record_change(s, report_id, "delete")
            return ids

    # -- sharing the library between processes -----------------------------------------
    def generation(self) -> tuple[int, int]:
        """Where the library stands: (changes committed, the newest change's id).

        The count matters as well as the id: on PostgreSQL a transaction that drew a lower id
        can commit after a higher one is already visible, which moves the count only."""
        with self.session() as s:
            count, newest = s.execute(select(func.count(ChangeRow.id), func.max(ChangeRow.id))).one()
            return int(count or 0), int(newest or 0)

    def record_change(self, report_id: int, kind: str) -> None:
        """Note a write made outside this class (re-extracted facts) for other processes."""
        with self.session() as s:
            _record_change(s, report_id, kind)

    def list_reports(self) -> list[Report]:
        with self.session() as s:
            rows = s.scalars(select(ReportRow).order_by(ReportRow.id))
            return [_report_from_row(r) for r in rows]

    def get_report(self, report_id: int) -> Report | None:
        with self.session() as s:
            row = s.get(ReportRow, report_id)
            return _report_from_row(row) if row else None

    def pages(self, report_id: int) -> list[Page]:
        with self.session() as s:
            rows = s.scalars(
                select(PageRow).where(PageRow.report_id == report_id).order_by(PageRow.number)
            )
            return [Page(number=r.number, text=r.text) for r in rows]

    def first_page_heads(self, chars: int = 600) -> dict[int, str]:
        """The top of each report's first page (where a note names its company)."""
        with self.session() as s:
            rows = s.execute(select(PageRow.report_id, PageRow.text).where(PageRow.number == 1))
            return {rid: text[:chars] for rid, text in rows}

    # -- chunks and vectors -----------------------------------------------------------
    def chunks_by_ids(self, ids: Sequence[int]) -> dict[int, Chunk]:
        if not ids:
            return {}
        with self.session() as s:
            rows = s.scalars(select(ChunkRow).where(ChunkRow.id.in_(list(ids))))
            return {r.id: _chunk_from_row(r) for r in rows}

    def report_chunks(self, report_id: int, include_boilerplate: bool = False) -> list[Chunk]:
        """A report's chunks in reading order."""
        with self.session() as s:
            query = select(ChunkRow).where(ChunkRow.report_id == report_id)
            if not include_boilerplate:
                query = query.where(ChunkRow.is_boilerplate.is_(False))
            return [_chunk_from_row(r) for r in s.scalars(query.order_by(ChunkRow.ordinal))]

    def reports_by_ids(self, ids: Iterable[int]) -> dict[int, Report]:
        ids = list(set(ids))
        if not ids:
            return {}
        with self.session() as s:
            rows = s.scalars(select(ReportRow).where(ReportRow.id.in_(ids)))
            return {r.id: _report_from_row(r) for r in rows}

    def chunk_ids(self) -> np.ndarray:
        with self.session() as s:
            return np.fromiter(s.scalars(select(ChunkRow.id).order_by(ChunkRow.id)), dtype=np.int64)

    def indexed_chunk_ids(self) -> np.ndarray:
        """Ids of every chunk that has a vector (so belongs in the index)."""
        with self.session() as s:
            ids = s.scalars(select(ChunkRow.id).where(ChunkRow.vector.is_not(None)))
            return np.fromiter(ids, dtype=np.int64)

    def vectors(self, ids: Sequence[int], dim: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) for the given chunk ids that have vectors, in batches."""
        out_ids: list[int] = []
        out_vecs: list[np.ndarray] = []
        ids = list(ids)
        with self.session() as s:
            for start in range(0, len(ids), 5000):
                rows = s.execute(
                    select(ChunkRow.id, ChunkRow.vector).where(
                        ChunkRow.id.in_(ids[start : start + 5000]), ChunkRow.vector.is_not(None)
                    )
                )
                for cid, blob in rows:
                    assert blob is not None  # the query keeps rows with a vector
                    out_ids.append(cid)
                    out_vecs.append(np.frombuffer(blob, dtype=np.float32))
        if not out_ids:
            return np.zeros(0, np.int64), np.zeros((0, dim), np.float32)
        return np.asarray(out_ids, np.int64), np.vstack(out_vecs).reshape(-1, dim)

    def iter_chunk_catalog(self, batch: int = 5000) -> Iterator[list[tuple[int, int, bool, str]]]:
        """(id, report_id, is_boilerplate, text) of every chunk, in id order, in batches."""
        last = 0
        while True:
            with self.session() as s:
                rows = s.execute(
                    select(ChunkRow.id, ChunkRow.report_id, ChunkRow.is_boilerplate, ChunkRow.text)
                    .where(ChunkRow.id > last)
                    .order_by(ChunkRow.id)
                    .limit(batch)
                ).all()
            if not rows:
                return
            last = rows[-1][0]
            yield [(r[0], r[1], bool(r[2]), r[3]) for r in rows]

    def catalog_rows(self, ids: Sequence[int]) -> list[tuple[int, int, bool, str]]:
        """(id, report_id, is_boilerplate, text) of the given chunks, in id order."""
        out: list[tuple[int, int, bool, str]] = []
        ids = sorted(ids)
        with self.session() as s:
            for start in range(0, len(ids), 5000):
                rows = s.execute(
                    select(ChunkRow.id, ChunkRow.report_id, ChunkRow.is_boilerplate, ChunkRow.text)
                    .where(ChunkRow.id.in_(ids[start : start + 5000]))
                    .order_by(ChunkRow.id)
                )
                out.extend((r[0], r[1], bool(r[2]), r[3]) for r in rows)
        return out

    def counts(self) -> dict[str, int]:
        with self.session() as s:
            return {
                "reports": s.scalar(select(func.count(ReportRow.id))) or 0,
                "chunks": s.scalar(select(func.count(ChunkRow.id))) or 0,
            }

