"""Stocks an English note names in its sentences rather than its lists, and the codes and
ratings it prints in brackets beside a name: "Our Tier 1 outperform ideas also include
Procore, ServiceTitan, and Samsara", "JFrog is our top pick", "Paylocity (PCTY): …",
"J&T Express (1519.HK; Buy; TP HK$12)". `report_rag.extract.picks` merges them into the
note's stock list.
"""

from __future__ import annotations

import re

from report_rag.extract.evidence import Document, TextLine
from report_rag.extract.rated_companies import EN_RATING_TERMS
from report_rag.extract.securities import is_stock_name
from report_rag.text import name_key, normalize_code
from report_rag.types import Evidence, StockPick

_RATED_LEAD_RE = re.compile(r"^(?:Buy|Outperform|Overweight|Hold|Neutral)-rated\s+", re.IGNORECASE)

# English prose that names the note's favourites: "Our top large cap idea is Intuit ahead of…",
# "Our Tier 1 outperform ideas also include Procore, ServiceTitan, and Samsara", and the name
# first: "JFrog is our top pick in the dev tools market", "J&T Express remains our Top Pick".
_OUR_PICKS_ARE_RE = re.compile(
    r"\bOur\s+(?:[\w-]+\s+){0,4}?(?:top\s+(?:[\w-]+\s+){0,3}?)?(?:picks?|ideas?)\b(?:\s+in\s+the\s+[\w\s\"'-]{1,30}?\s+group)?"
    r"\s+(?:is|are|(?:also\s+)?include)\s+",
    re.IGNORECASE,
)
_IS_OUR_PICK_RE = re.compile(
    r"(?P<name>[A-Z][\w&.'’-]*(?:\s+[A-Z&][\w&.'’-]*){0,3})\s+(?:is|remains)\s+our\s+(?:[\w-]+\s+){0,2}?"
    r"(?i:top|favou?rite|preferred)\s+(?:[\w-]+\s+){0,3}?(?i:pick|idea)\b"
)
# What a sentence about favourites may name that is not a stock: a region, a sector, a period.
_NOT_PROSE_PICKS = frozenset(
    "china us usa europe japan asia india korea taiwan em dm global software semis semiconductors internet "
    "banks energy utilities industrials materials healthcare tech technology hardware media telecom "
    "consumer financials insurance reits autos ai cloud".split()
)
_PERIOD_RE = re.compile(r"(?i:[1-4]Q|Q[1-4]|[12]H|H[12]|FY)\d{0,4}\b")
# A name in prose is its capitalised words: the list stops at the first word in lower case.
_PROSE_NAME_RE = re.compile(
    r"(?:(?i:buy|outperform|overweight)-rated[ ]+)?"
    r"(?!(?:Our|We|The|This|In|As)\b)[A-Z0-9][\w&.'’-]*(?:[ ]+(?!(?:Our|We|The|This|In|As)\b)(?:[A-Z0-9&][\w&.'’-]*|of|de|&))*"
)


_NAME_JOINER_RE = re.compile(r",\s*(?:and\s+)?|\s+and\s+")


def favourites_in_prose(document: Document, lines: list[TextLine]) -> list[tuple[str, Evidence]]:
    """The stocks sentences name as the note's favourites, with their evidence."""
    items: list[tuple[str, Evidence]] = []
    for line in lines:
        text = line.folded
        spans: list[tuple[int, int]] = []
        for named in _IS_OUR_PICK_RE.finditer(text):
            spans.append(named.span("name"))
        for said in _OUR_PICKS_ARE_RE.finditer(text):
            position = said.end()
            while True:
                name = _PROSE_NAME_RE.match(text, position)
                if name is None:
                    break
                spans.append((name.start(), name.end()))
                joiner = _NAME_JOINER_RE.match(text, name.end())
                if joiner is None:
                    break
                position = joiner.end()
        for start, end in spans:
            lead = _RATED_LEAD_RE.match(text[start:end])
            start += lead.end() if lead else 0
            name_text = text[start:end].strip().rstrip(".,")
            if name_text.lower() in _NOT_PROSE_PICKS or name_text in _NOT_SYMBOLS or _PERIOD_RE.match(name_text):
                continue
            if is_stock_name(name_text):
                evidence = document.quote_between(line, line, start, start + len(name_text))
                items.append((name_text, evidence))
    # "J&T remains our Top Pick" beside "J&T Express remains our Top Pick": one stock.
    keys = [name_key(name) for name, _ in items]
    return [item for item, key in zip(items, keys, strict=True) if not any(k != key and k.startswith(key) for k in keys)]


# A bare symbol in the brackets right after a name ("Paylocity (PCTY): …"), not an acronym.
_BARE_SYMBOL_RE = re.compile(r"[A-Z]{2,5}(?:\.[A-Z]{1,2})?")
_NOT_SYMBOLS = frozenset("AI US USA EU UK CEO CFO IPO TAM ARR GMV EPS FY YOY TP PT NA HK".split())


def fill_from_brackets(picks: list[StockPick], lines: list[TextLine]) -> None:
    """An English pick named without its code or rating gets those the note prints in
    brackets beside its name elsewhere: "Legrand (BUY, TP €145)", "Alphabet Inc. (Outperform)",
    "J&T Express (1519.HK; Buy; TP HK$12)", "Paylocity (PCTY): Best Name in HCM", "JFrog, Ltd.
    (Outperform)" — or, code known, its coverage-table row "Procore PCOR Outperform 1 $72.35"."""
    for pick in picks:
        if (pick.rating and pick.code) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9 .&'\-]{1,40}", pick.name):
            continue
        name = rf"(?<![A-Za-z]){re.escape(pick.name)}(?:,?\s+(?:Inc|Ltd|Corp|Co|plc|Holdings?)\.?)*"
        pattern = re.compile(rf"{name}\s*\((?P<inside>[^()]{{1,60}})\)")
        for line in lines:
            if pick.code and not pick.rating:
                # A coverage table's row: "Procore PCOR Outperform 1 $72.35 $87".
                row = re.search(rf"{name}\s+{re.escape(pick.code)}\s+(?P<rating>(?i:{EN_RATING_TERMS}))\b", line.folded)
                pick.rating = row.group("rating") if row else None
            for found in pattern.finditer(line.folded):
                tokens = [t.strip() for t in re.split(r"[;,]\s*", found.group("inside"))]
                ratings = [t for t in tokens if re.fullmatch(rf"(?i:{EN_RATING_TERMS})", t)]
                # A code with its market ("1519.HK", "NVDA US"); bare digits could be any
                # market's ("035720" is Kakao in Seoul, not an A-share), so they are not taken.
                codes = [c for c in map(normalize_code, tokens) if c and not c.isdigit()]
                code = codes[0] if codes else None
                first = tokens[0]
                if code is None and _BARE_SYMBOL_RE.fullmatch(first) and first not in _NOT_SYMBOLS and first not in ratings:
                    code = first
                rating = ratings[0] if ratings else None
                pick.code = pick.code or code
                pick.rating = pick.rating or rating
            if pick.code and pick.rating:
                break
