"""`report-rag serve`: the library over HTTP for a team's scripts and notebooks.

Thin, like the CLI and the UI: each endpoint parses its input, calls one library function
and returns its typed result as JSON. Errors are JSON `{"error": {"code", "message"}}`,
never a traceback; one bad request never stops the server.

Concurrency: reads (reports, facts, search, ask) share the library; a delete, an upload's
commit, and catching up with reports other processes committed to a shared database (a
`Follower` thread) take it alone (a reader/writer lock), so a search never sees half a report;
uploads are parsed and embedded one at a time while reads go on. Generation is the
backend's: a local model (llama.cpp, transformers) answers one question at a time, queued;
an OpenAI-compatible server (vLLM) is asked in parallel.

No `from __future__ import annotations` here: FastAPI reads the endpoints' annotations at
definition time, and the FastAPI types are imported inside `create_app` (lazily, so the
package imports without the `api` extra).
"""


import json
import logging
import re
import secrets
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import date
from typing import Any

from report_rag.answer import EvidenceFound, Final, PassagesFound, Queued, Token, ask_shared
from report_rag.errors import ReportNotFoundError, ReportRagError, ServerError, StockNotFoundError
from report_rag.llm.base import Generator
from report_rag.llm.gate import GeneratorFactory, ModelGate
from report_rag.pipeline import Upload, ingest_uploads
from report_rag.retrieval import Filters, search
from report_rag.settings import Settings
from report_rag.store import Follower, Library, ReadWriteLock, load_facts, query_picks, stock_view
from report_rag.types import Report

log = logging.getLogger(__name__)

class _ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _default_factory(settings: Settings) -> Generator:
    from report_rag.llm import create_generator

    return create_generator(settings)


