"""Running the Streamlit pages under AppTest: a temp library, the hashing embedder, and a
scripted answer model injected through report_rag_app.resources.make_generator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from scripted_generator import ScriptedGenerator
from streamlit.testing.v1 import AppTest

from report_rag.pipeline.ingest import ingest_paths
from report_rag.settings import Settings
from report_rag.store.library import Library
from report_rag_app import resources

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60


class AppHarness:
    def __init__(self, home: Path, monkeypatch) -> None:
        self.home = home
        self.monkeypatch = monkeypatch
        self.generators_made = 0
        monkeypatch.setenv("REPORT_RAG_HOME", str(home))
        monkeypatch.setenv("REPORT_RAG_EMBEDDER", "hashing")
        monkeypatch.delenv(resources.GENERATOR_HOOK_ENV, raising=False)
        self.reply("NOT_FOUND")
        resources.reload()

    def reply(self, text: str) -> None:
        """What the answer model says from now on (a fresh generator is made per reply)."""
        def make(settings):
            self.generators_made += 1
            return ScriptedGenerator(text)

        self.monkeypatch.setattr(resources, "make_generator", make)
        resources.generator.clear()

    def ingest(self, *paths: Path) -> None:
        """Put reports in the library the app opens (as `report-rag ingest` would)."""
        with Library(Settings()) as library:
            summary = ingest_paths(library, [str(p) for p in paths])
        assert not summary.failed, summary.failed
        resources.reload()  # the app reopens the library and sees them

    def main(self) -> AppTest:
        return AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=TIMEOUT)

    def page(self, name: str) -> AppTest:
        """One page's render() as a whole app (AppTest cannot switch function pages)."""
        return AppTest.from_string(
            f"from report_rag_app import page_{name}\npage_{name}.render()\n", default_timeout=TIMEOUT
        )


@pytest.fixture
def harness(tmp_path: Path, monkeypatch) -> Iterator[AppHarness]:
    made = AppHarness(tmp_path / "home", monkeypatch)
    yield made
    resources.reload()  # close the library before its temp dir goes
