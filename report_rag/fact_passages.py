"""Extracted facts as passages a model can read and the citation checker can verify.

Each passage is made of evidence quotes only — verbatim page text — so a sentence built
from it is checked and cited exactly like one built from a retrieved chunk. Questions about
ratings, picks, prices and analysts get these first, which keeps a small model from
reaching for another report's stock list.
"""

from __future__ import annotations

import re

from .facts import Evidence, ReportFacts
from .models import Chunk, Report
from .retrieve import Passage

FACT_QUESTION = re.compile(
    r"评级|推荐|关注|首选|标的|目标价|股价|分析师|联系人|风险|执业|"
    r"\brat(ing|ed)\b|\bpicks?\b|recommend|target|price|analyst|risks?\b|\bbuy\b|overweight",
    re.IGNORECASE,
)


def asks_for_facts(question: str) -> bool:
    return bool(FACT_QUESTION.search(question))


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
    evidence = fact_evidence(facts)
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
