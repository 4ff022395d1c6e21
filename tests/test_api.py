"""The HTTP API over the sample reports, with a scripted model (FastAPI's test client)."""

from __future__ import annotations

import json
import threading

import pytest
from scripted_generator import ScriptedGenerator

from report_rag.api import create_app
from report_rag.cli.main import main
from report_rag.pipeline.ingest import ingest_paths
from report_rag.settings import Settings
from report_rag.store import ReadWriteLock
from report_rag.store.library import Library

fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

MOUTAI = "kaiyuan_moutai_company_2024-08-09.pdf"


@pytest.fixture(scope="module")
def home(tmp_path_factory, sample_pdfs):
    home = tmp_path_factory.mktemp("api-home")
    with Library(Settings.for_tests(home)) as library:
        assert not ingest_paths(library, [str(p) for p in sample_pdfs if p.name != MOUTAI]).failed
    return home


def _client(home, answer="贵州茅台的目标价为 1,880 元[1]。", **settings) -> TestClient:
    config = Settings.for_tests(home, **settings)
    app = create_app(config, generator_factory=lambda _: ScriptedGenerator(answer))
    return TestClient(app, raise_server_exceptions=False)


def test_reports_facts_search_and_picks(home, sample_pdfs) -> None:
    with _client(home) as client:
        health = client.get("/v1/health").json()
        assert health["status"] == "ok" and health["reports"] >= 9
        reports = client.get("/v1/reports").json()["reports"]
        media = next(r for r in reports if r["file"].startswith("huajin_media"))
        facts = client.get(f"/v1/reports/{media['id']}/facts").json()["facts"]
        assert facts["rating"]["raw"] == "领先大市-A维持"
        hits = client.get("/v1/search", params={"q": "快手 游戏", "k": 3}).json()["hits"]
        assert hits and all({"file_name", "page", "text", "score"} <= set(h) for h in hits)
        only = client.get("/v1/search", params={"q": "快手", "broker": "华锦"}).json()["hits"]
        assert only and {h["broker"] for h in only} == {"华锦证券"}
        assert client.get("/v1/search", params={"q": "快手", "broker": "no such broker"}).json()["hits"] == []
        tencent = client.get("/v1/stocks", params={"q": "0700.HK"}).json()
        assert tencent["security"]["codes"] == ["0700.HK"] and tencent["latest"]
        missing = client.get("/v1/stocks", params={"q": "no such stock"})
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
        assert client.get("/v1/stocks").status_code == 422
        picks = client.get("/v1/picks", params={"stock": "快手"}).json()["picks"]
        assert picks and all("快手" in p["stock"] and p["quote"] for p in picks)
        assert client.get("/openapi.json").json()["info"]["title"] == "report-rag"


def test_upload_duplicate_bad_file_and_delete(home, sample_pdfs) -> None:
    moutai = next(p for p in sample_pdfs if p.name == MOUTAI).read_bytes()
    with _client(home) as client:
        created = client.post("/v1/reports", files={"file": (MOUTAI, moutai, "application/pdf")})
        assert created.status_code == 201, created.text
        report = created.json()["report"]
        assert report["broker"] and report["pages"] >= 1
        again = client.post("/v1/reports", files={"file": ("copy.pdf", moutai, "application/pdf")})
        assert again.status_code == 200 and again.json()["duplicate_of"] == report["id"]
        bad = client.post("/v1/reports", files={"file": ("x.pdf", b"<html>404</html>", "application/pdf")})
        assert bad.status_code == 422
        assert bad.json()["error"]["message"].startswith("x.pdf: not a PDF")
        gone = client.delete(f"/v1/reports/{report['id']}")
        assert gone.status_code == 200 and gone.json()["deleted"]["id"] == report["id"]
        missing = client.delete(f"/v1/reports/{report['id']}")
        assert missing.status_code == 404 and set(missing.json()["error"]) == {"code", "message"}


