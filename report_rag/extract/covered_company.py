"""The company a company note covers, and its code, wherever the note prints them: page 1's
header ("贵州茅台（600519.SH）| 公司点评", "Tencent Holdings (0700.HK)"), a line opening with
the company and its code elsewhere on page 1, an English masthead ("NVIDIA Corporation" over
"NVDA, NVDA US"), a sidebar rating the symbol alone ("NVDA OVERWEIGHT") with the name on a later
page, or page 1's price-chart legend ("成交金额 华润三九 沪深300"); a ticker the company lacks
from a Bloomberg/Reuters label. Nothing is inferred: each source has its own checks, and a note
that names several companies (an industry note) gets none.
"""

from __future__ import annotations

import re

from report_rag.extract.evidence import Document, TextLine, tidy
from report_rag.extract.ratings import EN_TERM, ZH_TERM
from report_rag.extract.securities import is_sector_name, is_stock_name
from report_rag.text import CJK, canonical_code, normalize_code
from report_rag.types import Field

# "Name (CODE)" ending its line or followed by a separator or a colon.
COMPANY_CODE_RE = re.compile(r"\((?P<code>[^()]{2,16})\)(?P<after>\s*(?:$|[|:·—-]|\s{1,3}(?=[|])))")
_EN_NAME_WORD_RE = re.compile(r"^(?:[A-Z][A-Za-z0-9&'.\-]*|&|of|and|de)$")


def covered_company(
    zone: list[TextLine], document: Document, report_type: Field[str] | None
) -> tuple[Field[str] | None, Field[str] | None]:
    """(company, ticker) from the first source that names one; `zone`: page 1's header lines."""
    found = (
        _company(zone)
        or _company_header_line(zone, document)
        or _masthead_company(document)
        or _rated_ticker_company(document)
        or _legend_company(document, report_type)
    )
    company, ticker = found if found is not None else (None, None)
    if company is not None and ticker is None:
        ticker = _labelled_ticker(document)
    return company, ticker


def _company(zone: list[TextLine]) -> tuple[Field[str], Field[str]] | None:
    for line in zone:
        text = line.folded
        for match in COMPANY_CODE_RE.finditer(text):
            code = normalize_code(match.group("code"))
            if code is None:
                continue
            code = canonical_code(code)
            name_span = _name_before(text, match.start())
            if name_span is None:
                continue
            start, end = name_span
            name = tidy(line.text[start:end])
            company = Field(name, line.evidence(start, match.end("code") + 1))
            ticker = Field(code, line.evidence(match.start("code"), match.end("code")))
            return company, ticker
    return None


# "凯莱英（002821）", "优于大市凯莱英（002821.SZ）——…", "[Table_StockNameRptType] 凯莱英（002821）",
# "药明康德（2359.HK/603259.CH）：…", "Netflix, Inc. (NFLX - $88.05)", "NVIDIA Corp. (NVDA.O, NVDA US)":
# a line that opens with the covered company and its code(s), whatever follows.
_LINE_START_COMPANY = re.compile(
    rf"^(?:\s*\[Table_\w+\])*[\s—\-–|]*(?:(?:{ZH_TERM})(?:[（(][^）)]{{1,6}}[）)])?\s*)?"
    rf"(?P<name>[{CJK}A-Za-z0-9*][{CJK}A-Za-z0-9&'.,\- ]{{0,40}}?)\s*[（(](?P<codes>[^（）()]{{2,40}})[）)]"
)
_RATING_PREFIX = re.compile(rf"(?:{ZH_TERM})(?=[{CJK}]{{2}})")
_BARE_TICKER = re.compile(r"^[A-Z]{1,5}(?:\.[A-Z]{1,2})?$")
_EN_COMPANY = re.compile(r"^[A-Z][A-Za-z0-9&'.\-]*(?:,?\s(?:[A-Z][A-Za-z0-9&'.\-]*|&|of|and|de))*\.?$")
_CORPORATE_SUFFIX = re.compile(
    r",?\s+(?:Inc|Corp|Corporation|Ltd|Limited|S\.A|plc|PLC|N\.V|AG|SE|Holdings?|Group|Co|Company|Technologies|Technology)\.?$"
)
_LIST_LINE = re.compile(r"^\s*(?:《|\d{1,2}\s*[.、)）]|[•◆●■▪])")


