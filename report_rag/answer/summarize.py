"""Per-report summary: the extracted facts plus a short model-drafted brief whose every
sentence is cited and checked like an answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from report_rag.answer.fact_answers import facts_passage, format_number
from report_rag.answer.qa import answer_from_passages, final_answer
from report_rag.extract import headline_table
from report_rag.store.facts_tables import load_facts
from report_rag.types import Answer, Evidence, Field, Passage, Report, ReportFacts

if TYPE_CHECKING:
    from report_rag.llm.base import Generator
    from report_rag.store.library import Library

BRIEF_REQUEST = {
    "zh": "请用3到5句话概括这份报告：核心观点、投资评级、推荐的股票和主要风险。",
    "en": "Summarise this report in 3 to 5 sentences: its thesis, rating, recommended stocks and key risks.",
}


def _evidence(e: Evidence | None) -> dict[str, Any] | None:
    return None if e is None else {"page": e.page, "quote": e.quote}


def _value(field: Field[Any] | None) -> object:
    if field is None:
        return None
    value = field.value
    return value.isoformat() if hasattr(value, "isoformat") else value


def report_passages(library: Library, report: Report, facts: ReportFacts | None) -> list[Passage]:
    """The facts first, then the report's own text in reading order (no boilerplate)."""
    passages: list[Passage] = []
    if facts is not None and (first := facts_passage(report, facts)) is not None:
        passages.append(first)
    for chunk in library.store.report_chunks(report.id):
        passages.append(Passage(chunk=chunk, report=report, score=0.0))
    return passages


def draft_brief(library: Library, generator: Generator, report: Report, facts: ReportFacts | None) -> Answer:
    language = "en" if report.meta.language == "en" else "zh"
    passages = report_passages(library, report, facts)
    return final_answer(answer_from_passages(library, generator, BRIEF_REQUEST[language], passages, passage_tokens=0))


def summarize_report(library: Library, generator: Generator | None, ref: str | int) -> dict[str, Any]:
    """The `report-rag summarize` JSON for one report (by id or file name).

    Without a generator the brief is left empty; every other field comes from the rules.
    """
    report = library.resolve_report(ref)
    facts = load_facts(library.store, report.id) or ReportFacts()
    rating = facts.rating
    target = facts.target_price
    out = {
        "report_id": report.id,
        "file": report.file_name,
        "broker": _value(facts.broker) or report.meta.broker,
        "date": _value(facts.date) or (report.meta.date.isoformat() if report.meta.date else None),
        "title": _value(facts.title) or report.meta.title,
        "report_type": _value(facts.report_type),
        "sector": _value(facts.sector),
        "company": _value(facts.company),
        "ticker": _value(facts.ticker),
        "rating": None
        if rating is None
        else {
            "raw": rating.raw,
            "normalized": rating.normalized,
            "action": rating.action,
            "grade": rating.grade,
            "previous": rating.previous,
            "definition": rating.definition.definition if rating.definition else None,
            "evidence": _evidence(rating.evidence),
        },
        "target_price": None
        if target is None
        else {"value": target.value, "currency": target.currency, "evidence": _evidence(target.evidence)},
        "picks": [
            {"name": p.name, "code": p.code, "rating": p.rating, "evidence": _evidence(p.evidence)}
            for p in facts.picks
        ],
        "analysts": [
            {"name": a.name, "sac": a.sac, "email": a.email, "evidence": _evidence(a.evidence)}
            for a in facts.signing_analysts
        ],
        "contacts": [a.name for a in facts.contacts],
        "risks": [r.text for r in facts.risks],
        "forecasts": [
            {"label": row[0].label, "metric": row[0].metric, "unit": row[0].unit,
             "values": {cell.period: cell.value for cell in row}, "evidence": _evidence(row[0].evidence)}
            for row in headline_table(facts.forecasts)
        ],
        "summary": "",
        "citations": [],
        "unsupported": [],
    }
    if generator is not None and report.chunks:
        brief = draft_brief(library, generator, report, facts)
        out["summary"] = "" if brief.refused else brief.answer
        out["citations"] = [c.to_json() for c in brief.citations]
        out["unsupported"] = brief.unsupported
        out["model"] = brief.model
    return out


def summary_markdown(summary: dict[str, Any]) -> str:
    lines = [f"# {summary['title'] or summary['file']}", ""]
    meta = [summary.get("broker"), summary.get("date"), summary.get("report_type"), summary.get("sector")]
    lines.append(" · ".join(m for m in meta if m))
    if summary.get("company"):
        lines.append(f"**Company:** {summary['company']} {summary.get('ticker') or ''}".rstrip())
    rating = summary.get("rating")
    if rating:
        lines.append(f"**Rating:** {rating['raw']} ({rating['normalized'] or '-'}, {rating['action'] or '-'})"
                     f" — p.{rating['evidence']['page']}")
        if rating.get("definition"):
            lines.append(f"  *{rating['definition']}*")
    target = summary.get("target_price")
    if target:
        lines.append(f"**Target price:** {target['value']} {target['currency'] or ''} — p.{target['evidence']['page']}")
    if summary["picks"]:
        lines += ["", "## Picks", ""]
        lines += [f"- {p['name']}{' (' + p['code'] + ')' if p['code'] else ''}"
                  f"{' — ' + p['rating'] if p['rating'] else ''} (p.{p['evidence']['page']})" for p in summary["picks"]]
    if summary["analysts"]:
        lines += ["", "## Analysts", ""]
        lines += [f"- {a['name']} {a['sac'] or ''} {a['email'] or ''}".rstrip() for a in summary["analysts"]]
    if summary.get("forecasts"):
        lines += ["", "## Forecasts", ""] + _forecast_table(summary["forecasts"])
    if summary["risks"]:
        lines += ["", "## Risks", ""] + [f"- {r}" for r in summary["risks"]]
    if summary["summary"]:
        lines += ["", "## Brief", "", summary["summary"], ""]
        lines += [f"[{c['n']}] {c['file']} p.{c['page']}: “{c['quote']}”" for c in summary["citations"]]
    return "\n".join(lines) + "\n"


def _forecast_table(rows: list[dict[str, Any]]) -> list[str]:
    periods = list(dict.fromkeys(period for row in rows for period in row["values"]))
    out = ["| | " + " | ".join(periods) + " | page |", "|---" * (len(periods) + 2) + "|"]
    for row in rows:
        cells = [format_number(row["values"][p]) if p in row["values"] else "" for p in periods]
        out.append(f"| {row['label']} | " + " | ".join(cells) + f" | {row['evidence']['page']} |")
    return out
