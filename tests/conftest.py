"""Shared fixtures. Every test gets its own temp data dir; real models load once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from report_rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "sample_reports"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Fast preset: temp home, lexical hashing embedder."""
    return Settings.for_tests(tmp_path / "home")


@pytest.fixture(scope="session")
def sample_pdfs() -> list[Path]:
    pdfs = sorted(SAMPLE_DIR.glob("*.pdf"))
    assert pdfs, "sample_reports/*.pdf missing: run python sample_reports/make_samples.py"
    return pdfs


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A PostgreSQL URL from REPORT_RAG_TEST_DATABASE_URL (.ci/run starts a server)."""
    url = os.environ.get("REPORT_RAG_TEST_DATABASE_URL")
    if not url:
        pytest.skip("PostgreSQL tests need REPORT_RAG_TEST_DATABASE_URL (set by .ci/run, which starts a server)")
    return url