def _codes_in(text: str) -> list[tuple[str, int, int]]:
    """(code, start, end) of the stock codes in a bracket: "2359.HK/603259.CH", "NFLX - $88.05"."""
    found: list[tuple[str, int, int]] = []
    for part in re.finditer(r"[^/,，、;；]+", text):
        raw = re.split(r"\s[-–—:]\s|\s+\$", part.group())[0].strip()
        start = part.start() + part.group().find(raw)
        code = normalize_code(raw) or (raw if _BARE_TICKER.fullmatch(raw) else None)
        if code == raw and normalize_code(raw) is None:
            code = f"?{raw}"  # a bare symbol: kept only beside a corporate name (below)
        if code is not None and raw:
            found.append((code if code.startswith("?") else canonical_code(code), start, start + len(raw)))
    return found


def _opening_company(line: TextLine, early: str = "") -> tuple[Field[str], Field[str], str] | None:
    """`early`: the first pages' text, which can vouch for a headline with a bare symbol."""
    match = _LINE_START_COMPANY.match(line.folded)
    if match is None or _LIST_LINE.match(line.folded):
        return None
    name = tidy(match.group("name"))
    codes = _codes_in(match.group("codes"))
    if not codes:
        return None
    reads_as_name = is_stock_name(name) if re.search(f"[{CJK}]", name) else bool(
        _EN_COMPANY.fullmatch(name) and len(name.split()) <= 7 and is_stock_name(name.split(",")[0].strip())
    )
    if not reads_as_name:
        return None
    code, start, end = codes[0]
    if code.startswith("?"):
        # "Netflix, Inc. (NFLX)" is a company header; "Jane Doe (UBS)" is not. Without a
        # corporate suffix, a headline "NVIDIA (NVDA): Fine China?" is one when the note keeps
        # returning to both the name and the symbol.
        headline = line.folded[match.end():].lstrip().startswith(":")
        recurs = early.count(name) >= 3 and len(re.findall(rf"\b{re.escape(code[1:])}\b", early)) >= 2
        if not _CORPORATE_SUFFIX.search(name) and not (headline and recurs):
            return None
        code = code[1:]
    offset = match.start("codes")
    company = Field(name, line.evidence(match.start("name"), match.end()))
    ticker = Field(code, line.evidence(offset + start, offset + end))
    return company, ticker, code


def _company_header_line(zone: list[TextLine], document: Document) -> tuple[Field[str], Field[str]] | None:
    """The covered company from a line that opens with it: in the header zone, the first such
    line; elsewhere on page 1 (two-column templates put the stock box after the summary) only
    when it is the one company so printed on the page and the text keeps returning to it —
    an industry note's page 1 lists several."""
    early = "\n".join(page.text for page in document.pages[:2])
    for line in zone:
        found = _opening_company(line, early)
        if found:
            return found[0], found[1]
    if not document.pages:
        return None
    first = document.pages[0].number
    candidates = [f for f in (_opening_company(line, early) for line in document.lines if line.page == first) if f]
    if not candidates or len({code for _, _, code in candidates}) != 1:
        return None
    company, ticker, _ = candidates[0]
    core = _CORPORATE_SUFFIX.sub("", company.value)
    return (company, ticker) if early.count(core) >= 3 else None


