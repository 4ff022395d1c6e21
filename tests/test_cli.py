"""The CLI contract: JSON shapes, exit codes, messages at the edge."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from corpus import write_corpus

from report_rag.cli.main import main


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ingest_reports_search_json(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("REPORT_RAG_EMBEDDER", "hashing")
    home = str(tmp_path / "home")
    write_corpus(tmp_path / "in")
    (tmp_path / "in" / "broken.pdf").write_bytes(b"%PDF-1.7\n garbage")

    code, out, err = _run(capsys, "ingest", str(tmp_path / "in"), "--json", "--home", home)
    assert code == 1  # one file failed, the others are kept
    result = json.loads(out)  # stdout is exactly one JSON object
    assert set(result) == {"ingested", "skipped", "failed"}
    assert len(result["ingested"]) == 3
    assert set(result["ingested"][0]) == {"report_id", "file", "pages", "chunks"}
    assert result["failed"][0]["file"].endswith("broken.pdf") and result["failed"][0]["error"]

    code, out, _ = _run(capsys, "ingest", str(tmp_path / "in" / "moutai.pdf"), "--json", "--home", home)
    assert code == 0 and json.loads(out)["skipped"][0]["reason"].startswith("already ingested")

    code, out, _ = _run(capsys, "reports", "--json", "--home", home)
    rows = json.loads(out)
    assert code == 0 and len(rows) == 4
    assert set(rows[0]) == {"report_id", "file", "title", "broker", "date", "pages", "chunks", "status"}
    assert {r["status"] for r in rows} == {"ready", "failed"}

    code, out, _ = _run(capsys, "search", "Tencent target price", "-k", "2", "--json", "--home", home)
    hits = json.loads(out)
    assert code == 0 and len(hits) == 2
    assert set(hits[0]) == {"report_id", "file", "page", "score", "text"}
    assert hits[0]["file"] == "tencent_note.pdf" and hits[0]["score"] >= hits[1]["score"]

    code, out, _ = _run(capsys, "delete", "moutai.pdf", "--home", home)
    assert code == 0 and "Deleted" in out


def test_usage_errors_exit_2(tmp_path, capsys):
    assert main(["ingest"]) == 2
    assert main(["no-such-command"]) == 2
    assert main(["ingest", str(tmp_path), "--workers", "0", "--home", str(tmp_path / "h")]) == 2


def test_domain_errors_are_one_line_messages(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("REPORT_RAG_EMBEDDER", "hashing")
    code, _, err = _run(capsys, "delete", "nope.pdf", "--home", str(tmp_path / "h"))
    assert code == 1 and err.strip() == "report-rag: no report with id or file name 'nope.pdf'"


def test_python_m_ingest_is_the_same_command(tmp_path):
    files = write_corpus(tmp_path / "in")
    env = {**os.environ, "REPORT_RAG_EMBEDDER": "hashing", "REPORT_RAG_HOME": str(tmp_path / "home")}
    proc = subprocess.run(
        [sys.executable, "-m", "ingest", str(files["english"]), "--json"],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["ingested"][0]["file"].endswith("tencent_note.pdf")


def test_home_before_or_after_the_command(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("REPORT_RAG_EMBEDDER", "hashing")
    monkeypatch.setenv("REPORT_RAG_HOME", str(tmp_path / "elsewhere"))
    for argv in (["--home", str(tmp_path / "a"), "reports", "--json"], ["reports", "--json", "--home", str(tmp_path / "b")]):
        assert main(argv) == 0
        capsys.readouterr()
    assert (tmp_path / "a" / "library.sqlite3").exists() and (tmp_path / "b" / "library.sqlite3").exists()
    assert not (tmp_path / "elsewhere").exists()


def test_models_shows_what_reads_scans(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("REPORT_RAG_OCR", "off")
    code, out, _ = _run(capsys, "models", "--json", "--home", str(tmp_path / "home"))
    assert code == 0 and json.loads(out)["ocr"] == {"setting": "off", "backend": "off"}
    monkeypatch.setenv("REPORT_RAG_OCR", "auto")
    code, out, _ = _run(capsys, "models", "--json", "--home", str(tmp_path / "home"))
    backend = json.loads(out)["ocr"]["backend"]
    assert code == 0 and (backend == "rapidocr" or backend.startswith("none (pip install"))
