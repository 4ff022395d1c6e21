"""Extraction (and optionally cited Q&A) on the real-report development corpus.

    python bench/real/rebuild.py                 # once: the PDFs from local mirrors
    python bench/real/eval_real.py               # fields: right / wrong / missing per field
    python bench/real/eval_real.py --show title  # every miss of one field, gold beside ours
    python bench/real/eval_real.py --qa [--limit N]   # cited Q&A with the configured model (slow)
    python bench/real/eval_real.py --stocks      # also: are reports on one stock joined in one view?
    python bench/real/eval_real.py --no-ocr      # as without the ocr extra (scans are not scored)

Each field of each report is one of:
* right   — the report prints it and we extracted that value;
* wrong   — we extracted a value the report does not print (another value, or one where the
            report prints none: a guessed date is wrong, not "extra");
* missing — the report prints it and we left it empty (better than wrong).
List fields (picks, analysts, SAC numbers) count each item. right% = right / printed,
wrong% = wrong / (printed + extracted-without-gold). Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from report_rag.extract import extract_facts, metric_of
from report_rag.parse import PypdfParser, clean_pages, read_meta
from report_rag.parse.ocr import available_recognizer, load_recognizer
from report_rag.text import canonical_code, normalize_code
from report_rag.types import ReportFacts

FIELDS = (
    "title", "broker", "date", "company", "ticker", "rating.raw", "rating.normalized", "rating.action",
    "target_price", "picks", "picks.code", "picks.rating", "analysts", "analysts.sac", "forecast",
)

LIST_FIELDS = ("picks", "analysts")

# As ingest reads them: with OCR when the ocr extra is installed (REPORT_RAG_OCR=auto).
OCR: str | None = available_recognizer("auto")


def readable(gold: dict) -> bool:
    """Image-only PDFs (`text_layer: false`) are scored only when OCR can read them."""
    return gold.get("text_layer") is not False or OCR is not None


def norm(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value)).lower()
    return re.sub(r"[\s\W_]+", "", text)


_LEGAL_FORM = re.compile(r"(?:[\s,]+(?:inc|ltd|limited|corp|corporation|co|plc|holdings?|sa|ag|nv|se)\.?)+$", re.I)


def company_key(name: str) -> str:
    """A stock's name for matching: "JFrog Ltd" and "JFrog", "CrowdStrike Holdings, Inc." and
    "Crowdstrike" are one company (prose names the short form, tables the legal one)."""
    return norm(_LEGAL_FORM.sub("", unicodedata.normalize("NFKC", name).strip())) or norm(name)


def load_gold(path: Path = HERE / "gold.jsonl") -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


_COMPANY_PREFIX = re.compile(r"^[^（(：:]{2,30}[（(][^）)]{2,30}[）)]\s*[：:]?\s*")


def title_forms(title: str) -> list[str]:
    """The headline as printed, and the same without a subtitle after a dash or without a
    leading "公司（代码）：": brokers print both, and readers take either for the title."""
    forms = {title, _COMPANY_PREFIX.sub("", title)}
    for form in list(forms):
        head = re.split(r"——|—|--", form)[0]
        if len(norm(head)) >= 4:
            forms.add(head)
    return sorted(forms)


_ACTION_WORDS = re.compile(r"维持|首次|上调|下调|调高|调低|评级|覆盖|maintain(?:ed)?|initiat\w*|upgrad\w*|downgrad\w*|reiterat\w*", re.I)


def same_rating_term(ours: str, gold: str) -> bool:
    """The printed rating term; the action printed beside it ("买入（维持）") is rating.action's."""
    if norm(ours) == norm(gold):
        return True
    rest = norm(gold)[len(norm(ours)) :] if norm(gold).startswith(norm(ours)) else None
    return rest is not None and norm(_ACTION_WORDS.sub("", rest)) == ""


def code_key(code: str | None) -> str | None:
    if not code:
        return None
    code = unicodedata.normalize("NFKC", code).strip()
    return canonical_code(normalize_code(code) or code)


def same_code(ours: str, gold: str) -> bool:
    """Equal listings; a bare US symbol ("SPOT", as a note's header prints it) is the symbol
    of "SPOT US" / "SPOT.O"."""
    if ours == gold:
        return True
    root = lambda c: re.split(r"[ .]", c)[0]  # noqa: E731
    bare = lambda c: re.fullmatch(r"[A-Z]{1,5}", c) is not None  # noqa: E731
    return (bare(ours) or bare(gold)) and root(ours) == root(gold)


