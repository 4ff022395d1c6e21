"""End to end in a real browser: `report-rag app` on localhost, driven by headless Chromium.

The main test uploads a sample PDF, waits for the ingest, asks a question, gets a cited
answer, clicks the citation and sees the page image. Its answers come from a scripted
generator (browser_generator.py): the test is about the UI, and a real model's wording
decides whether there is a citation to click at all. A second test serves the real small
llama.cpp model (Qwen2.5-Coder-0.5B) through the same UI where it is installed, and is
skipped with the reason where it is not.

Screenshots go to $REPORT_RAG_ARTIFACTS/browser (default artifacts/browser/, gitignored),
plus failure.png when a step fails.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from browser_generator import QUESTION

from report_rag.llm import describe_configured
from report_rag.pipeline.ingest import ingest_paths
from report_rag.settings import Settings
from report_rag.store.library import Library

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
TEST_MODEL = "qwen2.5-coder-0.5b"
SAMPLE = ROOT / "sample_reports" / "kaiyuan_moutai_company_2024-08-09.pdf"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
# Chips read "[n] file p.N"; a real model may cite passage 1 or another one.
CHIP = re.compile(rf"^\[\d+\] {re.escape(SAMPLE.name)} p\.\d+$")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"report-rag app exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"the UI did not come up within {timeout} s:\n{log.read_text()}")


@pytest.fixture
def artifacts(request) -> Path:
    base = Path(os.environ.get("REPORT_RAG_ARTIFACTS", ROOT / "artifacts")) / "browser"
    folder = base / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def start_app(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """start_app(**env) runs `report-rag app` on a free port over tmp_path/home; returns its URL."""
    processes: list[subprocess.Popen] = []

    def start(**extra_env: str) -> str:
        port = free_port()
        env = {
            **os.environ,
            "REPORT_RAG_HOME": str(tmp_path / "home"),
            "REPORT_RAG_EMBEDDER": "hashing",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "tests"), os.environ.get("PYTHONPATH")])),
            **extra_env,
        }
        log = tmp_path / "app.log"
        with open(log, "w") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "report_rag.cli", "app", "--port", str(port)],
                cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        processes.append(process)
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, process, log)
        assert url in log.read_text()  # the command prints where the UI is
        return url

    yield start
    for process in processes:
        os.killpg(process.pid, signal.SIGTERM)  # its own session: the server and anything it started
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def browser(tmp_path: Path, artifacts: Path):
    """A page in headless Debian Chromium; on failure, failure.png shows what a user saw."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} missing: apt-get install chromium (.ci/run does)")
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright

    @contextmanager
    def open_page():
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, headless=True,
                args=CHROMIUM_ARGS, viewport={"width": 1400, "height": 1000},
            )
            context.set_default_timeout(60_000)
            page = context.new_page()
            try:
                yield page
            except BaseException:
                page.screenshot(path=artifacts / "failure.png", full_page=True)
                raise
            finally:
                context.close()

    return open_page


def ask(page, question: str, timeout_ms: int):
    """Ask on the Ask page; the first citation chip, or None when the answer has none."""
    page.get_by_role("link", name="Ask").click()
    page.get_by_role("heading", name="Ask the reports").wait_for()
    chat = page.get_by_test_id("stChatInputTextArea")
    chat.fill(question)
    chat.press("Enter")
    chip = page.get_by_role("button", name=CHIP).first
    refusal = page.get_by_text("No answer from the reports")
    problem = page.get_by_text(re.compile("answer model is not available|Could not answer"))
    chip.or_(refusal).or_(problem).first.wait_for(timeout=timeout_ms)
    assert not problem.count(), problem.first.inner_text()
    return chip if chip.is_visible() else None


def open_citation(page, chip, screenshot: Path) -> None:
    chip.click()
    image = page.locator("[data-testid=stImage] img").first
    image.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 500", arg=image.element_handle())
    assert page.get_by_text(re.compile(rf"{re.escape(SAMPLE.name)} · page \d of 4")).first.is_visible()
    image.scroll_into_view_if_needed()
    page.screenshot(path=screenshot, full_page=True)


