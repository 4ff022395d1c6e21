"""Shared fixtures. Every test gets its own temp data dir; real models load once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from report_rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "sample_reports"


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory) -> Path:
    """The machine caches (shared embedded models, llama.cpp's measured CPU variant) in a temp
    dir for the session, inherited by the servers the tests start: no test reads or writes
    the user's own ~/.cache."""
    cache = tmp_path_factory.getbasetemp() / "xdg-cache"
    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(cache)
    yield cache
    if previous is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = previous


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


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory) -> Path:
    # One directory for the whole session: every module that needs a model reuses the
    # verified file instead of assembling it again.
    return tmp_path_factory.getbasetemp() / "llm-models"


@pytest.fixture(scope="session")
def default_generator(tmp_path_factory, models_dir: Path):
    """The embedded default answer model (Qwen2.5-Coder-1.5B GGUF), loaded once."""
    from report_rag.llm import create_generator
    from report_rag.llm.assets import DEFAULT_GGUF
    from report_rag.llm.llamacpp import LlamaCppGenerator

    settings = Settings.for_tests(tmp_path_factory.mktemp("home"), llm_models_dir=models_dir)
    assert settings.llm.gguf == DEFAULT_GGUF
    generator = create_generator(settings)
    assert isinstance(generator, LlamaCppGenerator)
    return generator