def _headline_ratings(gold: dict) -> list[dict]:
    ratings = gold.get("ratings") or []
    company = [r for r in ratings if r.get("scope") != "industry"]
    return company if gold.get("kind") == "company" and company else ratings


def score_scalar(counts: dict, field: str, gold_values: list, ours, same) -> tuple[str, object, object]:
    """Count one scalar field; `gold_values` are the acceptable values (empty: not printed)."""
    if not gold_values:
        outcome = "invented" if ours is not None else "absent"
    elif ours is None:
        outcome = "missing"
    else:
        outcome = "right" if any(same(ours, g) for g in gold_values) else "wrong"
    counts[field][outcome] += 1
    return outcome, gold_values, ours


def score_items(counts: dict, field: str, gold_items: set, ours: set) -> tuple[str, object, object]:
    right = len(gold_items & ours)
    counts[field]["right"] += right
    counts[field]["wrong"] += len(ours - gold_items)
    counts[field]["missing"] += len(gold_items - ours)
    outcome = "right" if gold_items == ours else ("wrong" if ours - gold_items else "missing")
    if not gold_items and not ours:
        outcome = "absent"
    return outcome, sorted(gold_items), sorted(ours)


def score_report(gold: dict, facts: ReportFacts, counts: dict) -> dict[str, tuple]:
    out: dict[str, tuple] = {}
    same_text = lambda a, b: norm(a) == norm(b)  # noqa: E731
    out["title"] = score_scalar(counts, "title", title_forms(gold["title"]) if gold.get("title") else [],
                                facts.title.value if facts.title else None, same_text)
    brokers = [b for b in (gold.get("broker"), gold.get("broker_full")) if b]
    out["broker"] = score_scalar(counts, "broker", brokers, facts.broker.value if facts.broker else None, same_text)
    out["date"] = score_scalar(counts, "date", [gold["date"]] if gold.get("date") else [],
                               facts.date.value.isoformat() if facts.date else None, lambda a, b: a == b)
    out["company"] = score_scalar(counts, "company", [gold["company"]] if gold.get("company") else [],
                                  facts.company.value if facts.company else None, same_text)
    tickers = [code_key(t) for t in [gold.get("ticker"), *(gold.get("tickers") or [])] if t]
    out["ticker"] = score_scalar(counts, "ticker", tickers, code_key(facts.ticker.value) if facts.ticker else None,
                                 same_code)
    ratings = _headline_ratings(gold)
    rating = facts.rating
    for part in ("raw", "normalized", "action"):
        values = [r[part] for r in ratings if r.get(part)]
        ours = getattr(rating, part) if rating is not None else None
        if part == "action" and not values and ours is not None and ratings:
            values = []  # the report prints a rating without an action: any action is wrong
        same = same_rating_term if part == "raw" else same_text
        out[f"rating.{part}"] = score_scalar(counts, f"rating.{part}", values, ours or None, same)
    targets = gold.get("target_prices") or []
    price = facts.target_price
    out["target_price"] = score_scalar(
        counts, "target_price", targets, (price.value, price.currency) if price else None,
        lambda ours, g: abs(ours[0] - float(g["value"])) <= 0.005 * float(g["value"])
        and (not ours[1] or not g.get("currency") or ours[1] == g["currency"]),
    )
    gold_picks = gold.get("picks") or []
    key = company_key
    out["picks"] = score_items(counts, "picks", {key(p["name"]) for p in gold_picks}, {key(p.name) for p in facts.picks})
    out["picks.code"] = score_items(counts, "picks.code", {(key(p["name"]), code_key(p["code"])) for p in gold_picks if p.get("code")},
                                    {(key(p.name), code_key(p.code)) for p in facts.picks if p.code})
    out["picks.rating"] = score_items(counts, "picks.rating", {(key(p["name"]), norm(p["rating"])) for p in gold_picks if p.get("rating")},
                                      {(key(p.name), norm(p.rating)) for p in facts.picks if p.rating})
    gold_analysts = gold.get("analysts") or []
    # Signing analysts; a contact (联系人, research associate) counts where the gold lists one —
    # readers differ on whether contacts are authors, and we keep the role apart.
    gold_names = {norm(a["name"]) for a in gold_analysts}
    ours_analysts = [a for a in facts.analysts if a.role == "analyst" or norm(a.name) in gold_names]
    out["analysts"] = score_items(counts, "analysts", {norm(a["name"]) for a in gold_analysts}, {norm(a.name) for a in ours_analysts})
    out["analysts.sac"] = score_items(counts, "analysts.sac", {a["sac"].upper() for a in gold_analysts if a.get("sac")},
                                      {a.sac.upper() for a in ours_analysts if a.sac})
    out["forecast"] = score_forecast(counts, gold, facts)
    return out