_NOT_ISSUER = re.compile(
    r"\b(?:Securities|Bank|Research|Capital|Markets|Partners|Advisors|Asset|Management|Investments?|LLC|LLP|"
    r"Brokerage|Exchange|Index|Indices)\b", re.IGNORECASE,
)
_MASTHEAD_LINES = 20
_MASTHEAD_TOP = 5
_TICKER_LINE = re.compile(r"^[A-Z]{1,5}(?:[ .][A-Z]{1,2})?(?:\s*[,/]\s*[A-Z]{1,5}(?:[ .][A-Z]{1,2})?)*$")


def _masthead_company(document: Document) -> tuple[Field[str], Field[str] | None] | None:
    """An English note's masthead: the issuer on a line of its own ("NVIDIA Corporation"),
    often above its tickers ("NVDA, NVDA US"). Taken only when the name carries a corporate
    suffix, is no financial firm (the publisher's own entity is "… Securities LLC"), and
    pages 1-2 name it again (twice more below the masthead's first lines)."""
    if not document.pages:
        return None
    first = document.pages[0].number
    lines = [line for line in document.content_lines() if line.page == first][:_MASTHEAD_LINES]
    early = "\n".join(page.text for page in document.pages[:2])
    for position, line in enumerate(lines):
        name = line.folded.strip()
        if not (_EN_COMPANY.fullmatch(name) and _CORPORATE_SUFFIX.search(name)) or len(name.split()) > 5:
            continue
        core = _CORPORATE_SUFFIX.sub("", name).strip(" ,")
        # Near the top, a second mention is enough; further down, the text must keep returning to it.
        needed = 2 if position < _MASTHEAD_TOP else 3
        if _NOT_ISSUER.search(name) or not core or early.count(core) < needed:
            continue
        start = line.folded.find(name)
        company = Field(tidy(line.text[start : start + len(name)]), line.evidence(start, start + len(name)))
        return company, _ticker_below(lines[position + 1 : position + 4])
    return None


def _ticker_below(lines: list[TextLine]) -> Field[str] | None:
    for line in lines:
        text = line.folded.strip()
        if not _TICKER_LINE.fullmatch(text):
            continue
        codes = [m.group().strip() for m in re.finditer(r"[^,/]+", text)]
        # The exchange-qualified form is the one that names the listing ("NVDA US").
        for raw in sorted(codes, key=lambda c: " " not in c and "." not in c):
            code = normalize_code(raw)
            if code is not None:
                begin = line.folded.find(raw)
                return Field(canonical_code(code), line.evidence(begin, begin + len(raw)))
    return None


def _name_before(text: str, paren: int) -> tuple[int, int] | None:
    """The span of the company name written right before a bracketed code."""
    before = text[:paren].rstrip()
    end = len(before)
    cjk = re.search(rf"(?:\*?ST|[A-Z]{{2,4}})?[{CJK}][{CJK}A-Z\-]*$", before)
    if cjk is not None:
        start = cjk.start()
        rating = _RATING_PREFIX.match(cjk.group())  # "优于大市宁德时代（300750.SZ）": the rating box abuts
        if rating and is_stock_name(cjk.group()[rating.end() :]):
            start += rating.end()
        return (start, end) if is_stock_name(before[start:end]) else None
    words = before.split(" ")
    taken: list[str] = []
    for word in reversed(words):
        if not word or not _EN_NAME_WORD_RE.match(word) or len(taken) >= 6:
            break
        taken.insert(0, word)
    while taken and taken[0] in {"&", "of", "and", "de"}:
        taken.pop(0)
    if not taken:
        return None
    name = " ".join(taken)
    return (end - len(name), end) if is_stock_name(name) else None


# "RIC: NVDA.O BBG: NVDA US", "Bloomberg / Reuters NVDA US / NVDA.OQ", "Bloomberg code: 700 HK".
_LABELLED_CODE = re.compile(
    r"(?<![A-Za-z])(?P<label>BBG|Bloomberg(?:\s+(?:code|ticker))?(?:\s*/\s*Reuters(?:\s+code)?)?|RIC|Reuters(?:\s+code)?)"
    r"\s*[:：]?\s*(?P<code>[A-Z0-9]{1,6}(?:\.[A-Z]{1,2}| [A-Z]{2}))(?![A-Za-z0-9])"
)