def test_upload_ask_and_open_the_cited_page(start_app, browser, artifacts):
    url = start_app(REPORT_RAG_APP_GENERATOR="browser_generator:create")
    with browser() as page:
        page.goto(url)
        page.get_by_role("heading", name="Library").wait_for()
        page.screenshot(path=artifacts / "1-empty-library.png", full_page=True)

        page.locator("input[type=file]").set_input_files(str(SAMPLE))
        page.get_by_text("ingested: 4 pages").wait_for(timeout=120_000)
        page.get_by_text("1 of 1 reports").wait_for()
        page.locator("[data-testid=stDataFrame] canvas").first.wait_for()
        page.wait_for_timeout(1500)  # the table grid paints after it is attached
        page.screenshot(path=artifacts / "2-ingested.png", full_page=True)

        chip = ask(page, QUESTION, timeout_ms=120_000)
        assert chip is not None, "the scripted answer is supported by page 1 and must be cited"
        assert page.get_by_text("364.86亿元").first.is_visible()
        page.screenshot(path=artifacts / "3-cited-answer.png", full_page=True)
        open_citation(page, chip, artifacts / "4-cited-page.png")


def real_model_missing(models_dir: Path) -> str | None:
    """Why the real test model cannot answer here, or None when it can."""
    if importlib.util.find_spec("llama_cpp") is None:
        return "llama-cpp-python is not installed"
    settings = Settings.for_tests(models_dir.parent / "probe", llm_gguf=TEST_MODEL, llm_models_dir=models_dir)
    try:
        info = describe_configured(settings)
    except Exception as exc:
        return f"the model cannot be described: {exc}"
    if not (info.get("present") or info.get("parts_installed")):
        return f"{TEST_MODEL} is not installed"
    return None


def test_the_real_model_answers_through_the_ui(start_app, browser, artifacts, tmp_path):
    models_dir = Path(os.environ.get("REPORT_RAG_LLM_MODELS_DIR") or tmp_path / "models")
    missing = real_model_missing(models_dir)
    if missing:
        pytest.skip(f"real-model browser check skipped: {missing}")
    with Library(Settings.for_tests(tmp_path / "home")) as library:  # ingested as by the CLI
        assert ingest_paths(library, [str(SAMPLE)]).ingested
    url = start_app(REPORT_RAG_LLM_BACKEND="llama.cpp", REPORT_RAG_LLM_GGUF=TEST_MODEL,
                    REPORT_RAG_LLM_MODELS_DIR=str(models_dir))
    with browser() as page:
        page.goto(url)
        chip = ask(page, QUESTION, timeout_ms=400_000)
        page.screenshot(path=artifacts / "1-answer.png", full_page=True)
        # Cited or refused is the model's call; either way the UI showed a checked answer.
        if chip is not None:
            open_citation(page, chip, artifacts / "2-cited-page.png")


FOOD_FLASH = ROOT / "sample_reports" / "huajin_food_flash_2024-09-27.pdf"


def test_stock_view_chart_and_a_number_through_to_its_page(start_app, browser, artifacts, tmp_path):
    with Library(Settings.for_tests(tmp_path / "home")) as library:  # two brokers on 贵州茅台
        assert len(ingest_paths(library, [str(SAMPLE), str(FOOD_FLASH)]).ingested) == 2
    url = start_app()
    with browser() as page:
        page.goto(url)
        page.get_by_role("link", name="Stocks").click()
        page.get_by_role("heading", name="Stocks across brokers").wait_for()
        page.get_by_role("heading", name="Latest rating and target by broker").wait_for()
        chart = page.locator(".vega-embed svg").first
        chart.wait_for()
        page.wait_for_function("svg => svg.querySelectorAll('path, circle, symbol').length > 2",
                               arg=chart.element_handle())
        assert "开元证券" in chart.inner_html()  # the broker's series and its legend entry
        assert "Target price by broker" in chart.inner_html()
        page.screenshot(path=artifacts / "1-stock-view.png", full_page=True)

        page.get_by_role("button", name=re.compile(r"开元证券: target 1,880\.00 CNY · p\.1")).click()
        image = page.locator("[data-testid=stImage] img").first
        image.wait_for()
        page.wait_for_function("img => img.complete && img.naturalWidth > 500", arg=image.element_handle())
        assert page.get_by_text(f"{SAMPLE.name} · page 1").first.is_visible()
        image.scroll_into_view_if_needed()
        page.screenshot(path=artifacts / "2-target-evidence-page.png", full_page=True)
