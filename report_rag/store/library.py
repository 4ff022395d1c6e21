"""The report library: one SQL store + one FAISS index + one embedder, kept consistent.

SQL is the source of truth. The FAISS file is a cache of the vectors stored with the
chunks: on open it is loaded (if its fingerprint matches) and reconciled against SQL, so a
crash between a committed report and the next index save costs nothing, and vectors of
reports that never committed are dropped.

Processes sharing one database (UIs, API servers, ingest workers on other machines) each
hold their own index; `behind()` reads the library's generation (one cheap query) and
`sync()` catches up with what the others committed — vectors come from SQL, never re-embedded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from report_rag.embed.base import Embedder, create_embedder
from report_rag.embed.batching import QueryBatcher
from report_rag.errors import IndexMismatchError, ReportNotFoundError
from report_rag.parse.chunking import ChunkingParams
from report_rag.settings import Settings
from report_rag.store.catalog import ChunkCatalog
from report_rag.store.migrations import migrate
from report_rag.store.sql import Store
from report_rag.store.vectors import FaissIndex, VectorIndex, describe_mismatch, set_search_threads
from report_rag.types import Chunk, Report, ReportStatus

log = logging.getLogger(__name__)

INDEX_FORMAT = 1
FINGERPRINT_KEY = "index_fingerprint"


@dataclass(frozen=True)
class ReindexSummary:
    reports: int
    chunks: int
    seconds: float


class Library:
    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        settings.home.mkdir(parents=True, exist_ok=True)
        self.store = Store(settings.db_url)
        migrate(self.store)  # bring an older library's schema up to date on open
        self._embedder = embedder
        self._queries: QueryBatcher | None = None
        self._index: VectorIndex | None = None
        self._catalog: ChunkCatalog | None = None
        self._heads: dict[int, str] | None = None
        self._sectors: dict[int, str] | None = None
        self._reports: list[Report] | None = None
        self._unsaved = 0
        self._generation: tuple[int, int] | None = None  # the library state the caches reflect
        self._fingerprint_checked = False
        self._chunk_cache: dict[int, Chunk] = {}  # search results' chunks, dropped on any change

    # -- components, created on first use ----------------------------------------------
    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = create_embedder(self.settings)
        return self._embedder

    @property
    def queries(self) -> QueryBatcher:
        """Query encoding for searches: batched across concurrent callers, recent ones cached."""
        if self._queries is None:
            self._queries = QueryBatcher(self.embedder)
        return self._queries

    @property
    def chunking(self) -> ChunkingParams:
        return ChunkingParams(size=self.settings.chunking.size, overlap=self.settings.chunking.overlap)

    def fingerprint(self) -> dict[str, Any]:
        """What the stored vectors depend on. Any change makes old neighbours wrong."""
        return {
            "format": INDEX_FORMAT,
            "embedder": self.embedder.name,
            "dim": int(self.embedder.dim),
            "chunking": self.chunking.fingerprint(),
        }

    def check_fingerprint(self) -> None:
        """Refuse to mix vectors from different embedders or chunkings in one library.
        Checked once per library state (every search asks; a change anywhere asks SQL again)."""
        if self._fingerprint_checked:
            return
        stored = self.store.get_meta(FINGERPRINT_KEY)
        current = self.fingerprint()
        if stored is None or self.store.counts()["chunks"] == 0:
            if stored != current:
                self.store.set_meta(FINGERPRINT_KEY, current)
            return  # an empty library: checked again on the next call
        if stored != current:
            raise IndexMismatchError(describe_mismatch(stored, current, str(self.settings.home)))
        self._fingerprint_checked = True

    @property
    def index(self) -> VectorIndex:
        if self._index is None:
            self.check_fingerprint()
            self._index = self._open_index()
        return self._index

    def _open_index(self) -> VectorIndex:
        self._note_generation()
        set_search_threads(self.settings.index.search_threads)
        fingerprint = self.fingerprint()
        if self.settings.index.vector_url:
            return self._open_milvus(fingerprint)
        path = self.settings.index_path
        device = self.settings.index.device
        index: FaissIndex | None = None
        if path.exists():
            try:
                index = FaissIndex.load(path, fingerprint, device=device)
            except IndexMismatchError as exc:
                # SQL agreed with the settings (checked above), so the file is stale: rebuild.
                log.warning("rebuilding index: %s", exc)
            except Exception as exc:  # a torn or foreign file: SQL has the vectors
                log.warning("index file %s unreadable (%s); rebuilding from the store", path, exc)
        if index is None:
            index = FaissIndex(fingerprint["dim"], device=device)
        if self._reconcile(index):
            index.save(path, fingerprint)
        return index

    def _open_milvus(self, fingerprint: dict[str, Any]) -> VectorIndex:
        from report_rag.store.milvus_index import MilvusIndex  # pymilvus only when chosen

        token = self.settings.index.vector_token
        index = MilvusIndex(str(self.settings.index.vector_url), fingerprint,
                            token=token.get_secret_value() if token else None)
        self._reconcile(index)
        return index

    def _reconcile(self, index: VectorIndex) -> bool:
        """Make the index hold exactly the chunk ids SQL has vectors for."""
        orphans, missing = _id_differences(index.ids(), self.store.indexed_chunk_ids())
        if len(orphans):
            log.info("dropping %d orphan vectors", len(orphans))
            index.remove(orphans)
        if len(missing):
            log.info("restoring %d vectors from the store", len(missing))
            ids, vectors = self.store.vectors(missing.tolist(), index.dim)
            index.add(ids, vectors)
        return bool(len(orphans) or len(missing))

    @property
    def catalog(self) -> ChunkCatalog:
        """Chunk filters and the BM25 index, built from SQL on first use."""
        if self._catalog is None:
            self._note_generation()
            self._catalog = ChunkCatalog.from_store(self.store)
        return self._catalog

    # -- following other processes' writes -----------------------------------------------
    def _note_generation(self) -> None:
        """Remember the library state before a cache is first filled from SQL. Read before
        the cache, so a commit landing meanwhile makes `behind()` true; never moved forward
        here, since older caches may not reflect what happened since (sync() does that)."""
        if self._generation is None:
            self._generation = self.store.generation()

    def behind(self) -> bool:
        """Whether another process (or connection) committed since the caches were filled."""
        return self._generation is not None and self.store.generation() != self._generation

    def sync(self) -> bool:
        """Bring the in-memory index, BM25 catalog and report caches up to the library in SQL.

        Callers sharing this object between threads hold its writer lock: the index changes
        in place. Returns whether anything had moved."""
        if self._generation is None:
            return False  # nothing loaded yet: the first use reads the current state
        generation = self.store.generation()
        if generation == self._generation:
            return False
        self._generation = generation
        self.forget_cached_reports()
        # A FAISS index is this process's copy; a Milvus collection is shared and kept by
        # the writers themselves (and reconciled with SQL whenever a library opens).
        if isinstance(self._index, FaissIndex) and self._reconcile(self._index):
            self._unsaved += 1
        if self._catalog is not None:
            self._sync_catalog(self._catalog)
        return True

    def _sync_catalog(self, catalog: ChunkCatalog) -> None:
        gone, new = _id_differences(catalog.alive_ids(), self.store.chunk_ids())
        if len(gone):
            catalog.remove_ids(gone)
        if not len(new):
            return
        if int(new.min()) <= catalog.newest_id():
            # Rows land in id order only; a commit that drew a lower id late (PostgreSQL
            # sequences) means rebuilding, which is rare.
            self._catalog = ChunkCatalog.from_store(self.store)
            return
        rows = self.store.catalog_rows(new.tolist())
        catalog.add([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows])

    def report_heads(self) -> dict[int, str]:
        """report id -> top of its first page, lower-cased for matching; cached until the
        library changes."""
        if self._heads is None:
            self._note_generation()
            self._heads = {rid: text.lower() for rid, text in self.store.first_page_heads().items()}
        return self._heads

    def forget_cached_reports(self) -> None:
        """Drop cached report lists/heads/sectors/chunks after a write (also one that bypassed
        this object)."""
        self._heads = self._sectors = self._reports = None
        self._chunk_cache = {}
        self._fingerprint_checked = False

    def chunks(self, ids: Sequence[int]) -> dict[int, Chunk]:
        """Chunks by id, from memory when a recent search already read them."""
        cache = self._chunk_cache
        missing = [i for i in ids if i not in cache]
        if missing:
            fetched = self.store.chunks_by_ids(missing)
            if len(cache) + len(fetched) > 50_000:  # bound the memory; refilled by use
                cache = self._chunk_cache = {}
            cache.update(fetched)
        return {i: cache[i] for i in ids if i in cache}

    def report_sectors(self) -> dict[int, str]:
        """report id -> extracted sector (传媒, 食品饮料 …), cached until the library changes."""
        if self._sectors is None:
            from report_rag.store.facts_queries import report_sectors

            self._note_generation()
            self._sectors = report_sectors(self.store)
        return self._sectors

    # -- writes ---------------------------------------------------------------------------
    def add_chunks(
        self, report_id: int, chunks: Sequence[Chunk], ids: Sequence[int], vectors: np.ndarray
    ) -> None:
        """Make freshly committed chunks searchable (vectors and lexical index)."""
        self.index.add(np.asarray(ids, np.int64), vectors)
        self.forget_cached_reports()
        if self._catalog is not None:
            flags = [c.is_boilerplate for c in chunks]
            self._catalog.add(ids, [report_id] * len(ids), flags, [c.text for c in chunks])
        self._unsaved += 1
        if self._unsaved >= self.settings.index.save_every:
            self.save_index()

    def save_index(self) -> None:
        # Only a FAISS file is this process's to save; a Milvus collection is written as it goes.
        if isinstance(self._index, FaissIndex) and self._unsaved:
            self._index.save(self.settings.index_path, self.fingerprint())
        self._unsaved = 0

    def delete_report(self, report_id: int) -> Report:
        report = self.store.get_report(report_id)
        if report is None:
            raise ReportNotFoundError(f"no report with id {report_id}")
        chunk_ids = self.store.delete_report(report_id)
        self.forget_cached_reports()
        if self._catalog is not None:
            self._catalog.remove_report(report_id)
        if chunk_ids:
            self.index.remove(np.asarray(chunk_ids, np.int64))
            self._unsaved += 1
            self.save_index()
        return report

    def reindex(self, progress: Callable[[int, int], None] | None = None) -> ReindexSummary:
        """Re-embed every stored chunk with the configured embedder, without re-parsing."""
        import time

        started = time.perf_counter()
        # Re-chunking needs only the stored page text; the chunk ids change, which is fine
        # because the index is rebuilt below from the same transaction's output.
        from report_rag.parse.chunking import chunk_pages

        embedder = self.embedder
        reports = [r for r in self.store.list_reports() if r.status == ReportStatus.READY]
        total_chunks = 0
        for done, report in enumerate(reports, 1):
            chunks = chunk_pages(self.store.pages(report.id), self.chunking)
            vectors = embed_in_batches(embedder, [c.text for c in chunks], self.settings.embed.batch_size)
            self.store.replace_chunks(report.id, chunks, vectors)
            total_chunks += len(chunks)
            if progress:
                progress(done, len(reports))
        self.store.set_meta(FINGERPRINT_KEY, self.fingerprint())
        index: VectorIndex
        if self.settings.index.vector_url:
            index = self._open_milvus(self.fingerprint())  # reconciled: old ids out, new in
        else:
            index = FaissIndex(int(embedder.dim), device=self.settings.index.device)
            self._reconcile(index)
            index.save(self.settings.index_path, self.fingerprint())
        self._index = index
        self._catalog = None  # chunk ids changed: rebuild on next use
        self.forget_cached_reports()
        self._unsaved = 0
        return ReindexSummary(len(reports), total_chunks, time.perf_counter() - started)

    # -- reads ----------------------------------------------------------------------------
    def reports(self) -> list[Report]:
        """Every report, cached until this library changes (queries read it each time)."""
        if self._reports is None:
            self._note_generation()
            self._reports = self.store.list_reports()
        return list(self._reports)

    def resolve_report(self, ref: str | int) -> Report:
        """A report by id or by file name."""
        reports = self.store.list_reports()
        for report in reports:
            if str(report.id) == str(ref) or report.file_name == str(ref):
                return report
        raise ReportNotFoundError(f"no report with id or file name {ref!r}")

    def close(self) -> None:
        self.save_index()
        closer = getattr(self._index, "close", None)  # a Milvus client's connection
        if closer is not None:
            closer()
        self.store.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _id_differences(held: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(ids held that should go, ids wanted that are not held)."""
    return (np.setdiff1d(held, wanted, assume_unique=True), np.setdiff1d(wanted, held, assume_unique=True))


def embed_in_batches(embedder: Embedder, texts: Sequence[str], batch_size: int) -> np.ndarray:
    if not texts:
        return np.zeros((0, int(embedder.dim)), np.float32)
    parts = [
        embedder.encode_documents(list(texts[i : i + batch_size]))
        for i in range(0, len(texts), batch_size)
    ]
    return np.vstack(parts).astype(np.float32, copy=False)

