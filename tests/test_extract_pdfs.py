"""Extraction on hand-written PDFs in layouts the rules were not tuned on (tests/extract_cases.py),
through the real path: pdf_factory -> pypdf -> clean -> meta -> extract.

Broker and title come from report_rag.parse.meta and are tested there; here every other field
is compared with the case's facts, and every quote must be verbatim page text.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from extract_cases import CASES, SEED_GOLD, ExtractCase
from pdf_factory import make_text_pdf

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = Path("/work/shared/seed")
META_FIELDS = ("broker", "title")  # read by report_rag.parse.meta, not by these rules

spec = importlib.util.spec_from_file_location("eval_extract", ROOT / "bench" / "eval_extract.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def _run(case: ExtractCase, tmp_path: Path):
    return bench.run_pdf(make_text_pdf(tmp_path / f"{case.name}.pdf", case.pages))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_untuned_layout_fields(case: ExtractCase, tmp_path: Path) -> None:
    pages, facts = _run(case, tmp_path)
    _, notes = bench.evaluate([(case.name, case.gold, pages, facts)])
    misses = [n for n in notes if not any(f": {field} " in n for field in META_FIELDS)]
    assert not misses, "\n".join(misses)
    assert bench.evidence_errors(facts, pages) == []


def _case(name: str) -> ExtractCase:
    return next(c for c in CASES if c.name == name)


def test_picks_across_a_page_break_quote_their_own_page(tmp_path: Path) -> None:
    pages, facts = _run(_case("zh_picks_page_break"), tmp_path)
    by_name = {p.name: p for p in facts.picks}
    assert len(facts.picks) == len(by_name) == 7  # 腾讯控股 is listed twice
    assert by_name["阿里巴巴-SW"].evidence.page == 2 and by_name["快手-W"].evidence.page == 1
    assert by_name["阿里巴巴-SW"].evidence.quote in pages[1].text


def test_two_ratings_and_full_width_text(tmp_path: Path) -> None:
    pages, facts = _run(_case("zh_two_ratings_fullwidth"), tmp_path)
    assert (facts.rating.scope, facts.rating.normalized, facts.rating.action) == ("company", "buy", "initiate")
    assert (facts.industry_rating.scope, facts.industry_rating.normalized) == ("industry", "outperform")
    assert "（" in facts.rating.evidence.quote or "(" in facts.rating.evidence.quote
    assert facts.ticker.value == "002594.SZ"  # printed ００２５９４．ＳＺ


def test_no_rating_report_has_no_rating_and_no_picks(tmp_path: Path) -> None:
    _, facts = _run(_case("zh_no_rating"), tmp_path)
    assert facts.rating is None and facts.industry_rating is None and facts.picks == []
    assert [a.name for a in facts.analysts] == ["钱程"]


def test_rating_definitions_explain_the_english_rating(tmp_path: Path) -> None:
    _, facts = _run(_case("en_rating_box"), tmp_path)
    assert facts.rating.definition is not None
    assert "more than 10%" in facts.rating.definition.definition
    assert facts.rating.previous == "NEUTRAL"


def test_disclaimer_risk_warning_is_not_a_risk(tmp_path: Path) -> None:
    for name in ("zh_ratings_table", "zh_no_rating"):
        _, facts = _run(_case(name), tmp_path)
        assert not any("仅供参考" in r.text or "投资者" in r.text for r in facts.risks), name


@pytest.mark.skipif(not any(SEED_DIR.glob("*.txt")), reason="no shared seed report text here")
def test_real_seed_report_text() -> None:
    reports = bench.seed_reports()
    counts, notes = bench.evaluate(reports)
    assert not notes, "\n".join(notes)
    assert SEED_GOLD["picks"]
