"""The share-price / industry performance table: 1M / 3M / 12M, relative and absolute.

    升幅% 1M 3M 12M                 %        1M     3M    12M
    相对收益 -3.85 -12.60 -21.47     Absolute  -2.1   5.3   18.0
    绝对收益 -5.12 -14.33 -30.86     Relative  -1.0   2.2    9.4

A header row with two or more periods (1M, 3个月, 近1月, 1-month…), then up to four rows
labelled relative (相对, 超额, Rel.) or absolute (绝对, Abs.) with one number per period.
"""

from __future__ import annotations

import re

from report_rag.extract.evidence import Document
from report_rag.types import Performance

_PERIOD_RE = re.compile(
    r"(?<![\w.])(?:近|过去)?(?P<n>\d{1,2})\s*(?:M|m|mth|mths|months?|-month|个月|月|Y|y|年)(?![\w])"
)
_RELATIVE_RE = re.compile(r"相对|超额|rel(?:ative|\.)?\b", re.IGNORECASE)
_ABSOLUTE_RE = re.compile(r"绝对|abs(?:olute|\.)?\b", re.IGNORECASE)
_NUMBER_RE = re.compile(r"(?<![\w.])[-+−]?\d+(?:\.\d+)?(?=%?(?:\s|$))")
_ROWS_AFTER_HEADER = 4


def find_performance(document: Document) -> Performance | None:
    lines = document.content_lines()
    for position, line in enumerate(lines):
        periods = _periods(line.folded)
        if periods is None:
            continue
        relative = absolute = None
        last = line
        for row in lines[position + 1 : position + 1 + _ROWS_AFTER_HEADER]:
            values = _row_values(row.folded, len(periods))
            if values is None:
                continue
            if _RELATIVE_RE.search(row.folded) and relative is None:
                relative, last = values, row
            elif _ABSOLUTE_RE.search(row.folded) and absolute is None:
                absolute, last = values, row
        if relative is not None or absolute is not None:
            return Performance(periods, relative, absolute, document.quote_between(line, last))
    return None


def _periods(text: str) -> list[str] | None:
    found = list(_PERIOD_RE.finditer(text))
    if len(found) < 2:
        return None
    rest = _PERIOD_RE.sub("", text)
    if re.search(r"\d", rest.replace("%", "")):
        return None  # a data row that happens to hold "3M"
    units = {"个月": "M", "月": "M", "年": "Y"}
    periods = []
    for match in found:
        unit = text[match.end("n") : match.end()].strip().lstrip("-")
        unit = "M" if unit.lower().startswith("m") or unit in ("个月", "月") else units.get(unit, unit.upper()[:1])
        periods.append(f"{match.group('n')}{unit}")
    return periods


def _row_values(text: str, count: int) -> list[float] | None:
    if not (_RELATIVE_RE.search(text) or _ABSOLUTE_RE.search(text)):
        return None
    numbers = [float(m.group().replace("−", "-")) for m in _NUMBER_RE.finditer(text)]
    return numbers[-count:] if len(numbers) >= count else None