def score_forecast(counts: dict, gold: dict, facts: ReportFacts) -> tuple[str, object, object]:
    """Each printed cell of the gold rows (label x period) is right, wrong or missing. Our row
    is the one with the same label (with or without its unit), else — labels are written
    differently by readers ("Revenue ($M, FY)") — the only row on the page measuring the same
    metric."""
    table = gold.get("forecast")
    if not table:
        return "absent", None, None
    by_label: dict[tuple[str, str], object] = {}
    by_metric: dict[tuple[str | None, str], dict[str, object]] = defaultdict(dict)
    for cell in facts.forecasts:
        for label in {cell.label, f"{cell.label}({cell.unit})" if cell.unit else cell.label}:
            by_label.setdefault((norm(label), norm(cell.period)), cell)
        if cell.evidence.page == table.get("page") and cell.metric:
            by_metric[(cell.metric, norm(cell.period))].setdefault(norm(cell.label), cell)
    outcome = {"right": 0, "wrong": 0, "missing": 0}
    misses: list[str] = []
    for label, values in table["rows"].items():
        for period, value in zip(table["years"], values):
            if value is None:
                continue
            cell = by_label.get((norm(label), norm(period)))
            if cell is None:
                same_metric = by_metric.get((metric_of(label), norm(period)), {})
                cell = next(iter(same_metric.values())) if len(same_metric) == 1 else None
            if cell is None:
                result = "missing"
            else:
                result = "right" if abs(cell.value - value) <= max(0.005 * abs(value), 0.006) else "wrong"
            outcome[result] += 1
            if result != "right":
                misses.append(f"{label} {period}: {value} vs {None if cell is None else cell.value}")
    for key, number in outcome.items():
        counts["forecast"][key] += number
    overall = "wrong" if outcome["wrong"] else ("missing" if outcome["missing"] else "right")
    return overall, misses, f"{outcome['right']} right"


def extract(path: Path) -> ReportFacts:
    parsed = PypdfParser(max_pages=1000, ocr=load_recognizer(OCR) if OCR else None).parse(path)
    pages = clean_pages(parsed.raw_pages)
    return extract_facts(pages, read_meta(pages, parsed.metadata_title, parsed.first_page_runs))


def evaluate_fields(pdf_dir: Path, golds: list[dict], show: str | None) -> dict:
    counts: dict = defaultdict(lambda: defaultdict(int))
    started = time.perf_counter()
    failed: list[str] = []
    for gold in golds:
        if not readable(gold):  # image-only or glyph-only PDFs: an OCR case
            failed.append(f"{gold['file']}: no usable text layer (not scored)")
            continue
        path = pdf_dir / gold["file"]
        try:
            facts = extract(path)
        except Exception as exc:  # a PDF we cannot read counts as all-missing, and is listed
            failed.append(f"{gold['file']}: {type(exc).__name__}: {exc}")
            facts = ReportFacts()
        outcomes = score_report(gold, facts, counts)
        if show and show in outcomes and outcomes[show][0] in ("wrong", "missing", "invented"):
            outcome, want, got = outcomes[show]
            print(f"{outcome:8} {gold['file']}\n         gold: {want}\n         ours: {got}")
    rows = {}
    for field in FIELDS:
        c = counts[field]
        if field.split(".")[0] in LIST_FIELDS:
            # a wrong item is an extra one; each printed item is right or missing
            printed, wrong = c["right"] + c["missing"], c["wrong"]
        else:
            # a wrong value took the place of the printed one; an invented one stands where none is printed
            printed, wrong = c["right"] + c["missing"] + c["wrong"], c["wrong"] + c["invented"]
        scored = printed + (wrong if field.split(".")[0] in LIST_FIELDS else c["invented"])
        rows[field] = {
            "right": c["right"], "wrong": wrong, "missing": c["missing"],
            "right_pct": round(100 * c["right"] / printed, 1) if printed else None,
            "wrong_pct": round(100 * wrong / scored, 1) if scored else 0.0,
        }
    # "all" is over the report fields; the forecast cells (hundreds, from a few tables) are
    # their own line so they do not drown the fields.
    report_fields = [r for name, r in rows.items() if name != "forecast"]
    total_right = sum(r["right"] for r in report_fields)
    total_wrong = sum(r["wrong"] for r in report_fields)
    total_missing = sum(r["missing"] for r in report_fields)
    total = total_right + total_wrong + total_missing
    return {"fields": rows, "right_pct": round(100 * total_right / total, 1) if total else None,
            "wrong_pct": round(100 * total_wrong / total, 1) if total else None,
            "missing_pct": round(100 * total_missing / total, 1) if total else None,
            "reports": sum(readable(g) for g in golds), "ocr": OCR, "unreadable": failed, "seconds": round(time.perf_counter() - started, 1)}


