"""An English note's table of rated companies: its stocks with tickers and ratings.

"Company Rating Price Target" / "Company Name Ticker Rating Price", then rows such as
"Salesforce.com OUTPERFORM $196.38 $375.00", "Amazon.com, Inc. AMZN BUY $226.50" or
"ABNB-NASDAQ" / "Buy US$138.02 US$180.00" (the text layer may run rows together or break
them): a name (or ticker), a rating term, then a price. An industry note's such table is
the list of stocks it rates.
"""

from __future__ import annotations

import re

from report_rag.extract.evidence import TextLine, tidy
from report_rag.types import Evidence

RatedRow = tuple[str, str | None, str, Evidence]  # name, ticker, rating term, evidence

_RATED_TABLE_HEADER_RE = re.compile(r"\b(?:company|ticker|stock)\b.{0,40}\brating\b.{0,30}\b(?:price|target|pt)\b", re.I)
_EN_RATING = (
    r"Buy|Hold|Sell|Neutral|Outperform|Underperform|Overweight|Underweight|Equal[- ]?Weight|Market Perform|"
    r"Sector Perform|Peer Perform|Market Outperform|Accumulate|Reduce"
)
_RATED_ENTRY_RE = re.compile(
    rf"(?P<name>(?:[A-Z][\w.&'’\-]*,?\s){{0,5}}?[A-Z][\w.&'’\-]*?)"
    rf"(?:\s+(?P<ticker>[A-Z]{{1,5}}))?\s+(?P<rating>(?i:{_EN_RATING}))\s+(?:US|HK|C|A|NT|S)?\$\s?\d",
)
_TICKER_WITH_EXCHANGE_RE = re.compile(r"^(?P<ticker>[A-Z]{1,5})-(?:NASDAQ|NYSE|XETRA|LSE|TSX|ASX|AMEX|NYSEAMERICAN|[A-Z]{2,12})$")
_MAX_TABLE_LINES = 60
_RATING_ALONE_RE = re.compile(rf"^\s*(?P<rating>(?i:{_EN_RATING}))\s+(?:US|HK|C|A|NT|S)?\$\s?\d")


def rated_company_table(lines: list[TextLine]) -> list[RatedRow]:
    """(name, ticker, rating, evidence) for each row of the note's first such table."""
    items: list[RatedRow] = []
    for position, line in enumerate(lines):
        header = _RATED_TABLE_HEADER_RE.search(line.folded)
        if header is None:
            continue
        block = [line] + [ln for ln in lines[position + 1 : position + _MAX_TABLE_LINES] if ln.page == line.page]
        for index, row in enumerate(block):
            start = header.end() if index == 0 else 0
            text = row.folded
            alone = _RATING_ALONE_RE.match(text) if index > 0 else None
            above = _TICKER_WITH_EXCHANGE_RE.match(block[index - 1].folded.strip()) if alone else None
            if alone and above:
                # "ABNB-NASDAQ" on the line above "Buy US$138.02 US$180.00".
                ticker = above.group("ticker")
                evidence = row.evidence(alone.start("rating"), alone.end("rating"))
                items.append((ticker, ticker, alone.group("rating"), evidence))
                continue
            for match in _RATED_ENTRY_RE.finditer(text, start):
                name, ticker = match.group("name").strip(" ,"), match.group("ticker")
                if not name and index > 0:
                    continue
                glued = _TICKER_WITH_EXCHANGE_RE.match(name)
                if glued:
                    name = ticker = glued.group("ticker")
                if not _looks_like_company(name):
                    continue
                rating = match.group("rating")
                evidence = row.evidence(match.start("name"), match.end("rating"))
                items.append((tidy(name), ticker, rating, evidence))
        if items:
            break  # one such table per note: later ones repeat it in the disclosures
    return items


_NOT_COMPANY_WORDS = re.compile(r"^(?:Rating|Price|Target|Company|Ticker|Name|Internet|Software|Sector|Source|Notes?|The|We|Our)$", re.I)


def _looks_like_company(name: str) -> bool:
    words = name.split()
    if not words or len(words) > 6 or _NOT_COMPANY_WORDS.match(words[0]):
        return False
    return re.search(rf"(?i:\b(?:{_EN_RATING})\b)", name) is None