def create_app(settings: Settings, *, generator_factory: GeneratorFactory | None = None) -> Any:
    """The FastAPI application over one library (`settings.home` / its database)."""
    try:
        from fastapi import Depends, FastAPI, File, Request, UploadFile
        from fastapi.exceptions import RequestValidationError
        from fastapi.responses import JSONResponse, StreamingResponse
        from pydantic import BaseModel, Field
        from starlette.exceptions import HTTPException
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        from report_rag.errors import MissingDependencyError

        raise MissingDependencyError("fastapi", "api", "The HTTP API") from exc

    library = Library(settings)
    lock = ReadWriteLock()
    follower = Follower(library, lock, settings.index.follow_interval_s)
    ingesting = threading.Lock()
    model = ModelGate(settings, generator_factory or _default_factory)
    keys = settings.api.keys

    class AskRequest(BaseModel):
        question: str = Field(min_length=1, max_length=2000)
        report_ids: list[int] | None = None
        broker: str | None = None
        since: date | None = None
        until: date | None = None
        k: int = Field(default=6, ge=1, le=50)

    def authorised(request: Request) -> None:
        if not keys:
            return
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not any(secrets.compare_digest(token.strip(), key) for key in keys):
            raise _ApiError(401, "unauthorized", "a valid 'Authorization: Bearer <key>' header is required")

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        follower.start()  # other servers' and ingest workers' reports, within ~1 s
        try:
            yield
        finally:
            follower.stop()
            with lock.writing():
                library.close()

    app = FastAPI(
        title="report-rag", version="1", dependencies=[Depends(authorised)], lifespan=lifespan,
        description="Cited research over brokerage report PDFs.",
    )
    app.state.library = library

    def error(status: int, code: str, message: str) -> JSONResponse:
        return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)

    @app.exception_handler(_ApiError)
    def _api_error(request: Request, exc: _ApiError) -> JSONResponse:
        return error(exc.status, exc.code, exc.message)

    @app.exception_handler(ReportNotFoundError)
    def _not_found(request: Request, exc: ReportNotFoundError) -> JSONResponse:
        return error(404, "not_found", str(exc))

    @app.exception_handler(ServerError)
    def _model_unavailable(request: Request, exc: ServerError) -> JSONResponse:
        return error(502, "model_unavailable", f"the answer model's server failed: {exc}")

    @app.exception_handler(ReportRagError)
    def _domain_error(request: Request, exc: ReportRagError) -> JSONResponse:
        return error(400, type(exc).__name__, str(exc))

    @app.exception_handler(RequestValidationError)
    def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        return error(422, "invalid_request", problems)

    @app.exception_handler(HTTPException)
    def _http(request: Request, exc: HTTPException) -> JSONResponse:
        return error(exc.status_code, "http_error", str(exc.detail))

    @app.exception_handler(Exception)
    def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("request failed: %s %s", request.method, request.url.path)
        return error(500, "internal_error", f"{type(exc).__name__}: the server could not complete the request")

    @app.get("/v1/health")
    def health() -> dict[str, Any]:
        with lock.reading():
            reports = len(library.reports())
        return {"status": "ok", "reports": reports, "model": settings.llm.backend,
                "model_parallel": model.parallel}

    @app.get("/v1/reports")
    def reports() -> dict[str, Any]:
        with lock.reading():
            return {"reports": [_report_json(r) for r in library.reports()]}

    @app.post("/v1/reports", status_code=201)
    async def upload(file: UploadFile = File(...)) -> Any:
        limit = settings.ui.max_upload_mb * 1024 * 1024
        data = await file.read(limit + 1)
        name = file.filename or "upload.pdf"
        return await _run_sync(lambda: _ingest_one(Upload(name, data)))

    def _ingest_one(item: Upload) -> Any:
        # One upload at a time; searches and questions go on while it is parsed and embedded,
        # and wait only for its commit (the writer lock around the SQL rows and vectors).
        with ingesting:
            result = ingest_uploads(library, [item], commit_guard=lock.writing)[0]
        with lock.reading():
            report = library.store.get_report(result.report_id) if result.report_id else None
        if result.outcome == "ingested" and report is not None:
            return JSONResponse({"report": _report_json(report)}, status_code=201)
        if result.outcome == "skipped":
            duplicate = _duplicate_id(result.message)
            return JSONResponse({"duplicate_of": duplicate, "message": result.message}, status_code=200)
        status = 413 if "too large" in result.message else 422
        return error(status, result.outcome, f"{item.name}: {result.message}")

    @app.delete("/v1/reports/{report_id}")
    def delete(report_id: int) -> dict[str, Any]:
        with lock.writing():
            report = library.delete_report(library.resolve_report(report_id).id)
        return {"deleted": _report_json(report)}

    @app.get("/v1/reports/{report_id}/facts")
    def facts(report_id: int) -> dict[str, Any]:
        with lock.reading():
            report = library.resolve_report(report_id)
            found = load_facts(library.store, report.id)
        return {"report": _report_json(report), "facts": found.to_json() if found else None}

    @app.get("/v1/search")
    def search_passages(
        q: str, k: int = 5, broker: str | None = None, since: date | None = None, until: date | None = None
    ) -> dict[str, Any]:
        if not q.strip():
            raise _ApiError(422, "invalid_request", "q: the query is empty")
        k = max(1, min(k, 50))
        with lock.reading():
            ids = _filtered_ids(library, broker, since, until)
            hits = [] if ids == () else search(library, q, k, report_ids=ids)
            return {"hits": [asdict(hit) for hit in hits]}

    @app.get("/v1/picks")
    def picks(stock: str | None = None, broker: str | None = None, since: date | None = None) -> dict[str, Any]:
        with lock.reading():
            rows = query_picks(library.store, stock=stock, broker=broker, since=since)
        return {"picks": [row.to_row() for row in rows]}

    @app.get("/v1/stocks")
    def stock(q: str) -> dict[str, Any]:
        """One stock across brokers: what `report-rag stock Q --json` prints."""
        if not q.strip():
            raise _ApiError(422, "invalid_request", "q: name a stock (code or name)")
        try:
            return stock_view(library.store, q).to_json()
        except StockNotFoundError as exc:
            raise _ApiError(404, "not_found", str(exc)) from exc

    @app.post("/v1/ask", response_model=None)
    def ask(body: AskRequest, request: Request) -> Any:
        filters = Filters(report_ids=tuple(body.report_ids) if body.report_ids else None,
                          broker=body.broker, since=body.since, until=body.until)
        streaming = "text/event-stream" in request.headers.get("accept", "")
        events = _answer_events(body.question, filters, body.k)
        if streaming:
            return StreamingResponse(_sse(events), media_type="text/event-stream")
        final = None
        for event in events:
            if isinstance(event, Final):
                final = event.answer
        assert final is not None
        return final.to_json()

    def _answer_events(question: str, filters: Filters, k: int) -> Iterator[Any]:
        # The reader lock covers retrieval only; the model is queued for its own work.
        return ask_shared(library, model, lock.reading, question, filters=filters, k=k)

    def _sse(events: Iterator[Any]) -> Iterator[str]:
        try:
            for event in events:
                if isinstance(event, PassagesFound):
                    yield _event("passages", {"passages": [_passage_json(p) for p in event.passages]})
                elif isinstance(event, EvidenceFound):
                    yield _event("evidence", {"citations": [c.to_json() for c in event.citations]})
                elif isinstance(event, Queued):
                    yield _event("queued", {"ahead": event.ahead, "message": f"waiting for the model, {event.ahead} ahead"})
                elif isinstance(event, Token):
                    yield _event("token", {"text": event.text})
                elif isinstance(event, Final):
                    yield _event("final", event.answer.to_json())
        except Exception as exc:  # the stream has started: the error is its last event
            log.exception("ask stream failed")
            yield _event("error", {"code": "internal_error", "message": f"{type(exc).__name__}: {exc}"})

    return app


def app_from_environment() -> Any:
    """The app for one of several `serve --workers N` processes: settings from REPORT_RAG_*."""
    return create_app(Settings())


async def _run_sync(function: Callable[[], Any]) -> Any:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(function)


def _event(name: str, payload: dict[str, Any]) -> str:
    return f"event: {name}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"


def _report_json(report: Report) -> dict[str, Any]:
    meta = report.meta
    return {"id": report.id, "file": report.file_name, "title": meta.title, "broker": meta.broker,
            "date": meta.date.isoformat() if meta.date else None, "pages": report.pages,
            "status": report.status.value}


def _passage_json(passage: Any) -> dict[str, Any]:
    chunk = passage.chunk
    return {"report_id": passage.report.id, "file": passage.report.file_name, "page_start": chunk.page_start,
            "page_end": chunk.page_end, "section": chunk.section, "text": chunk.text, "score": passage.score}


def _filtered_ids(library: Library, broker: str | None, since: date | None, until: date | None) -> tuple[int, ...] | None:
    """The reports a search may use (None: all; an empty tuple: none match)."""
    if not (broker or since or until):
        return None
    ids = []
    for report in library.reports():
        meta = report.meta
        if broker and broker.strip().lower() not in (meta.broker or "").lower():
            continue
        if since and (meta.date is None or meta.date < since):
            continue
        if until and (meta.date is None or meta.date > until):
            continue
        ids.append(report.id)
    return tuple(ids)


def _duplicate_id(message: str) -> int | None:
    """The id of the report an upload duplicates, from the ingest's skip reason."""
    found = re.search(r"already ingested as report (\d+)", message)
    return int(found.group(1)) if found else None