def evaluate_qa(pdf_dir: Path, golds: list[dict], limit: int | None, home: Path | None = None,
                kinds: set[str] | None = None) -> dict:
    """Cited Q&A over the whole corpus with the configured generator (REPORT_RAG_LLM_*).

    `home`: keep the library there and reuse it next time (ingest skips what is in);
    `kinds`: ask only questions of these kinds (fact, cross_lingual, multi_report, unanswerable)."""
    from report_rag.answer import ask
    from report_rag.llm import create_generator
    from report_rag.pipeline import ingest_paths
    from report_rag.settings import Settings
    from report_rag.store import Library

    questions = [(g, q) for g in golds for q in g.get("qa", [])]
    if limit and limit < len(questions):  # evenly spaced, so every part of the corpus is asked
        step = len(questions) / limit
        questions = [questions[int(i * step)] for i in range(limit)]
    # Picked before dropping what cannot be read, so runs with and without OCR ask the same.
    questions = [(g, q) for g, q in questions if readable(g)]
    if kinds:
        questions = [(g, q) for g, q in questions if q["kind"] in kinds]
    counts: dict[str, int] = defaultdict(int)
    details: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_variables(home=home or Path(tmp), ocr=OCR or "off")
        with Library(settings) as library:
            ingest_paths(library, [str(pdf_dir / g["file"]) for g in golds])
            pages = {}
            for report in library.reports():
                pages[report.id] = {p.number: p.text for p in library.store.pages(report.id)}
            generator = create_generator(settings)
            for gold, q in questions:
                answer = ask(library, generator, q["question"])
                unanswerable = q["kind"] == "unanswerable"
                details.append({"file": gold["file"], "kind": q["kind"], "question": q["question"],
                                "must_contain": q.get("must_contain", []), "refused": answer.refused,
                                "answer": answer.answer, "cited": sorted({(c.file, c.page) for c in answer.citations}),
                                "seconds": round(answer.timings.get("total_s", 0.0), 1)})
                if unanswerable:
                    counts["unanswerable"] += 1
                    counts["refused_right"] += answer.refused
                else:
                    counts["answerable"] += 1
                    flat = norm(answer.answer)
                    right = not answer.refused and all(norm(m) in flat for m in q.get("must_contain", []))
                    counts["right"] += right
                    counts["false_refusals"] += answer.refused
                for citation in answer.citations:
                    counts["citations"] += 1
                    text = pages.get(citation.report_id, {}).get(citation.page, "")
                    counts["citations_verifiable"] += citation.quote in text
    (HERE / "qa_last_run.json").write_text(json.dumps(details, ensure_ascii=False, indent=1), encoding="utf-8")
    return {
        "questions": len(questions),
        "right_pct": round(100 * counts["right"] / counts["answerable"], 1) if counts["answerable"] else None,
        "false_refusal_pct": round(100 * counts["false_refusals"] / counts["answerable"], 1) if counts["answerable"] else None,
        "unanswerable_refused_pct": round(100 * counts["refused_right"] / counts["unanswerable"], 1) if counts["unanswerable"] else None,
        "citations_verifiable_pct": round(100 * counts["citations_verifiable"] / counts["citations"], 1) if counts["citations"] else None,
    }


