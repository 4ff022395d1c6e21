"""Extraction accuracy: parse -> clean -> extract every sample report and compare each field
with sample_reports/gold.json.

Per field, items are compared as sets (a scalar is a set of one): precision = right /
extracted, recall = right / gold. Values are compared after NFKC, case folding and removing
whitespace and punctuation (a title wrapped with a soft hyphen is the same title). Two rules:

* a gold value the report's text does not contain at all (gold.json knows the sector of
  a report that never prints it) cannot be extracted without guessing: it is left out of
  recall and listed under "not in text";
* `previous_rating` is scored only where gold gives one (gold leaves it out of reports
  that print a 上次评级 without a rating change).

Every extracted value's evidence quote is also checked to be verbatim text of its page.

    python bench/eval_extract.py            # the sample reports
    python bench/eval_extract.py --extra    # the hand-written untuned layouts (tests/extract_cases.py)
    python bench/eval_extract.py --seed     # the real seed report text (/work/shared/seed), if present

Prints a table and one JSON line: {"bench": "eval_extract", "fields": {field: {"p", "r"}},
"micro_precision", "micro_recall", ...}.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from report_rag.extract.evidence import fold
from report_rag.extract.facts import extract_facts
from report_rag.extract.ratings import read_rating_value
from report_rag.parse.clean import clean_pages
from report_rag.parse.meta import read_meta
from report_rag.parse.pdf import PypdfParser
from report_rag.types import (
    Page,
    ReportFacts,
)

SAMPLES = ROOT / "sample_reports"
SEED_DIR = Path("/work/shared/seed")
FIELDS = (
    "broker", "date", "title", "report_type", "sector", "company", "ticker",
    "rating.raw", "rating.normalized", "rating.action", "rating.grade", "industry_rating", "previous_rating",
    "target_price", "current_price", "picks", "picks.code", "picks.rating",
    "analysts", "analysts.sac", "analysts.email", "contacts", "risks", "related_reports", "performance",
)
SCALARS = ("broker", "date", "title", "report_type", "sector", "company", "ticker")


def norm(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value)).lower()
    return re.sub(r"[\s\W_]+", "", text)


def _term(raw: str | None) -> str | None:
    if not raw:
        return None
    reading = read_rating_value(fold(raw))
    return reading.term if reading else raw


def _price(price: dict | None) -> set:
    return set() if not price else {(round(float(price["value"]), 2), price.get("currency"))}


def gold_view(gold: dict) -> dict[str, set]:
    view: dict[str, set] = {name: {norm(gold[name])} if gold.get(name) else set() for name in SCALARS}
    rating = gold.get("rating") or {}
    for part in ("raw", "normalized", "action", "grade"):
        view[f"rating.{part}"] = {norm(rating[part])} if rating.get(part) else set()
    view["industry_rating"] = {norm(gold["industry_rating"])} if gold.get("industry_rating") else set()
    view["previous_rating"] = {norm(gold["previous_rating"])} if gold.get("previous_rating") else set()
    view["target_price"] = _price(gold.get("target_price"))
    view["current_price"] = _price(gold.get("current_price"))
    picks = gold.get("picks") or []
    view["picks"] = {norm(p["name"]) for p in picks}
    view["picks.code"] = {(norm(p["name"]), norm(p["code"])) for p in picks if p.get("code")}
    view["picks.rating"] = {(norm(p["name"]), norm(p["rating"])) for p in picks if p.get("rating")}
    analysts = gold.get("analysts") or []
    view["analysts"] = {norm(a["name"]) for a in analysts}
    view["analysts.sac"] = {(norm(a["name"]), a["sac"]) for a in analysts if a.get("sac")}
    view["analysts.email"] = {(norm(a["name"]), a["email"].lower()) for a in analysts if a.get("email")}
    view["contacts"] = {norm(c) for c in gold.get("contacts") or []}
    view["risks"] = {norm(r) for r in gold.get("risks") or []}
    view["related_reports"] = {(norm(r["title"]), r.get("date")) for r in gold.get("related_reports") or []}
    perf = gold.get("performance")
    view["performance"] = {(tuple(perf.get("relative") or ()), tuple(perf.get("absolute") or ()))} if perf else set()
    return view


def facts_view(facts: ReportFacts) -> dict[str, set]:
    view: dict[str, set] = {}
    for name in SCALARS:
        item = getattr(facts, name)
        value = item.value.isoformat() if name == "date" and item else (item.value if item else None)
        view[name] = {norm(value)} if value else set()
    rating = facts.rating
    for part in ("raw", "normalized", "action", "grade"):
        value = getattr(rating, part) if rating else None
        view[f"rating.{part}"] = {norm(value)} if value else set()
    industry = facts.industry_rating
    view["industry_rating"] = {norm(_term(industry.raw))} if industry else set()
    view["previous_rating"] = {norm(rating.previous)} if rating and rating.previous else set()
    for name in ("target_price", "current_price"):
        price = getattr(facts, name)
        view[name] = {(round(price.value, 2), price.currency)} if price else set()
    view["picks"] = {norm(p.name) for p in facts.picks}
    view["picks.code"] = {(norm(p.name), norm(p.code)) for p in facts.picks if p.code}
    view["picks.rating"] = {(norm(p.name), norm(p.rating)) for p in facts.picks if p.rating}
    analysts = facts.signing_analysts
    view["analysts"] = {norm(a.name) for a in analysts}
    view["analysts.sac"] = {(norm(a.name), a.sac) for a in analysts if a.sac}
    view["analysts.email"] = {(norm(a.name), a.email.lower()) for a in analysts if a.email}
    view["contacts"] = {norm(a.name) for a in facts.contacts}
    view["risks"] = {norm(r.text) for r in facts.risks}
    view["related_reports"] = {(norm(r.title), r.date.isoformat() if r.date else None) for r in facts.related_reports}
    perf = facts.performance
    view["performance"] = {(tuple(perf.relative or ()), tuple(perf.absolute or ()))} if perf else set()
    return view


def evidence_errors(facts: ReportFacts, pages: list[Page]) -> list[str]:
    texts = {page.number: page.text for page in pages}
    return [
        f"{path}: page {ev.page} quote {ev.quote!r} not verbatim"
        for path, ev in facts.evidences()
        if not ev.quote or ev.quote not in texts.get(ev.page, "")
    ]


def score_report(name: str, gold: dict, facts: ReportFacts, pages: list[Page], counts: dict, notes: list[str]) -> None:
    expected, got = gold_view(gold), facts_view(facts)
    text = norm("".join(page.text for page in pages))
    for field in FIELDS:
        if field == "previous_rating" and not expected[field]:
            continue
        gold_items = expected[field]
        if field in SCALARS and field != "date" and gold_items and not all(item in text for item in gold_items):
            notes.append(f"{name}: {field}={gold[field]!r} is not in the report's text (left out)")
            gold_items = set()
            if not got[field]:
                continue
        right = len(gold_items & got[field])
        counts[field]["tp"] += right
        counts[field]["fp"] += len(got[field] - gold_items)
        counts[field]["fn"] += len(gold_items - got[field])
        for item in sorted(map(str, got[field] - gold_items)):
            notes.append(f"{name}: {field} extra {item}")
        for item in sorted(map(str, gold_items - got[field])):
            notes.append(f"{name}: {field} missed {item}")
    for error in evidence_errors(facts, pages):
        notes.append(f"{name}: EVIDENCE {error}")
        counts["_evidence"]["fp"] += 1


def run_pdf(path: Path) -> tuple[list[Page], ReportFacts]:
    parsed = PypdfParser(max_pages=1000).parse(path)
    pages = clean_pages(parsed.raw_pages)
    return pages, extract_facts(pages, read_meta(pages, parsed.metadata_title, parsed.first_page_runs))


def sample_reports() -> list[tuple[str, dict, list[Page], ReportFacts]]:
    gold = json.loads((SAMPLES / "gold.json").read_text(encoding="utf-8"))
    return [(entry["file"], entry, *run_pdf(SAMPLES / entry["file"])) for entry in gold]


def extra_reports() -> list[tuple[str, dict, list[Page], ReportFacts]]:
    from extract_cases import CASES
    from pdf_factory import make_text_pdf

    out = []
    with tempfile.TemporaryDirectory() as folder:
        for case in CASES:
            path = make_text_pdf(Path(folder) / f"{case.name}.pdf", case.pages)
            out.append((case.name, case.gold, *run_pdf(path)))
    return out


def seed_reports() -> list[tuple[str, dict, list[Page], ReportFacts]]:
    from extract_cases import SEED_GOLD

    out = []
    for path in sorted(SEED_DIR.glob("*.txt")):
        pages = clean_pages([path.read_text(encoding="utf-8")])
        out.append((path.name, SEED_GOLD, pages, extract_facts(pages)))
    return out


def evaluate(reports) -> tuple[dict, list[str]]:
    counts: dict = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
    notes: list[str] = []
    for name, gold, pages, facts in reports:
        score_report(name, gold, facts, pages, counts, notes)
    return counts, notes


def summary(counts: dict, bench_set: str, reports: int) -> dict:
    fields = {}
    total = {"tp": 0, "fp": 0, "fn": 0}
    for field in FIELDS:
        c = counts[field]
        for key in total:
            total[key] += c[key]
        fields[field] = {
            "p": round(c["tp"] / (c["tp"] + c["fp"]), 4) if c["tp"] + c["fp"] else 1.0,
            "r": round(c["tp"] / (c["tp"] + c["fn"]), 4) if c["tp"] + c["fn"] else 1.0,
            "tp": c["tp"], "fp": c["fp"], "fn": c["fn"],
        }
    return {
        "bench": "eval_extract",
        "set": bench_set,
        "reports": reports,
        "fields": fields,
        "micro_precision": round(total["tp"] / (total["tp"] + total["fp"]), 4) if total["tp"] + total["fp"] else 1.0,
        "micro_recall": round(total["tp"] / (total["tp"] + total["fn"]), 4) if total["tp"] + total["fn"] else 1.0,
        "evidence_not_verbatim": counts["_evidence"]["fp"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--extra", action="store_true", help="score the hand-written untuned layouts")
    parser.add_argument("--seed", action="store_true", help="score the real seed report text")
    parser.add_argument("--quiet", action="store_true", help="only the JSON line")
    args = parser.parse_args()
    bench_set = "extra" if args.extra else "seed" if args.seed else "samples"
    reports = extra_reports() if args.extra else seed_reports() if args.seed else sample_reports()
    counts, notes = evaluate(reports)
    result = summary(counts, bench_set, len(reports))
    if not args.quiet:
        print(f"{'field':<20}{'precision':>10}{'recall':>9}{'tp':>6}{'fp':>5}{'fn':>5}")
        for field, row in result["fields"].items():
            print(f"{field:<20}{row['p']:>10.3f}{row['r']:>9.3f}{row['tp']:>6}{row['fp']:>5}{row['fn']:>5}")
        print(f"{'micro':<20}{result['micro_precision']:>10.3f}{result['micro_recall']:>9.3f}")
        print(f"evidence quotes not verbatim: {result['evidence_not_verbatim']}")
        for note in notes:
            print("  " + note)
    print(json.dumps(result, ensure_ascii=False, sort_keys=True))


if __name__ == "__main__":
    main()
