"""The committed sample report PDFs agree with their ground truth in sample_reports/gold.json.

These read only committed files (no fonts needed); regenerate them with
`python sample_reports/make_samples.py`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

SAMPLES = Path(__file__).resolve().parent.parent / "sample_reports"
GOLD: list[dict] = json.loads((SAMPLES / "gold.json").read_text(encoding="utf-8"))
IDS = [entry["file"] for entry in GOLD]


def _squash(text: str) -> str:
    """Extraction inserts line breaks and stray spaces; compare without whitespace."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def page_texts() -> dict[str, list[str]]:
    return {e["file"]: [page.extract_text() or "" for page in PdfReader(SAMPLES / e["file"]).pages] for e in GOLD}


def test_gold_lists_every_committed_pdf_and_both_languages() -> None:
    files = [e["file"] for e in GOLD]
    assert len(files) == len(set(files))
    assert sorted(files) == sorted(p.name for p in SAMPLES.glob("*.pdf"))
    assert all(f.isascii() for f in files)
    languages = [e["language"] for e in GOLD]
    assert languages.count("zh") >= 8 and languages.count("en") >= 2


@pytest.mark.parametrize("entry", GOLD, ids=IDS)
def test_pdf_opens_with_expected_page_count(entry: dict) -> None:
    path = SAMPLES / entry["file"]
    assert path.exists()
    assert path.stat().st_size < 300 * 1024
    reader = PdfReader(path)
    assert len(reader.pages) >= 2
    assert len(reader.pages) == entry["pages"]


@pytest.mark.parametrize("entry", GOLD, ids=IDS)
def test_text_layer_carries_analysts_and_broker(entry: dict, page_texts: dict[str, list[str]]) -> None:
    text = "\n".join(page_texts[entry["file"]])
    assert _squash(entry["broker"]) in _squash(text)
    for analyst in entry["analysts"]:
        if analyst["sac"]:
            assert re.fullmatch(r"S\d{13}", analyst["sac"])
            assert analyst["sac"] in text
        assert analyst["email"] in text
    if entry["language"] == "zh":
        assert "投资评级" in text or "评级" in text
        assert entry["rating"]["raw"] in _squash(text)


@pytest.mark.parametrize("entry", GOLD, ids=IDS)
def test_qa_answers_are_on_their_gold_page(entry: dict, page_texts: dict[str, list[str]]) -> None:
    pages = page_texts[entry["file"]]
    assert entry["qa"]
    for qa in entry["qa"]:
        assert _squash(qa["answer_substring"]) in _squash(pages[qa["page"] - 1]), qa["question"]


@pytest.mark.parametrize("entry", GOLD, ids=IDS)
def test_running_footer_and_page_numbers_on_every_page(entry: dict, page_texts: dict[str, list[str]]) -> None:
    pages = page_texts[entry["file"]]
    numbers = entry["running_text"]["page_numbers"]
    assert len(numbers) == len(pages)
    for text, number in zip(pages, numbers):
        for line in entry["running_text"]["footer"]:
            assert _squash(line) in _squash(text)
        assert _squash(number) in _squash(text)


@pytest.mark.parametrize("entry", GOLD, ids=IDS)
def test_headings_and_boilerplate_pages(entry: dict, page_texts: dict[str, list[str]]) -> None:
    pages = page_texts[entry["file"]]
    for number, headings in entry["headings"].items():
        for heading in headings:
            assert _squash(heading) in _squash(pages[int(number) - 1])
    assert entry["boilerplate_pages"], "every sample ends with disclaimers"
    last = _squash(pages[entry["boilerplate_pages"][-1] - 1])
    markers = ("免责声明", "特别声明") if entry["language"] == "zh" else ("Disclaimer",)
    assert any(m in last for m in markers)


def test_vertical_text_and_hyphenation_are_present(page_texts: dict[str, list[str]]) -> None:
    vertical = [e for e in GOLD if e["vertical_text"]]
    assert vertical
    for entry in vertical:
        lines = [ln.strip() for ln in page_texts[entry["file"]][0].splitlines()]
        glyphs = list(entry["vertical_text"])
        assert any(lines[k:k + len(glyphs)] == glyphs for k in range(len(lines)))
    broken = [(e, h) for e in GOLD for h in e["hyphenated"] if h["soft"]]
    assert broken
    for entry, item in broken:
        text = page_texts[entry["file"]][item["page"] - 1]
        head, tail = item["printed"].split("\n")
        assert re.search(re.escape(head) + r"\s*\n\s*" + re.escape(tail), text), item
