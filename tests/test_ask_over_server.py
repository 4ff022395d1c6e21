"""`report-rag ask` uses this library's running `serve` (warm models) and loads its own only
when none is up."""

from __future__ import annotations

import json
import os

import pytest
from scripted_generator import ScriptedGenerator

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
from test_api_openai_server import Served

from report_rag.api import create_app
from report_rag.api.discovery import announced, note_path, running_server
from report_rag.cli.main import main
from report_rag.pipeline.ingest import ingest_paths
from report_rag.settings import Settings
from report_rag.store.library import Library

QUESTION = "贵州茅台2024年上半年归母净利润是多少？"
SERVED = "贵州茅台2024年上半年归母净利润416.96亿元[1]。"


@pytest.fixture(scope="module")
def home(tmp_path_factory, sample_pdfs):
    home = tmp_path_factory.mktemp("ask-home")
    with Library(Settings.for_tests(home)) as library:
        assert not ingest_paths(library, [str(p) for p in sample_pdfs]).failed
    return home


def _ask(home, capsys, *extra: str) -> dict:
    assert main(["ask", QUESTION, "--json", "--home", str(home), *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_ask_goes_to_the_running_server_and_falls_back_to_local_models(home, capsys, monkeypatch):
    local_models: list[str] = []

    def local_generator(settings):
        local_models.append("loaded")
        return ScriptedGenerator(SERVED)

    monkeypatch.setattr("report_rag.llm.create_generator", local_generator)
    monkeypatch.setenv("REPORT_RAG_EMBEDDER", "hashing")
    app = create_app(Settings.for_tests(home), generator_factory=lambda _: ScriptedGenerator(SERVED))
    with Served(app) as url:
        port = int(url.rsplit(":", 1)[1])
        with announced(home, "0.0.0.0", port):
            assert running_server(home) == url
            remote = _ask(home, capsys)
            assert not local_models  # answered by the server's model, none loaded here
            assert remote["answer"] == SERVED and not remote["refused"] and remote["model"] == "scripted"
            assert remote["citations"] and "416.96" in remote["citations"][0]["quote"]
            assert set(remote["timings"]) >= {"retrieve_s", "evidence_s", "first_token_s", "total_s"}
            local = _ask(home, capsys, "--local")
            assert local_models == ["loaded"] and local["answer"] == remote["answer"]
        assert not note_path(home).exists()  # the note comes down with the server
        _ask(home, capsys)
        assert local_models == ["loaded", "loaded"]  # up but unannounced: not this library's


def test_a_stale_note_is_not_a_server(tmp_path):
    note_path(tmp_path).write_text(json.dumps({"url": "http://127.0.0.1:9", "pid": os.getpid()}))
    assert running_server(tmp_path) is None  # alive process, nothing listening
    note_path(tmp_path).write_text(json.dumps({"url": "http://127.0.0.1:9", "pid": 2**22 + 12345}))
    assert running_server(tmp_path) is None  # no such process
    note_path(tmp_path).write_text("{not json")
    assert running_server(tmp_path) is None
