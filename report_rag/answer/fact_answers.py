"""Extracted facts as passages a model can read and the citation checker can verify.

Each passage is made of evidence quotes only — verbatim page text — so a sentence built
from it is checked and cited exactly like one built from a retrieved chunk. Questions about
ratings, picks, prices and analysts get these first, which keeps a small model from
reaching for another report's stock list.
"""

from __future__ import annotations

from report_rag.retrieval.question import asks_beyond_fields, asks_for_explanation, fact_intents
from report_rag.types import Chunk, Evidence, Passage, Report, ReportFacts


def fact_evidence(facts: ReportFacts) -> list[Evidence]:
    """The evidence of the fields an analyst asks about, most important first, deduplicated."""
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
    seen: set[tuple[int, str]] = set()
    unique = []
    for evidence in items:
        key = (evidence.page, evidence.quote)
        # A pick list quotes one line per name; keep that line once.
        if key not in seen and not any(evidence.page == p and evidence.quote in q for p, q in seen):
            seen.add(key)
            unique.append(evidence)
    return unique


def facts_passage(report: Report, facts: ReportFacts) -> Passage | None:
    return evidence_passage(report, fact_evidence(facts))


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
        section="extracted facts",
        report_id=report.id,
    )
    return Passage(chunk=chunk, report=report, score=1.0)


def fact_answer(question: str, facts: ReportFacts, language: str) -> str | None:
    """A direct answer from one report's extracted fields, citing the facts passage as [1].

    Only for plain look-ups that the fields cover whole (the rating, target price, picks or
    analysts of one report, or several of them at once): the fields are exact, so a small
    model has nothing to add and much to get wrong. A question that also asks for something
    the fields do not hold ("rating and 2025 EPS", "target and valuation method"), or asks
    why or what a term means, goes to the model, which is given the fields as a passage.
    """
    if asks_for_explanation(question) or asks_beyond_fields(question):
        return None
    intents = fact_intents(question)
    if not intents:
        return None
    parts = [_field_answer(intent, facts, language == "zh") for intent in intents]
    if any(part is None for part in parts):
        return None  # a part the fields cannot answer: the model reads the passages
    if language == "zh":
        return "；".join(p for p in parts if p) + "[1]。"
    return "; ".join(p for p in parts if p) + " [1]."


def _field_answer(intent: str, facts: ReportFacts, zh: bool) -> str | None:
    if intent == "target_price" and facts.target_price is not None:
        value = facts.target_price.evidence.quote.strip()
        return f"目标价：{value}" if zh else f"Target price: {value}"
    if intent == "rating" and facts.rating is not None:
        rating = facts.rating.raw
        return f"投资评级为{rating}" if zh else f"The rating is {rating}"
    if intent == "picks" and facts.picks:
        names = "、".join(p.name for p in facts.picks) if zh else ", ".join(p.name for p in facts.picks)
        return f"推荐关注：{names}" if zh else f"Recommended stocks: {names}"
    if intent == "analysts" and facts.signing_analysts:
        people = [f"{a.name}（{a.sac}）" if a.sac else a.name for a in facts.signing_analysts]
        return ("分析师：" + "、".join(people)) if zh else ("Analysts: " + ", ".join(people))
    return None
