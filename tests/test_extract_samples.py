"""Extraction on the committed sample reports against sample_reports/gold.json: every field,
every value's evidence verbatim on its page, deterministic output.

Scoring is bench/eval_extract.py's (the same rules the benchmark reports).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from report_rag.types import ReportFacts

ROOT = Path(__file__).resolve().parent.parent
GOLD: list[dict] = json.loads((ROOT / "sample_reports" / "gold.json").read_text(encoding="utf-8"))


def _load_bench():
    spec = importlib.util.spec_from_file_location("eval_extract", ROOT / "bench" / "eval_extract.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _load_bench()


@pytest.fixture(scope="module")
def extracted() -> dict[str, tuple]:
    return {entry["file"]: bench.run_pdf(ROOT / "sample_reports" / entry["file"]) for entry in GOLD}


@pytest.mark.parametrize("entry", GOLD, ids=[e["file"] for e in GOLD])
def test_every_field_matches_gold(entry: dict, extracted: dict) -> None:
    pages, facts = extracted[entry["file"]]
    counts, notes = bench.evaluate([(entry["file"], entry, pages, facts)])
    misses = [n for n in notes if "not in the report's text" not in n]
    assert not misses, "\n".join(misses)


@pytest.mark.parametrize("entry", GOLD, ids=[e["file"] for e in GOLD])
def test_every_evidence_quote_is_verbatim_page_text(entry: dict, extracted: dict) -> None:
    pages, facts = extracted[entry["file"]]
    paths = [path for path, _ in facts.evidences()]
    assert paths, "nothing extracted"
    assert bench.evidence_errors(facts, pages) == []


@pytest.mark.parametrize("entry", GOLD, ids=[e["file"] for e in GOLD])
def test_values_are_read_off_their_quotes(entry: dict, extracted: dict) -> None:
    _, facts = extracted[entry["file"]]
    squash = bench.norm
    for pick in facts.picks:
        assert squash(pick.name) in squash(pick.evidence.quote)
        if pick.code:
            assert squash(pick.code) in squash(pick.evidence.quote)
    for person in facts.analysts:
        assert squash(person.name) in squash(person.evidence.quote)
        for value in (person.sac, person.email):
            if value:
                assert squash(value) in squash(person.evidence.quote)
    for risk in facts.risks:
        assert squash(risk.text) == squash(risk.evidence.quote)
    if facts.rating:
        assert squash(facts.rating.raw) == squash(facts.rating.evidence.quote)


def test_gold_values_missing_from_the_text_stay_empty(extracted: dict) -> None:
    """gold.json knows sectors and English report types the PDFs never print: extraction
    must leave those empty rather than guess."""
    absent = 0
    for entry in GOLD:
        pages, facts = extracted[entry["file"]]
        text = bench.norm("".join(p.text for p in pages))
        for field in ("sector", "report_type"):
            if entry[field] and bench.norm(entry[field]) not in text:
                absent += 1
                assert getattr(facts, field) is None, (entry["file"], field)
    assert absent >= 2


def test_benchmark_scores_full_marks_on_the_samples(extracted: dict) -> None:
    reports = [(e["file"], e, *extracted[e["file"]]) for e in GOLD]
    counts, _ = bench.evaluate(reports)
    result = bench.summary(counts, "samples", len(reports))
    assert result["micro_precision"] == 1.0 and result["micro_recall"] == 1.0, result
    assert result["evidence_not_verbatim"] == 0


def test_extraction_is_deterministic_and_round_trips_json(extracted: dict) -> None:
    from report_rag.extract.facts import extract_facts

    for name, (pages, facts) in extracted.items():
        assert extract_facts(pages) == extract_facts(pages), name
        assert ReportFacts.from_json(json.loads(json.dumps(facts.to_json()))) == facts, name
