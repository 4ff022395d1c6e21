"""Bulk ingest: files -> parse -> clean -> chunk -> embed -> SQL + FAISS.

Preparing a report (read, hash, parse, clean, chunk) runs ahead of embedding in a worker
thread (or N processes with ``workers > 1``), so PDF parsing overlaps the embedder, which
is where the time goes. Each report is written in one SQL transaction; its vectors reach
FAISS only after that commit, and the index file is a cache reconciled against SQL on
open. So a crash at any point leaves no half-written report and no orphan vector.

Several ingest runs may share one database (machines splitting a shared folder): each file's
bytes are claimed before work starts (store/claims.py), so no two workers parse the same
report; a file another worker holds is looked at again after this run's own files, and a
claim whose worker died expires (`ingest.claim_ttl_s`) and is taken over. The report's
commit ends its claim; content-hash uniqueness backs it all up.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError

from report_rag.errors import MissingDependencyError, NoTextLayerError, PdfError
from report_rag.extract.facts import extract_facts
from report_rag.parse.chunking import ChunkingParams, chunk_pages
from report_rag.parse.clean import clean_pages
from report_rag.parse.discover import discover
from report_rag.parse.meta import read_meta
from report_rag.parse.ocr import NO_TEXT_AFTER_OCR, available_recognizer, load_recognizer
from report_rag.parse.pdf import PypdfParser
from report_rag.store.claims import claim, release_claims, renew_claims
from report_rag.store.facts_tables import save_facts
from report_rag.store.library import Library, embed_in_batches
from report_rag.types import (
    Chunk,
    FailedFile,
    IngestedFile,
    IngestSummary,
    Page,
    ReportFacts,
    ReportMeta,
    ReportStatus,
    SkippedFile,
)

log = logging.getLogger(__name__)

ProgressCallback = Callable[[str, str], None]  # (event, file): "start" | "done" | ...


@dataclass
class PreparedReport:
    """Everything about one file that does not need the embedder."""

    path: Path
    content_hash: str
    pages: list[Page] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    meta: ReportMeta = field(default_factory=ReportMeta)
    facts: ReportFacts | None = None  # ratings, picks, analysts… (None if extraction failed)
    status: ReportStatus = ReportStatus.READY
    error: str | None = None
    parse_seconds: float = 0.0
    chunk_seconds: float = 0.0


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def prepare_report(
    path: Path, content_hash: str, params: ChunkingParams, max_pages: int, ocr: str | None = None
) -> PreparedReport:
    """Parse, clean and chunk one PDF. Runs in a worker; never raises for bad PDFs.

    `ocr`: the OCR backend's name (a name, not an object, so it crosses to a worker process)."""
    prepared = PreparedReport(path=path, content_hash=content_hash)
    started = time.perf_counter()
    try:
        recognizer = load_recognizer(ocr) if ocr else None
        parsed = PypdfParser(max_pages=max_pages, ocr=recognizer).parse(path)
    except NoTextLayerError as exc:
        prepared.status, prepared.error = ReportStatus.NO_TEXT, exc.problem
        return prepared
    except PdfError as exc:
        prepared.status, prepared.error = ReportStatus.FAILED, exc.problem
        return prepared
    except Exception as exc:  # a parser bug must cost one file, not the batch
        prepared.status = ReportStatus.FAILED
        prepared.error = f"unexpected error while parsing: {type(exc).__name__}: {exc}"
        return prepared
    prepared.parse_seconds = time.perf_counter() - started
    started = time.perf_counter()
    prepared.pages = clean_pages(parsed.raw_pages)
    prepared.chunks = chunk_pages(prepared.pages, params)
    prepared.meta = read_meta(prepared.pages, parsed.metadata_title, parsed.first_page_runs)
    try:
        prepared.facts = extract_facts(prepared.pages, prepared.meta)
    except Exception:  # facts are extra: a rule bug must not lose the report itself
        log.exception("extracting facts from %s failed; `report-rag reextract` retries", path)
    prepared.chunk_seconds = time.perf_counter() - started
    return prepared


