"""Which reports a question is about, read off the question itself.

A question that names a broker, a company or a ticker is answered from the reports that
match; one that says "该报告" / "this report" without naming it is answered from the single
best-matching report. This keeps a small model from answering with a distractor report's
stock list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .models import Report

TICKER = re.compile(r"\b(\d{4,6})\.(SH|SZ|HK|BJ|SS)\b", re.IGNORECASE)
# "Company（600519.SH）" / "Tencent Holdings (0700.HK)" in a report title.
_TITLE_COMPANY = re.compile(r"([\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z0-9&.\- ]{1,40}?)\s*[（(]\s*\d{4,6}\.[A-Za-z]{2}\s*[)）]")
_DEICTIC = re.compile(
    r"该报告|这份报告|此报告|本报告|该篇|这篇|该研报|这份研报|本文|报告中|"
    r"\b(?:this|the|that)\s+(?:report|note|research|piece)\b",
    re.IGNORECASE,
)
_CORPORATE_SUFFIX = re.compile(
    r"(?:股份有限公司|有限公司|集团|控股|股份|科技|Holdings?|Group|Inc\.?|Ltd\.?|Limited|Corp\.?|Co\.?)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Scope:
    report_ids: tuple[int, ...] | None  # None: no restriction from the question
    single_report: bool  # "该报告" / "this report": answer from one report only
    reason: str = ""


def company_names(report: Report) -> list[str]:
    """Names a user may call the covered company by, from the title."""
    names: list[str] = []
    for match in _TITLE_COMPANY.finditer(report.meta.title or ""):
        name = match.group(1).strip(" ：:-—")
        name = re.split(r"[：:，,]", name)[-1].strip()
        if len(name) >= 2:
            names.append(name)
            short = _CORPORATE_SUFFIX.sub("", name).strip()
            if short != name and len(short) >= 2:
                names.append(short)
    return names


def _tickers(report: Report) -> set[str]:
    return {m.group(1) for m in TICKER.finditer(report.meta.title or "")}


def scope_question(question: str, reports: list[Report]) -> Scope:
    lowered = question.lower()
    asked_tickers = {m.group(1) for m in TICKER.finditer(question)}
    by_company = [
        r.id
        for r in reports
        if (asked_tickers & _tickers(r)) or any(n.lower() in lowered for n in company_names(r))
    ]
    by_broker = [
        r.id
        for r in reports
        if r.meta.broker
        and (r.meta.broker.lower() in lowered or _short_broker(r.meta.broker) in lowered)
    ]
    single = bool(_DEICTIC.search(question))
    reasons = []
    ids: set[int] | None = None
    if by_company:
        ids = set(by_company)
        reasons.append("company/ticker named")
    if by_broker:
        ids = set(by_broker) if ids is None else (ids & set(by_broker)) or ids
        reasons.append("broker named")
    return Scope(tuple(sorted(ids)) if ids is not None else None, single, ", ".join(reasons))


def _short_broker(broker: str) -> str:
    """华金证券 -> 华金, "Example Securities" -> "example"; names users actually type."""
    short = re.sub(r"(证券|证券股份有限公司|securities|capital|research|limited|ltd\.?)\s*$", "", broker.strip(), flags=re.IGNORECASE)
    short = short.strip().lower()
    return short if len(short) >= 2 else broker.lower()