def evaluate_stock_joins(pdf_dir: Path, golds: list[dict]) -> dict:
    """For every listing the gold gives two or more reports (a company note's ticker, an
    industry note's pick codes): does one security hold all of them? And does any security
    hold two gold listings of one market (a wrong merge)?"""
    from report_rag.store.securities import SecurityDirectory, listing_key, market_of, mentions_of

    mentions = []
    expected: dict[str, set[int]] = defaultdict(set)
    for index, gold in enumerate(golds):
        if not readable(gold):
            continue
        try:
            mentions.extend(mentions_of(index, extract(pdf_dir / gold["file"])))
        except Exception:
            continue
        codes = [gold.get("ticker")] + [p.get("code") for p in gold.get("picks") or []]
        for code in codes:
            if code:
                expected[listing_key(code)].add(index)
    directory = SecurityDirectory(mentions)
    shared = {code: reports for code, reports in expected.items() if len(reports) >= 2}
    joined, split = 0, []
    for code, reports in sorted(shared.items()):
        security = directory.of(None, code)
        held = set(security.reports) if security else set()
        if reports <= held:
            joined += 1
        else:
            split.append(f"{code}: gold {sorted(golds[i]['file'] for i in reports - held)} not joined")
    gold_listings = set(expected)
    merged = [s.label for s in directory.securities
              if len({market_of(c) for c in s.codes if c in gold_listings})
              < len([c for c in s.codes if c in gold_listings])]
    return {"stocks_in_2plus_reports": len(shared), "joined": joined, "split": split, "wrong_merges": merged,
            "securities": len(directory.securities),
            "joined_pct": round(100 * joined / len(shared), 1) if shared else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pdfs", type=Path, default=HERE / "pdfs")
    parser.add_argument("--show", choices=FIELDS, help="print every wrong/missing value of one field")
    parser.add_argument("--qa", action="store_true", help="also run cited Q&A with the configured model (slow)")
    parser.add_argument("--limit", type=int, help="at most this many questions (with --qa)")
    parser.add_argument("--stocks", action="store_true", help="also check the stock joins across reports")
    parser.add_argument("--home", type=Path, help="with --qa: keep (and reuse) the library in this folder")
    parser.add_argument("--kinds", help="with --qa: only these question kinds, comma-separated")
    parser.add_argument("--no-ocr", action="store_true", help="read PDFs without OCR even when it is installed")
    args = parser.parse_args(argv)
    global OCR
    if args.no_ocr:
        OCR = None
    golds = load_gold()
    absent = [g["file"] for g in golds if not (args.pdfs / g["file"]).exists()]
    if absent:
        print(f"{len(absent)} corpus PDFs are not in {args.pdfs}: run bench/real/rebuild.py first", file=sys.stderr)
        return 2
    result = {"bench": "eval_real", **evaluate_fields(args.pdfs, golds, args.show)}
    print(f"{'field':20} {'right':>6} {'wrong':>6} {'miss':>6} {'right%':>7} {'wrong%':>7}")
    for field, row in result["fields"].items():
        right_pct = "-" if row["right_pct"] is None else f"{row['right_pct']:.1f}"
        print(f"{field:20} {row['right']:6} {row['wrong']:6} {row['missing']:6} {right_pct:>7} {row['wrong_pct']:7.1f}")
    print(f"{'all':20} right {result['right_pct']}%  wrong {result['wrong_pct']}%  missing {result['missing_pct']}%")
    for line in result["unreadable"]:
        print("unreadable:", line)
    if args.stocks:
        result["stocks"] = stocks = evaluate_stock_joins(args.pdfs, golds)
        print(f"stocks in 2+ reports (gold): {stocks['stocks_in_2plus_reports']}, joined in one view: "
              f"{stocks['joined']}, wrong merges: {len(stocks['wrong_merges'])}")
        for line in stocks["split"] + stocks["wrong_merges"]:
            print("  ", line)
    if args.qa:
        kinds = set(args.kinds.split(",")) if args.kinds else None
        result["qa"] = evaluate_qa(args.pdfs, golds, args.limit, args.home, kinds)
        print("qa:", result["qa"])
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
