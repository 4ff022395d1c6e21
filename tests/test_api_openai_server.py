"""`report-rag serve` over an OpenAI-compatible server (what vLLM offers a team): questions
overlap instead of queueing, and an unreachable or hung server is a clear error per request.

The server here is a stand-in that streams a fixed answer slowly (0.1 s a piece), so the
overlap is measured on the API's side, as bench/load.py measures the rest."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from report_rag.pipeline.ingest import ingest_paths
from report_rag.settings import Settings
from report_rag.store.library import Library

fastapi = pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")

PIECES = ["Harbourline ", "keeps ", "Buy ", "on ", "Tencent ", "with ", "a ", "target ", "of ", "HK$480 ", "[1]."]
QUESTION = {"question": "Why does Harbourline like Tencent?"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fake_openai_server(delay_s: float, hang: bool = False):
    from fastapi import FastAPI
    from fastapi.responses import StreamingResponse

    app = FastAPI()

    @app.get("/v1/models")
    def models() -> dict:
        return {"data": [{"id": "stand-in", "max_model_len": 8192}]}

    @app.post("/v1/chat/completions")
    async def chat(body: dict) -> StreamingResponse:
        async def events():
            if hang:
                await asyncio.sleep(60)
            for piece in PIECES:
                await asyncio.sleep(delay_s)
                yield f"data: {json.dumps({'choices': [{'delta': {'content': piece}}]})}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return app


class Served:
    """A uvicorn server in a thread (the API's own requests run in its thread pool)."""

    def __init__(self, app) -> None:
        self.port = _free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="error"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def home(tmp_path_factory, sample_pdfs):
    home = tmp_path_factory.mktemp("openai-home")
    with Library(Settings.for_tests(home)) as library:
        ingest_paths(library, [str(p) for p in sample_pdfs])
    return home


def _api(home, base_url: str, **values) -> Iterator[str]:
    from report_rag.api import create_app

    settings = Settings.for_tests(home, llm_backend="openai", llm_openai_base_url=base_url,
                                  llm_openai_model="stand-in", **values)
    return Served(create_app(settings))


def _ask(api: str) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = httpx.post(f"{api}/v1/ask", json=QUESTION, timeout=60)
    return time.perf_counter() - started, response


def test_simultaneous_questions_overlap_on_a_parallel_server(home) -> None:
    with Served(fake_openai_server(delay_s=0.1)) as model, _api(home, f"{model}/v1") as api:
        _ask(api)  # warm: first use builds the generator and probes the server
        one, response = _ask(api)
        assert response.status_code == 200, response.text
        assert one >= 0.1 * len(PIECES)  # the stand-in's pace: the model's time dominates
        results: list[tuple[float, httpx.Response]] = []
        threads = [threading.Thread(target=lambda: results.append(_ask(api))) for _ in range(8)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        eight = time.perf_counter() - started
        assert all(r.status_code == 200 for _, r in results), [r.text for _, r in results]
        print(f"one ask {one:.2f} s; 8 simultaneous asks {eight:.2f} s")
        assert eight <= 2 * one, f"8 simultaneous asks took {eight:.2f} s, one took {one:.2f} s"


def test_an_unreachable_model_server_is_a_clear_error_per_request(home) -> None:
    dead = f"http://127.0.0.1:{_free_port()}/v1"  # nothing listens there
    with _api(home, dead) as api:
        for _ in range(2):  # and the server goes on
            elapsed, response = _ask(api)
            assert response.status_code == 502, response.text
            error = response.json()["error"]
            assert error["code"] == "model_unavailable" and "127.0.0.1" in error["message"]
            assert elapsed < 30
        assert httpx.get(f"{api}/v1/health").json()["status"] == "ok"


def test_a_hung_model_server_times_out_instead_of_hanging(home) -> None:
    with Served(fake_openai_server(delay_s=0.1, hang=True)) as model, \
            _api(home, f"{model}/v1", llm_openai_timeout_s=1.0) as api:
        elapsed, response = _ask(api)
        assert response.status_code == 502 and response.json()["error"]["code"] == "model_unavailable"
        assert elapsed < 20
