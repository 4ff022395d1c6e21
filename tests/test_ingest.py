"""The write path end to end with the fast lexical embedder, and every kind of bad input."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest
from corpus import write_corpus
from pdf_factory import (
    make_encrypted_pdf,
    make_image_only_pdf,
    make_many_page_pdf,
    make_not_a_pdf,
    make_truncated_pdf,
)

from report_rag.errors import IndexMismatchError
from report_rag.pipeline.ingest import ingest_paths
from report_rag.retrieval import search
from report_rag.settings import Settings
from report_rag.store.library import Library
from report_rag.types import ReportStatus


def test_ingest_search_and_idempotence(settings, tmp_path):
    files = write_corpus(tmp_path / "in")
    with Library(settings) as library:
        summary = ingest_paths(library, [str(tmp_path / "in")])
        assert summary.failed == [] and summary.skipped == []
        assert {os.path.basename(i.file) for i in summary.ingested} == {p.name for p in files.values()}
        assert all(i.pages == 2 and i.chunks >= 2 for i in summary.ingested)

        hits = search(library, "茅台 目标价", k=3)
        assert hits and hits[0].file_name == "moutai.pdf" and hits[0].page == 1
        assert "2,100" in hits[0].text
        # Disclaimers are indexed but left out of search unless asked for.
        assert all("免责声明" not in h.text for h in search(library, "免责声明 客户使用", k=10))
        assert any("免责声明" in h.text or "客户使用" in h.text
                   for h in search(library, "免责声明 客户使用", k=10, include_boilerplate=True))
        # Scoped to one report.
        media_id = next(r.id for r in library.reports() if r.file_name.startswith("media"))
        assert {h.report_id for h in search(library, "投资评级", k=5, report_ids=[media_id])} == {media_id}

        again = ingest_paths(library, [str(tmp_path / "in")])
        assert again.ingested == [] and len(again.skipped) == 3
        assert all("already ingested" in s.reason for s in again.skipped)

        copy = tmp_path / "copy of moutai.pdf"
        shutil.copy(files["liquor"], copy)
        dup = ingest_paths(library, [str(copy)])
        assert dup.skipped[0].reason.startswith("already ingested as report")
        assert "moutai.pdf" in dup.skipped[0].reason
        assert library.store.counts()["reports"] == 3


def test_duplicates_within_one_batch(settings, tmp_path):
    files = write_corpus(tmp_path / "in")
    shutil.copy(files["english"], tmp_path / "in" / "same bytes.pdf")
    with Library(settings) as library:
        summary = ingest_paths(library, [str(tmp_path / "in")])
    assert len(summary.ingested) == 3
    assert len(summary.skipped) == 1 and summary.skipped[0].reason.startswith("duplicate of")


def test_bad_files_are_reported_and_the_batch_goes_on(settings, tmp_path):
    folder = tmp_path / "in"
    good = write_corpus(folder)
    (folder / "empty.pdf").write_bytes(b"")
    make_not_a_pdf(folder / "page.pdf")
    make_truncated_pdf(folder / "cut.pdf")
    make_encrypted_pdf(folder / "locked.pdf", user_password="pw")
    make_encrypted_pdf(folder / "open-encrypted.pdf", ["Permissions-only encryption opens fine."], user_password="")
    make_image_only_pdf(folder / "scan.pdf")
    (folder / "folder.pdf").mkdir()  # a directory named like a PDF is still an error, not a crash
    (folder / "loop").symlink_to(folder)

    with Library(settings) as library:
        summary = ingest_paths(library, [str(folder)])
        failed = {os.path.basename(f.file): f.error for f in summary.failed}
        assert set(failed) == {"empty.pdf", "page.pdf", "cut.pdf", "locked.pdf", "scan.pdf"}
        assert "empty" in failed["empty.pdf"]
        assert "not a PDF" in failed["page.pdf"]
        assert "password" in failed["locked.pdf"]
        assert "scanned" in failed["scan.pdf"]
        ingested = {os.path.basename(i.file) for i in summary.ingested}
        assert ingested == {p.name for p in good.values()} | {"open-encrypted.pdf"}
        statuses = {r.file_name: r.status for r in library.reports()}
        assert statuses["scan.pdf"] == ReportStatus.NO_TEXT
        assert statuses["cut.pdf"] == ReportStatus.FAILED

        # Fixing a failed file and re-running retries it in place; the rest is untouched.
        shutil.copy(good["english"], folder / "cut.pdf")
        rerun = ingest_paths(library, [str(folder / "cut.pdf")])
        assert rerun.skipped and "already ingested" in rerun.skipped[0].reason  # same bytes as tencent_note
        assert library.store.counts()["reports"] == len(statuses)


def test_unreadable_file(settings, tmp_path, monkeypatch):
    path = write_corpus(tmp_path / "in")["media"]
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            # Running as root, chmod 000 does not stop reads: make the read itself fail.
            def denied(_path):
                raise PermissionError(13, "Permission denied")

            monkeypatch.setattr("report_rag.pipeline.ingest.file_hash", denied)
        with Library(settings) as library:
            summary = ingest_paths(library, [str(path)])
        assert summary.failed[0].file == str(path)
        assert summary.failed[0].error == "cannot read file: permission denied"
    finally:
        path.chmod(0o644)


def test_thousands_of_pages_stay_in_bounded_memory(settings, tmp_path):
    import psutil

    path = make_many_page_pdf(tmp_path / "huge.pdf", 3000, text="Quarterly revenue rose 12% on strong exports.")
    rss_before = psutil.Process().memory_info().rss
    with Library(settings) as library:
        summary = ingest_paths(library, [str(path)])
    grown_mb = (psutil.Process().memory_info().rss - rss_before) / 2**20
    assert summary.ingested[0].pages == 3000
    assert grown_mb < 400, f"RSS grew {grown_mb:.0f} MB for a 3,000-page PDF"


def test_index_is_rebuilt_and_reconciled_from_sql(settings, tmp_path):
    write_corpus(tmp_path / "in")
    with Library(settings) as library:
        ingest_paths(library, [str(tmp_path / "in")])
        expected = sorted(library.store.indexed_chunk_ids().tolist())
    settings.index_path.unlink()  # lost index file: rebuilt from the vectors in SQL
    with Library(settings) as library:
        assert sorted(library.index.ids().tolist()) == expected
        assert search(library, "Tencent advertising", k=1)[0].file_name == "tencent_note.pdf"
        # A vector whose chunk never committed (crash between add and commit) is dropped.
        library.index.add(np.array([999_999]), np.ones((1, library.index.dim), np.float32) / 20)
        library._unsaved = 1
    with Library(settings) as library:
        assert sorted(library.index.ids().tolist()) == expected


def test_changed_settings_are_refused_until_reindex(settings, tmp_path):
    write_corpus(tmp_path / "in")
    with Library(settings) as library:
        ingest_paths(library, [str(tmp_path / "in")])
    changed = Settings.for_tests(settings.home, chunk_size=200, chunk_overlap=20)
    with Library(changed) as library:
        with pytest.raises(IndexMismatchError, match="reindex"):
            search(library, "茅台")
        with pytest.raises(IndexMismatchError):
            ingest_paths(library, [str(tmp_path / "in")])
        done = library.reindex()
        assert done.reports == 3 and done.chunks > 0
        assert search(library, "茅台 目标价", k=1)[0].file_name == "moutai.pdf"
        assert all(len(h.text) <= 200 + 20 for h in search(library, "报告", k=20, include_boilerplate=True))


def test_delete_report_removes_chunks_and_vectors(settings, tmp_path):
    write_corpus(tmp_path / "in")
    with Library(settings) as library:
        ingest_paths(library, [str(tmp_path / "in")])
        report = library.resolve_report("moutai.pdf")
        library.delete_report(report.id)
        assert all(h.file_name != "moutai.pdf" for h in search(library, "茅台", k=10))
        assert sorted(library.index.ids().tolist()) == sorted(library.store.indexed_chunk_ids().tolist())


def test_parallel_parsing_gives_the_same_library(tmp_path):
    write_corpus(tmp_path / "in")
    results = []
    for workers in (1, 2):
        settings = Settings.for_tests(tmp_path / f"home{workers}")
        with Library(settings) as library:
            summary = ingest_paths(library, [str(tmp_path / "in")], workers=workers)
            assert summary.failed == []
            results.append(sorted((r.file_name, r.pages, r.chunks, r.meta.title) for r in library.reports()))
    assert results[0] == results[1]


def test_only_the_commit_runs_under_the_callers_guard(settings, tmp_path):
    # A server passes its writer lock: parsing and embedding happen outside it, each
    # report's SQL rows and vectors (and the index save) inside it.
    from contextlib import contextmanager

    files = write_corpus(tmp_path / "in")
    inside: list[int] = []
    state = {"held": False}

    @contextmanager
    def guard():
        state["held"] = True
        inside.append(1)
        try:
            yield
        finally:
            state["held"] = False

    with Library(settings) as library:
        original = library.embedder.encode_documents

        def embed_outside(texts):
            assert not state["held"], "embedding ran under the commit guard"
            return original(texts)

        library.embedder.encode_documents = embed_outside  # type: ignore[method-assign]
        summary = ingest_paths(library, [str(tmp_path / "in")], commit_guard=guard)
    assert len(summary.ingested) == len(files)
    assert len(inside) == len(files) + 1  # one commit per report, and the index save
