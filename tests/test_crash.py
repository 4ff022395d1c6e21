"""kill -9 in the middle of an ingest, then a re-run: no duplicate report, no orphan
vector, no half-written report."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from corpus import MEDIA_REPORT
from pdf_factory import make_text_pdf

from report_rag.pipeline.ingest import ingest_paths
from report_rag.settings import Settings
from report_rag.store.library import Library
from report_rag.types import ReportStatus

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent

# The child ingests with an embedder that is slow on purpose, so the kill lands mid-batch.
CHILD = textwrap.dedent(
    """
    import sys, time
    sys.path[:0] = [{root!r}, {tests!r}]
    from report_rag.embed.hashing import HashingEmbedder
    from report_rag.pipeline.ingest import ingest_paths
    from report_rag.store.library import Library
    from report_rag.settings import Settings

    class SlowEmbedder(HashingEmbedder):
        def encode_documents(self, texts):
            time.sleep(0.15)
            return super().encode_documents(texts)

    settings = Settings.for_tests({home!r}, index_save_every=3)
    with Library(settings, embedder=SlowEmbedder()) as library:
        ingest_paths(library, [{folder!r}])
    """
)


def test_kill_9_mid_ingest_then_rerun(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(30):
        pages = [MEDIA_REPORT[0] + f"\n第 {n} 号报告", MEDIA_REPORT[1]]
        make_text_pdf(folder / f"report-{n:02d}.pdf", pages)
    home = tmp_path / "home"
    settings = Settings.for_tests(home)
    script = CHILD.format(root=str(ROOT), tests=str(TESTS), home=str(home), folder=str(folder))
    child = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if (home / "library.sqlite3").exists():
                with Library(settings) as peek:
                    if peek.store.counts()["reports"] >= 5:
                        break
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    with Library(settings) as library:
        before = library.store.counts()["reports"]
        assert 5 <= before < 30, "the kill must land mid-batch"
        summary = ingest_paths(library, [str(folder)])
        assert summary.failed == []
        assert len(summary.ingested) + len(summary.skipped) == 30
        assert len(summary.skipped) == before  # committed reports are not redone
        reports = library.reports()
        assert len(reports) == 30
        assert len({r.content_hash for r in reports}) == 30
        for report in reports:  # every report is whole: pages and chunks as recorded
            assert report.status == ReportStatus.READY
            assert len(library.store.pages(report.id)) == report.pages == 2
        sql_ids = sorted(library.store.indexed_chunk_ids().tolist())
        assert sorted(library.index.ids().tolist()) == sql_ids
        assert sum(r.chunks for r in reports) == len(sql_ids)