def _labelled_ticker(document: Document) -> Field[str] | None:
    """Page 1's Bloomberg (else Reuters) code of a note whose company is known without one."""
    if not document.pages:
        return None
    first = document.pages[0].number
    found: list[tuple[bool, Field[str]]] = []
    for line in document.lines:
        if line.page != first:
            continue
        for match in _LABELLED_CODE.finditer(line.folded):
            code = normalize_code(match.group("code"))
            if code is not None:
                evidence = line.evidence(match.start("code"), match.end("code"))
                found.append((not match.group("label").lower().startswith(("bbg", "bloomberg")), Field(canonical_code(code), evidence)))
    return min(found, key=lambda item: item[0])[1] if found else None


# A sidebar's "NVDA OVERWEIGHT": the one stock page 1 rates, by its symbol alone.
_RATED_SYMBOL = re.compile(rf"^(?P<symbol>(?-i:[A-Z]{{2,5}}))\s+(?:{EN_TERM})$", re.IGNORECASE)


def _rated_ticker_company(document: Document) -> tuple[Field[str], Field[str]] | None:
    """The company of a note whose page 1 rates one symbol and names it nowhere on page 1:
    taken from a "Name Corp. (SYMBOL)" line elsewhere in the note (a financial-summary
    page's heading), never from the symbol alone."""
    if not document.pages:
        return None
    first = document.pages[0].number
    rated = [
        (line, match) for line in document.lines if line.page == first
        for match in [_RATED_SYMBOL.match(line.folded.strip())] if match
    ]
    if len({match.group("symbol") for _, match in rated}) != 1:
        return None
    line, match = rated[0]
    symbol = match.group("symbol")
    early = "\n".join(page.text for page in document.pages[:2])
    for other in document.lines:
        found = _opening_company(other, early)
        if found is not None and found[2] == symbol and _CORPORATE_SUFFIX.search(found[0].value):
            begin = line.folded.find(symbol)
            return found[0], Field(symbol, line.evidence(begin, begin + len(symbol)))
    return None


# The price chart's legend on page 1 of a Chinese company note, "成交金额 华润三九 沪深300":
# the stock against its benchmark index (an industry note's legend holds its sector).
_BENCHMARK = r"(?:沪深300|上证指数|上证综指|深证成指|深证综指|创业板指|恒生指数|恒生科技|中证500|中证800|中证1000|科创50|北证50|万得全A)(?:指数)?"
_LEGEND = re.compile(rf"^(?:成交(?:金额|量)\s+)?(?P<name>\S{{2,12}})\s+{_BENCHMARK}$")
_NOT_COMPANY_TYPE = re.compile(r"行业|策略|宏观|晨会|金工|量化|固收|债券|基金|周报|月报|日报")


def _legend_company(document: Document, report_type: Field[str] | None) -> tuple[Field[str], None] | None:
    """The covered company named only in page 1's price-chart legend (its code is then
    printed in no text, so the ticker stays empty). One stock name, not a sector, and not in
    a note whose type says it covers many."""
    if not document.pages or (report_type is not None and _NOT_COMPANY_TYPE.search(report_type.value)):
        return None
    first = document.pages[0].number
    found: dict[str, Field[str]] = {}
    for line in document.lines:
        if line.page != first:
            continue
        match = _LEGEND.match(line.folded.strip())
        if match is None:
            continue
        name = match.group("name")
        if is_stock_name(name) and not is_sector_name(name):
            start = line.folded.find(name)
            found.setdefault(name, Field(tidy(name), line.evidence(start, start + len(name))))
    return (next(iter(found.values())), None) if len(found) == 1 else None
