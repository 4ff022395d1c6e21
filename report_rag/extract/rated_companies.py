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

_RATED_TABLE_HEADER_RE = re.compile(r"\b(?:company|ticker|stock)\b.{0,40}\brating\b.{0,30}\b(?:price|target|pt|tp)\b", re.I)
# "Company Rating TP (KRW)": the prices below are printed without a currency sign.
_HEADER_CURRENCY_RE = re.compile(r"\((?:KRW|JPY|HKD|USD|TWD|INR|CNY|RMB|EUR|GBP|SGD|AUD|IDR|THB|MYR)\)")
EN_RATING_TERMS = (
    r"Buy|Hold|Sell|Neutral|Outperform|Underperform|Overweight|Underweight|Equal[- ]?Weight|Market Perform|"
    r"Sector Perform|Peer Perform|Market Outperform|Accumulate|Reduce"
)
_ENTRY_NAME = r"(?P<name>(?:[A-Z][\w.&'’\-]*,?\s){0,5}?[A-Z][\w.&'’\-]*?)"
_RATED_ENTRY_RE = re.compile(
    rf"{_ENTRY_NAME}(?:\s+(?P<ticker>[A-Z]{{1,5}}))?\s+(?P<rating>(?i:{EN_RATING_TERMS}))\s+(?:US|HK|C|A|NT|S)?\$\s?\d"
)
# Under such a header, a row is the name, the rating and a bare price: "SAMSUNG SDS BUY 230,000".
_RATED_ENTRY_BARE_RE = re.compile(
    rf"(?:^|(?<=\s)){_ENTRY_NAME}(?P<ticker>)\s+(?P<rating>(?i:{EN_RATING_TERMS}))\s+\d[\d,]*(?:\.\d+)?(?=\s|$)"
)
_TICKER_WITH_EXCHANGE_RE = re.compile(r"^(?P<ticker>[A-Z]{1,5})-(?:NASDAQ|NYSE|XETRA|LSE|TSX|ASX|AMEX|NYSEAMERICAN|[A-Z]{2,12})$")
_MAX_TABLE_LINES = 60
_RATING_ALONE_RE = re.compile(rf"^\s*(?P<rating>(?i:{EN_RATING_TERMS}))\s+(?:US|HK|C|A|NT|S)?\$\s?\d")


def rated_company_table(lines: list[TextLine]) -> list[RatedRow]:
    """(name, ticker, rating, evidence) for each row of the note's first such table."""
    items: list[RatedRow] = []
    for position, line in enumerate(lines):
        header = _RATED_TABLE_HEADER_RE.search(line.folded)
        if header is None:
            continue
        block = [line] + [ln for ln in lines[position + 1 : position + _MAX_TABLE_LINES] if ln.page == line.page]
        currency = _HEADER_CURRENCY_RE.search(line.folded, header.end())
        entry_re = _RATED_ENTRY_BARE_RE if currency else _RATED_ENTRY_RE
        for index, row in enumerate(block):
            start = (currency.end() if currency else header.end()) if index == 0 else 0
            text = row.folded
            alone = _RATING_ALONE_RE.match(text) if index > 0 else None
            above = _TICKER_WITH_EXCHANGE_RE.match(block[index - 1].folded.strip()) if alone else None
            if alone and above:
                # "ABNB-NASDAQ" on the line above "Buy US$138.02 US$180.00".
                ticker = above.group("ticker")
                evidence = row.evidence(alone.start("rating"), alone.end("rating"))
                items.append((ticker, ticker, alone.group("rating"), evidence))
                continue
            for match in entry_re.finditer(text, start):
                name, ticker = match.group("name").strip(" ,"), match.group("ticker") or None
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
    return re.search(rf"(?i:\b(?:{EN_RATING_TERMS})\b)", name) is None
