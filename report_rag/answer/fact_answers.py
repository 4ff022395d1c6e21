"""Extracted facts as passages a model can read and the citation checker can verify.

Each passage is made of evidence quotes only — verbatim page text — so a sentence built
from it is checked and cited exactly like one built from a retrieved chunk. Questions about
ratings, picks, prices and analysts get these first, which keeps a small model from
reaching for another report's stock list.
"""

from __future__ import annotations

from report_rag.retrieval.question import (
    ForecastRequest,
    asks_beyond_fields,
    asks_for_explanation,
    fact_intents,
    forecast_request,
)
from report_rag.types import Chunk, Evidence, Forecast, Passage, Report, ReportFacts

# The section name of the passage built from a report's extracted fields.
FACTS_SECTION = "extracted facts"


def fact_evidence(facts: ReportFacts, question: str | None = None) -> list[Evidence]:
    """The evidence of the fields an analyst asks about, most important first, deduplicated.
    A question that asks for forecast figures also gets the table's rows for them, each
    after its period header, so the year of every number is on the page the reader sees."""
    items: list[Evidence] = []
    for named in (facts.company, facts.ticker, facts.broker):
        if named is not None:  # who the rating is about and who gives it
            items.append(named.evidence)
    for rating in (facts.rating, facts.industry_rating):
        if rating is not None:
            items.append(rating.evidence)
    for price in (facts.target_price, facts.current_price):
        if price is not None:
            items.append(price.evidence)
    items.extend(p.evidence for p in facts.picks)
    items.extend(a.evidence for a in facts.analysts)
    items.extend(r.evidence for r in facts.risks)
    request = forecast_request(question) if question else None
    if request is not None:
        for row in _requested_rows(facts, request, question or ""):
            header = row[0].columns_evidence
            items.extend([header, row[0].evidence] if header is not None else [row[0].evidence])
    seen: set[tuple[int, str]] = set()
    unique = []
    for evidence in items:
        key = (evidence.page, evidence.quote)
        # A pick list quotes one line per name; keep that line once.
        if key not in seen and not any(evidence.page == p and evidence.quote in q for p, q in seen):
            seen.add(key)
            unique.append(evidence)
    return unique


def facts_passage(report: Report, facts: ReportFacts, question: str | None = None) -> Passage | None:
    return evidence_passage(report, fact_evidence(facts, question))


def evidence_passage(report: Report, evidence: list[Evidence]) -> Passage | None:
    """One passage made of verbatim evidence quotes (one per line) of one report."""
    if not evidence:
        return None
    text = "\n".join(e.quote.strip() for e in evidence)
    pages = [e.page for e in evidence]
    chunk = Chunk(
        text=text,
        page_start=min(pages),
        page_end=max(pages),
        start_offset=0,
        end_offset=len(text),
        section=FACTS_SECTION,
        report_id=report.id,
    )
    return Passage(chunk=chunk, report=report, score=1.0)


def fact_answer(question: str, facts: ReportFacts, language: str) -> str | None:
    """A direct answer from one report's extracted fields, citing the facts passage as [1].

    Only for plain look-ups that the fields cover whole (the rating, target price, picks,
    analysts, or forecast-table figures of one company note, or several of them at once):
    the fields are exact, so a small model has nothing to add and much to get wrong. A
    question that also asks for something the fields do not hold ("target and valuation
    method"), or asks why or what a term means, goes to the model, which is given the fields
    as a passage.
    """
    if asks_for_explanation(question):
        return None
    request = forecast_request(question)
    if asks_beyond_fields(request.remainder if request else question):
        return None
    intents = fact_intents(question)
    zh = language == "zh"
    parts = [_field_answer(intent, facts, zh) for intent in intents]
    if request is not None:
        parts.append(_forecast_answer(request, facts, zh, question))
    if not parts or any(part is None for part in parts):
        return None  # a part the fields cannot answer: the model reads the passages
    if zh:
        return "；".join(p for p in parts if p) + "[1]。"
    return "; ".join(p for p in parts if p) + " [1]."


def _requested_rows(facts: ReportFacts, request: ForecastRequest, question: str = "") -> list[list[Forecast]]:
    """For each requested metric, the first table row measuring it: a stock's row of a
    covered-companies table when the question names that one stock, else — in a company
    note — the note's own table (printed first on page 1, again in the appendix)."""
    named = {c.security for c in facts.forecasts if c.security and _names(question, c)}
    if len(named) == 1:
        security = named.pop()
        cells_of = [c for c in facts.forecasts if c.security == security]
    elif _is_company_note(facts):
        cells_of = [c for c in facts.forecasts if c.security is None]
    else:
        return []  # an industry note's tables are about many stocks: no row is "the" forecast
    rows: list[list[Forecast]] = []
    for metric in request.metrics:
        cells = [c for c in cells_of if c.metric == metric]
        if not cells:
            continue
        first = cells[0]
        rows.append([c for c in cells if c.label == first.label and c.evidence == first.evidence])
    return rows


def _names(question: str, cell: Forecast) -> bool:
    return bool((cell.security and cell.security in question) or (cell.security_code and cell.security_code in question))


def _is_company_note(facts: ReportFacts) -> bool:
    if facts.company is not None or facts.ticker is not None:
        return True
    return facts.rating is not None and facts.rating.scope == "company" and not facts.picks


def _forecast_answer(request: ForecastRequest, facts: ReportFacts, zh: bool, question: str) -> str | None:
    parts = []
    for row in _requested_rows(facts, request, question):
        by_year = {c.year: c for c in row}
        wanted = request.years or tuple(c.year for c in row if c.estimate)
        if not wanted or any(year not in by_year for year in wanted):
            return None
        values = [f"{by_year[y].period} {format_number(by_year[y].value)}" for y in wanted]
        label = f"{row[0].security} {row[0].label}" if row[0].security else row[0].label
        parts.append(f"{label}：" + "、".join(values) if zh else f"{label}: " + ", ".join(values))
    if len(parts) < len(request.metrics):
        return None  # a metric the tables do not have
    return "；".join(parts) if zh else "; ".join(parts)


def format_number(value: float) -> str:
    """A table value as a reader writes it: 94,035 / 20.6 / -9.7."""
    return f"{int(value):,}" if value == int(value) else f"{value:,}"


def _field_answer(intent: str, facts: ReportFacts, zh: bool) -> str | None:
    if intent == "target_price" and facts.target_price is not None:
        value = facts.target_price.evidence.quote.strip()
        return f"目标价：{value}" if zh else f"Target price: {value}"
    if intent == "rating" and facts.rating is not None:
        rating = facts.rating.raw
        return f"投资评级为{rating}" if zh else f"The rating is {rating}"
    if intent == "picks" and facts.picks:
        # Each with its code where the note prints one: readers ask by either.
        named = [(f"{p.name}（{p.code}）" if zh else f"{p.name} ({p.code})") if p.code else p.name for p in facts.picks]
        names = "、".join(named) if zh else ", ".join(named)
        return f"推荐关注：{names}" if zh else f"Recommended stocks: {names}"
    if intent == "analysts" and facts.signing_analysts:
        people = [f"{a.name}（{a.sac}）" if a.sac else a.name for a in facts.signing_analysts]
        return ("分析师：" + "、".join(people)) if zh else ("Analysts: " + ", ".join(people))
    return None