def worker_name() -> str:
    """How one ingest run names itself in claims other workers see: host:pid:run (two runs
    in one process — threads — are two workers too)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def worker_is_dead(worker: str) -> bool:
    """A claim holder on this machine whose process is gone (killed, crashed) — so a rerun
    right after a crash need not wait for its claims to expire. Other machines' workers
    are never judged from here: their claims lapse by time."""
    host, pid, *_ = worker.split(":") + ["", ""]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    return False


def _error_text(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "cannot read file: permission denied"
    if isinstance(exc, IsADirectoryError):
        return "is a directory, not a file"
    return f"cannot read file: {exc.strerror or exc}"


def ingest_paths(
    library: Library,
    paths: list[str],
    *,
    workers: int = 1,
    progress: ProgressCallback | None = None,
    commit_guard: Callable[[], AbstractContextManager[object]] | None = None,
) -> IngestSummary:
    """Ingest files, folders and globs. Never raises for a bad file: see the summary.

    `commit_guard`: entered around each report's commit (SQL rows and index vectors) only —
    a server passes its writer lock, so searches go on while PDFs are parsed and embedded."""
    guard = commit_guard or nullcontext
    started_all = time.perf_counter()
    notify = progress or (lambda event, file: None)
    summary = IngestSummary()
    found = discover(paths)
    summary.failed.extend(found.failed)
    stages = dict.fromkeys(("hash", "parse", "chunk", "embed", "store", "index"), 0.0)

    # Load the embedder and check the fingerprint before any work: a mismatch must stop
    # the batch up front, not fail every file.
    library.index  # noqa: B018 - opens, checks and reconciles
    params = library.chunking
    max_pages = library.settings.ingest.max_pages
    # The OCR backend is built here once, before any file: a missing package named in the
    # settings stops the batch up front with the extra to install.
    ocr = available_recognizer(library.settings.ingest.ocr)
    if ocr:
        try:
            load_recognizer(ocr)
        except MissingDependencyError as exc:
            if library.settings.ingest.ocr != "auto":
                raise
            # "auto" found the package but it does not load here (a missing system library):
            # ingest goes on as without it, scans are kept as no_text.
            log.warning("OCR is off for this run: %s", exc)
            ocr = None
    executor: Executor = (
        ProcessPoolExecutor(max_workers=workers) if workers > 1 else ThreadPoolExecutor(max_workers=1)
    )
    # Bounded look-ahead: enough to keep the embedder fed, never the whole corpus in memory.
    lookahead = max(2, 2 * workers)
    pending: deque[tuple[Path, str, Future[PreparedReport], int | None]] = deque()
    seen_this_run: dict[str, str] = {}
    worker = worker_name()
    ttl = library.settings.ingest.claim_ttl_s
    held_elsewhere: list[Path] = []  # claimed by another worker: looked at again at the end
    second_look: set[Path] = set()

    def files() -> Iterator[Path]:
        yield from found.files
        second_look.update(held_elsewhere)
        yield from held_elsewhere

    queue = files()

    def submit_next() -> bool:
        for path in queue:
            name = str(path)
            t0 = time.perf_counter()
            try:
                if path.is_dir():
                    raise IsADirectoryError(21, "is a directory")
                digest = file_hash(path)
            except OSError as exc:
                summary.failed.append(FailedFile(name, _error_text(exc)))
                notify("failed", name)
                continue
            finally:
                stages["hash"] += time.perf_counter() - t0
            if digest in seen_this_run and path not in second_look:
                summary.skipped.append(SkippedFile(name, f"duplicate of {seen_this_run[digest]}"))
                notify("skipped", name)
                continue
            seen_this_run[digest] = name
            existing = library.store.find_by_hash(digest)
            retry_id = None
            if existing is not None:
                # A scan refused while OCR was off is read now that it is on.
                ocr_retry = (
                    ocr is not None
                    and existing.status == ReportStatus.NO_TEXT
                    and NO_TEXT_AFTER_OCR not in (existing.error or "")
                )
                if existing.status != ReportStatus.FAILED and not ocr_retry:
                    reason = f"already ingested as report {existing.id} ({existing.file_name})"
                    if existing.status == ReportStatus.NO_TEXT:
                        reason += f"; {existing.error}"
                    summary.skipped.append(SkippedFile(name, reason))
                    notify("skipped", name)
                    continue
                retry_id = existing.id  # failed before: try again, replacing that record
            holder = claim(library.store, digest, worker, path.name, ttl, is_dead=worker_is_dead)
            if holder is not None:
                if path in second_look:
                    summary.skipped.append(SkippedFile(name, f"being ingested by another worker ({holder})"))
                    notify("skipped", name)
                else:
                    held_elsewhere.append(path)
                continue
            pending.append((path, digest, executor.submit(prepare_report, path, digest, params, max_pages, ocr), retry_id))
            return True
        return False

    try:
        while len(pending) < lookahead and submit_next():
            pass
        while pending:
            path, digest, future, retry_id = pending.popleft()
            submit_next()
            notify("start", str(path))
            prepared: PreparedReport = future.result()
            stages["parse"] += prepared.parse_seconds
            stages["chunk"] += prepared.chunk_seconds
            _commit_report(library, prepared, retry_id, summary, stages, guard)
            # Still working on the look-ahead: keep other workers off those files.
            renew_claims(library.store, [item[1] for item in pending], worker, ttl)
            notify("done", str(path))
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        release_claims(library.store, worker)  # what an interrupted run never committed
        t0 = time.perf_counter()
        with guard():
            library.save_index()
        stages["index"] += time.perf_counter() - t0
    stages["total"] = time.perf_counter() - started_all
    summary.stage_seconds = stages
    return summary


def _commit_report(
    library: Library,
    prepared: PreparedReport,
    retry_id: int | None,
    summary: IngestSummary,
    stages: dict[str, float],
    guard: Callable[[], AbstractContextManager[object]] = nullcontext,
) -> None:
    name = str(prepared.path)
    replace = [retry_id] if retry_id is not None else []
    if prepared.status != ReportStatus.READY:
        try:
            with guard():
                _store_failure(library, prepared, replace)
        except IntegrityError:
            if not _stored_elsewhere(library, prepared, summary):
                raise
            return
        summary.failed.append(FailedFile(name, prepared.error or prepared.status.value))
        return
    t0 = time.perf_counter()
    vectors = embed_in_batches(
        library.embedder, [c.text for c in prepared.chunks], library.settings.embed.batch_size
    )
    stages["embed"] += time.perf_counter() - t0
    try:
        with guard():
            report_id = _store_ready(library, prepared, replace, vectors, stages)
    except IntegrityError:
        if not _stored_elsewhere(library, prepared, summary):
            raise
        return
    summary.ingested.append(
        IngestedFile(report_id=report_id, file=name, pages=len(prepared.pages), chunks=len(prepared.chunks))
    )


def _stored_elsewhere(library: Library, prepared: PreparedReport, summary: IngestSummary) -> bool:
    """After a uniqueness violation: another worker committed the same bytes first (its
    claim had lapsed mid-work, or it ran without one). Recorded as a skip."""
    existing = library.store.find_by_hash(prepared.content_hash)
    if existing is None:
        return False
    reason = f"already ingested as report {existing.id} ({existing.file_name})"
    summary.skipped.append(SkippedFile(str(prepared.path), reason))
    return True


def _store_failure(library: Library, prepared: PreparedReport, replace: list[int]) -> None:
    library.store.add_report(
        file_name=prepared.path.name,
        path=os.path.abspath(prepared.path),
        content_hash=prepared.content_hash,
        status=prepared.status,
        error=prepared.error,
        replace_ids=replace,
    )
    library.forget_cached_reports()


def _store_ready(
    library: Library, prepared: PreparedReport, replace: list[int], vectors: Any, stages: dict[str, float]
) -> int:
    t0 = time.perf_counter()
    report_id, chunk_ids = library.store.add_report(
        file_name=prepared.path.name,
        path=os.path.abspath(prepared.path),
        content_hash=prepared.content_hash,
        status=ReportStatus.READY,
        pages=prepared.pages,
        chunks=prepared.chunks,
        vectors=vectors,
        meta=prepared.meta,
        replace_ids=replace,
        also=None if prepared.facts is None else partial(save_facts, facts=prepared.facts),
    )
    stages["store"] += time.perf_counter() - t0
    t0 = time.perf_counter()
    library.add_chunks(report_id, prepared.chunks, chunk_ids, vectors)
    stages["index"] += time.perf_counter() - t0
    return report_id