def test_ask_as_json_and_as_an_event_stream(home) -> None:
    with _client(home, answer="Harbourline keeps Buy on Tencent with a target price of HK$480 [1].") as client:
        answer = client.post("/v1/ask", json={"question": "Why does Harbourline like Tencent?"}).json()
        assert not answer["refused"], answer
        assert answer["citations"][0]["file"].startswith("harbourline")
        with client.stream("POST", "/v1/ask", json={"question": "Why does Harbourline like Tencent?"},
                           headers={"Accept": "text/event-stream"}) as response:
            body = "".join(response.iter_text())
        events = [block.split("\n", 1) for block in body.strip().split("\n\n")]
        names = [head.removeprefix("event: ") for head, _ in events]
        assert names[:2] == ["passages", "evidence"] and names[-1] == "final" and "token" in names
        evidence = json.loads(events[1][1].removeprefix("data: "))
        assert evidence["citations"] and evidence["citations"][0]["quote"]
        final = json.loads(events[-1][1].removeprefix("data: "))
        assert final["citations"] and not final["refused"]
        invalid = client.post("/v1/ask", json={"question": ""})
        assert invalid.status_code == 422 and invalid.json()["error"]["code"] == "invalid_request"


def test_keys_are_required_when_configured(home, monkeypatch) -> None:
    monkeypatch.setenv("REPORT_RAG_API_KEYS", "alpha, beta")
    with _client(home) as client:
        assert client.get("/v1/reports").status_code == 401
        assert client.get("/v1/reports", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get("/v1/reports", headers={"Authorization": "Bearer beta"}).status_code == 200


def test_serve_refuses_a_public_address_without_keys(home, capsys, monkeypatch) -> None:
    monkeypatch.delenv("REPORT_RAG_API_KEYS", raising=False)
    assert main(["serve", "--host", "0.0.0.0", "--home", str(home)]) != 0
    assert "REPORT_RAG_API_KEYS" in capsys.readouterr().err


def test_a_failing_request_is_json_and_the_server_goes_on(home) -> None:
    def broken(_):
        raise RuntimeError("model backend exploded")

    app = create_app(Settings.for_tests(home), generator_factory=broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        failed = client.post("/v1/ask", json={"question": "目标价是多少？"})
        assert failed.status_code == 500 and "Traceback" not in failed.text
        assert failed.json()["error"]["code"] == "internal_error"
        assert client.get("/v1/health").status_code == 200


def test_writers_wait_for_readers_and_readers_for_a_writer() -> None:
    lock = ReadWriteLock()
    order: list[str] = []
    reading = threading.Event()
    release = threading.Event()

    def reader() -> None:
        with lock.reading():
            reading.set()
            release.wait(5)
            order.append("read done")

    def writer() -> None:
        with lock.writing():
            order.append("write")

    first = threading.Thread(target=reader)
    first.start()
    reading.wait(5)
    second = threading.Thread(target=writer)
    second.start()
    second.join(0.2)
    assert order == []  # the writer waits for the reader
    release.set()
    first.join(5)
    second.join(5)
    assert order == ["read done", "write"]


class BlockingGenerator(ScriptedGenerator):
    """Holds its answer until released: a long generation, on demand."""

    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.started = threading.Event()
        self.release = threading.Event()

    def stream(self, messages, params):
        self.started.set()
        assert self.release.wait(30)
        yield from super().stream(messages, params)


def test_a_long_answer_holds_neither_the_library_nor_the_queue_silently(tmp_path, sample_pdfs) -> None:
    home = tmp_path / "home"
    with Library(Settings.for_tests(home)) as library:
        ingest_paths(library, [str(p) for p in sample_pdfs[:4]])
    generator = BlockingGenerator("The reports say so [1].")
    app = create_app(Settings.for_tests(home), generator_factory=lambda _: generator)
    question = {"question": "What do the reports say about the target price?"}
    with TestClient(app, raise_server_exceptions=False) as client:
        first: list[str] = []
        asking = threading.Thread(target=lambda: first.append(client.post("/v1/ask", json=question).text))
        asking.start()
        try:
            assert generator.started.wait(30)  # the first answer is being generated
            # A write (delete) and searches go through while it generates: its reader lock is gone.
            victim = client.get("/v1/reports").json()["reports"][-1]["id"]
            assert client.delete(f"/v1/reports/{victim}").status_code == 200
            assert client.get("/v1/search", params={"q": "目标价"}).status_code == 200
            # A second question is told it waits behind the first.
            with client.stream("POST", "/v1/ask", json=question, headers={"Accept": "text/event-stream"}) as response:
                lines = response.iter_lines()
                for line in lines:
                    if line.startswith("event: queued"):
                        queued = json.loads(next(lines).removeprefix("data: "))
                        break
                generator.release.set()
                rest = "\n".join(lines)
            assert queued["ahead"] == 1 and "waiting for the model" in queued["message"]
            assert "event: final" in rest
        finally:
            generator.release.set()
            asking.join(timeout=30)
        assert json.loads(first[0])["answer"]
