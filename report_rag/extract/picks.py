"""Recommended stocks: every name in a 建议关注 / 重点推荐 / 首选股票 / 受益标的 / top picks
list or pick table, with its code and its own rating when printed.

* Lists: after a trigger phrase the items run to the end of the sentence (。 or ". "),
  across line and page breaks while a line ends on a separator (、，,;). Items are split
  at 、 , ; / 和 及 与 and "and"; "等" ends the list; "游戏：" style group prefixes are
  dropped. The first item that is not a stock name ends the list, so 建议关注 followed
  by prose ("建议关注后续政策细节") gives nothing.
* Tables: a header row under a pick caption (表3：重点公司估值…, "Top picks") or naming
  picks itself ("首选股票 代码 评级"); each row gives name, code and rating cells. A row
  with neither code nor rating is taken only for a name the lists already gave.
* Other tables with a name and a rating column (a coverage table) only fill in the code
  and rating of stocks already picked; they add none.
* An English industry note's rated-companies table (`rated_companies`) is its list of stocks
  when it names no picks otherwise.
* An English note's favourites named in sentences, and codes and ratings printed in brackets
  beside a pick's name elsewhere, come from `prose_picks`.

Picks are merged by name (or code): first mention first, each with its own evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from report_rag.extract.evidence import Document, TextLine, tidy
from report_rag.extract.prose_picks import favourites_in_prose, fill_from_brackets
from report_rag.extract.rated_companies import rated_company_table
from report_rag.extract.ratings import term_of
from report_rag.extract.securities import is_stock_name
from report_rag.text import CJK, canonical_code, find_codes, name_key, normalize_code
from report_rag.types import Evidence, StockPick

_TRIGGER_RE = re.compile(
    r"(?:建议重点关注|重点推荐标的|建议关注|重点推荐|首选股票|首选标的|受益标的|推荐标的|相关标的|重点关注|推荐关注|"
    r"关注标的|核心标的|重点标的|受益公司|受益个股|相关个股|相关公司|推荐个股|优选标的|看好标的|标的方面|个股方面|投资建议(?=\s*[:：])|"
    r"(?i:top\s+picks?|key\s+picks|our\s+picks|preferred\s+(?:names|picks|stocks)|stock\s+picks))"
)
_BENEFICIARY_RE = re.compile(r"受益标的|相关标的|受益公司|受益个股|相关个股|相关公司|标的方面|个股方面")
_AFTER_TRIGGER_RE = re.compile(r"\s*(?:[:]|包括|为|如|有|include[sd]?|are|is)?\s*[:]?\s*", re.IGNORECASE)
_SEPARATORS_RE = re.compile(r"、|,|;|/|\band\b|以及|(?<=[)])\s*(?:和|及|与)")
# "贵州茅台和五粮液": 和/及/与 between two names — never inside one (润和软件, 新和成).
_JOINED_NAMES_RE = re.compile(rf"^\s*[{CJK}]{{2,}}(?P<joint>和|及|与)[{CJK}]{{2,}}\s*$")
_LIST_END_RE = re.compile(r"。|[.!?](?=\s|$)|等(?:公司|标的|个股|股票)?(?=[。.,;、\s]|$)")
_ABBREVIATION_RE = re.compile(r"(?:\b(?:Inc|Co|Corp|Ltd|Plc|Bhd|Hldgs|Intl|Grp)|\b[A-Z])$")  # "MediaTek Inc." goes on
_CONTINUES_RE = re.compile(r"[、,;/]\s*$|\band\s*$")
_PAREN_RE = re.compile(r"\(([^()]*)\)")
_LEAD_WORDS_RE = re.compile(r"^(?:如|包括|例如|重点|推荐|关注|其中|(?:Buy|Outperform|Overweight|Hold|Neutral)-rated\s)\s*", re.I)
_MAX_LIST_LINES = 6
# A description of the group before its examples: "…的主机厂，如" / "…的公司，包括".
_DESCRIBED_GROUP_RE = re.compile(rf"[{CJK}A-Za-z0-9&]{{2,30}}?[，,]\s*(?:如|例如|包括|比如)\s*[:：]?\s*")
# "宁德时代（动力&储能电池全球龙头、增长确定估值低）": a reason after the name, not a code.
# A 投资建议 paragraph names dozens of stocks so; a short list of "电力资本（电力设备、能源
# 金属）" groups is sectors, so reasons count only in a list that has many of them.
_MIN_DESCRIBED = 5
_DESCRIPTION_RE = re.compile(rf"[^()]*[{CJK}]{{2,}}[^()]*[{CJK}、,][^()]*[{CJK}]{{2,}}[^()]*")

_CAPTION_RE = re.compile(r"^(?:表|图表|图|附表|Figure|Fig\.|Exhibit|Table|Chart)\s*\d*\s*[:.]?", re.IGNORECASE)
_PICK_CAPTION_RE = re.compile(r"首选|推荐|关注|标的|重点公司|(?i:top\s+picks?|key\s+picks|our\s+picks|preferred|stock\s+picks)")
_NAME_COLUMN_RE = re.compile(r"名称|简称|公司|股票|证券|(?i:\b(?:company|stock|name|security)\b)")
_CODE_COLUMN_RE = re.compile(r"代码|(?i:\b(?:ticker|code|bbg)\b)")
_RATING_COLUMN_RE = re.compile(r"评级|(?i:\b(?:rating|rec\.?|recommendation)\b)")
_TABLE_END_RE = re.compile(r"^(?:资料来源|数据来源|来源|注|备注|sources?|notes?)\s*[:]", re.IGNORECASE)
_BARE_CODE_RE = re.compile(r"(?<![\d.])\d{6}(?![\d.])")
_NUMBER_CELL_RE = re.compile(
    r"^[-+(]?(?:[A-Z]{0,3}\$|Rp|¥|HK\$|US\$|S\$|NT\$)?[\d.,]+[%xX倍元)]?$|^[-–—]+$|^n\.?[am]\.?$", re.IGNORECASE
)


@dataclass(slots=True)
class _Item:
    name: str
    code: str | None
    rating: str | None
    evidence: Evidence
    described: bool = False  # named with a reason in brackets rather than a code


def find_picks(
    document: Document, skip: set[int] | frozenset[int] = frozenset(), *, one_company: bool = False
) -> list[StockPick]:
    """Picks from the document's content lines, minus the lines in `skip` (related-report lists).
    `one_company`: a company note, whose tables of rated peers are comparisons, not picks."""
    lines = [line for line in document.content_lines() if line.index not in skip]
    recommended: list[_Item] = []
    beneficiaries: list[_Item] = []
    for position, line in enumerate(lines):
        for trigger in _TRIGGER_RE.finditer(line.folded):
            found = _list_after(document, lines, position, trigger.end())
            if trigger.group().startswith("投资建议"):
                # The label is mostly followed by prose ("投资建议：晶圆代工景气向上，…"); only
                # a list of stocks given with codes or reasons counts.
                marked = sum(bool(item.code or item.described) for item in found)
                if not (marked == len(found) or marked >= _MIN_DESCRIBED):
                    found = []
            (beneficiaries if _BENEFICIARY_RE.fullmatch(trigger.group()) else recommended).extend(found)
    # "推荐标的：中际旭创、新易盛；受益标的：长芯博创": where a note recommends, the stocks it
    # only says benefit are not its picks; a note that lists beneficiaries alone picks those.
    if not one_company:
        recommended.extend(_Item(name, None, None, evidence) for name, evidence in favourites_in_prose(document, lines))
    listed = recommended or beneficiaries
    picks = _merge([], listed, add=True)
    known = {name_key(p.name) for p in picks}
    for header, is_pick_table in _tables(lines):
        rows = _table_rows(lines, header, known, bare_codes=_CODE_COLUMN_RE.search(lines[header].folded) is not None)
        picks = _merge(picks, rows, add=is_pick_table)
        known |= {name_key(p.name) for p in picks}
    picks = _merge(picks, _rated_rows(lines), add=not one_company)
    if not one_company:
        # The note's own rated-companies table is its list of stocks when it names no picks
        # otherwise; beside a "Top picks" line it only fills in codes and ratings.
        rated = [_Item(name, ticker, rating, evidence) for name, ticker, rating, evidence in rated_company_table(lines)]
        if not rated and not picks:
            # Some brokers print the table only among the disclosures ("Mentioned Companies /
            # Company Rating Price Target"): still the stocks the note rates.
            every = [line for line in document.lines if line.index not in skip]
            rated = [_Item(name, ticker, rating, evidence) for name, ticker, rating, evidence in rated_company_table(every)]
        picks = _merge(picks, rated, add=not picks)
        fill_from_brackets(picks, lines)
    return picks


# --- covered-companies tables, however the text layer runs their rows together ---------------
# "301308.SZ 江波龙 1341.39 1.19 2.81 5.05 219.30 93.58 52.06 买入300433.SZ 蓝思科技 …": a code,
# a name, at least two figures and a rating, on a page whose table speaks of ratings and of
# EPS / PE / 盈利预测. Both orders (code first, name first) are read; a row without a rating
# is not read, one marked 未评级 (a consensus forecast beside the rated ones) is listed as such.
_ROW_CODE = r"\d{6}\.(?:SH|SZ|BJ)|\d{4,5}\.HK"
_ROW_RATING = (
    r"买入|增持|强烈推荐|谨慎推荐|推荐|优于大市|跑赢行业|强于大市|中性|持有|未评级|无评级|"
    r"Buy|Outperform|Overweight|Accumulate|Neutral|Hold"
)
# "天岳先进*": a star marks a consensus (unrated) forecast; it is no part of the name.
_ROW_NAME = rf"[{CJK}A-Za-z][{CJK}A-Za-z\-]{{1,9}}"
_ROW_FIGURES = r"(?:\s*(?:-?[\d,]+(?:\.\d+)?%?\*?|--|-|NA|N/A)\s+){2,}"  # "0.11*": a consensus figure
_RATED_ROW_RES = (
    re.compile(rf"(?P<code>{_ROW_CODE})\s*(?P<name>{_ROW_NAME})\*?\s+{_ROW_FIGURES}(?P<rating>{_ROW_RATING})"),
    re.compile(rf"(?<![{CJK}A-Za-z])(?P<name>{_ROW_NAME})\*?\s*[（(]?(?P<code>{_ROW_CODE})[）)]?\s+{_ROW_FIGURES}(?P<rating>{_ROW_RATING})"),
)
_FORECAST_TABLE_RE = re.compile(r"EPS|PE|P/E|盈利预测|每股收益|市盈率|估值")
_RATING_WORD_RE = re.compile(r"评级|rating", re.IGNORECASE)


def _rated_rows(lines: list[TextLine]) -> list[_Item]:
    pages = {
        line.page for line in lines if _FORECAST_TABLE_RE.search(line.folded)
    } & {line.page for line in lines if _RATING_WORD_RE.search(line.folded)}
    items: list[_Item] = []
    for line in lines:
        if line.page not in pages:
            continue
        for pattern in _RATED_ROW_RES:
            for match in pattern.finditer(line.folded):
                name = tidy(match.group("name"))
                if not is_stock_name(name):
                    continue
                code = normalize_code(match.group("code"))
                evidence = line.evidence(match.start(), match.end())
                items.append(_Item(name, canonical_code(code) if code else None, match.group("rating"), evidence))
    return items


# --- lists ---------------------------------------------------------------------------


def _list_after(document: Document, lines: list[TextLine], position: int, start: int) -> list[_Item]:
    """The items listed after a trigger that ends at `start` in lines[position]."""
    after = _AFTER_TRIGGER_RE.match(lines[position].folded, start)
    assert after is not None  # the pattern matches the empty string
    start = after.end()
    group = _DESCRIBED_GROUP_RE.match(lines[position].folded, start)
    if group is not None:
        start = group.end()  # "建议关注智驾能力领先的主机厂，如小鹏汽车、…": the list after 如
    pieces: list[tuple[TextLine, int, int]] = []  # (line, start, end) of list text
    for line in lines[position : position + _MAX_LIST_LINES]:
        text = line.folded
        begin = start if line is lines[position] else 0
        end_match = _list_end(text, begin)
        end = end_match.start() if end_match else len(text)
        next_trigger = _TRIGGER_RE.search(text, begin, end)  # "…；受益标的：…" starts another list
        if next_trigger is not None:
            end, end_match = next_trigger.start(), next_trigger
        pieces.append((line, begin, end))
        if end_match or not _CONTINUES_RE.search(text[begin:end]):
            break
    if not lines[position].folded[start:].strip():
        return _grouped_lists(document, lines[position + 1 : position + 1 + _MAX_LIST_LINES])
    items = _parse_items(document, pieces, reasons=True)
    described = sum(item.described for item in items)
    if 0 < described < _MIN_DESCRIBED:
        items = _parse_items(document, pieces, reasons=False)
    return items


_GROUP_LINE_RE = re.compile(rf"^\s*(?:[a-zA-Z\d]{{1,2}}\s*[)）.、]\s*)?[{CJK}A-Za-z]{{1,8}}\s*[:：]")


def _grouped_lists(document: Document, following: list[TextLine]) -> list[_Item]:
    """A trigger alone on its line, the lists on the lines below, one per group:
    "产业链相关公司：" / "a）上游：赣锋锂业、天齐锂业等；" / "b）中游：…". Read while the lines
    are such group lists."""
    items: list[_Item] = []
    for line in following:
        group = _GROUP_LINE_RE.match(line.folded)
        if group is None:
            break
        end_match = _list_end(line.folded, group.end())
        end = end_match.start() if end_match else len(line.folded.rstrip(" ;；"))
        found = _parse_items(document, [(line, group.end(), end)], reasons=False)
        if not found:
            break
        items.extend(found)
    return items


def _parse_items(document: Document, pieces: list[tuple[TextLine, int, int]], *, reasons: bool) -> list[_Item]:
    items: list[_Item] = []
    for raw_items in _split(pieces):
        item = _parse_item(document, raw_items, reasons=reasons)
        if item is None:
            break  # the list (or what looked like one) ends here
        items.append(item)
    return items


def _list_end(text: str, begin: int) -> re.Match[str] | None:
    for match in _LIST_END_RE.finditer(text, begin):
        if match.group() == "." and _ABBREVIATION_RE.search(text[: match.start()]):
            continue
        return match
    return None


def _split(pieces: list[tuple[TextLine, int, int]]) -> list[list[tuple[TextLine, int, int]]]:
    """Cut the list text into items at top-level separators; an item may span lines."""
    items: list[list[tuple[TextLine, int, int]]] = []
    current: list[tuple[TextLine, int, int]] = []
    for line, begin, end in pieces:
        text = line.folded
        cursor = begin
        depth = 0
        index = begin
        while index < end:
            ch = text[index]
            depth += ch == "("
            depth -= ch == ")" and depth > 0
            separator = _SEPARATORS_RE.match(text, index) if depth == 0 else None
            if separator is not None and separator.end() > index:
                current.append((line, cursor, index))
                items.append(current)
                current, cursor, index = [], separator.end(), separator.end()
                continue
            index += 1
        if cursor < end:
            current.append((line, cursor, end))
    if current:
        items.append(current)
    return [part for item in items for part in _split_joined(item) if any(ln.folded[b:e].strip() for ln, b, e in part)]


def _split_joined(item: list[tuple[TextLine, int, int]]) -> list[list[tuple[TextLine, int, int]]]:
    if len(item) != 1:
        return [item]
    line, begin, end = item[0]
    joined = _JOINED_NAMES_RE.match(line.folded[begin:end])
    if joined is None or len(joined.group().strip()) < 6:
        return [item]
    cut = begin + joined.start("joint")
    return [[(line, begin, cut)], [(line, cut + 1, end)]]


def _parse_item(document: Document, parts: list[tuple[TextLine, int, int]], *, reasons: bool) -> _Item | None:
    first_line, first_start, _ = parts[0]
    last_line, _, last_end = parts[-1]
    text = "".join(line.folded[b:e] if i == 0 else "\n" + line.folded[b:e] for i, (line, b, e) in enumerate(parts))
    leading = len(text) - len(text.lstrip())
    text = text.strip()
    if ":" in text and not _PAREN_RE.search(text.split(":")[0]):
        head, _, tail = text.rpartition(":")
        if len(head) <= 12:  # "游戏：腾讯控股" — a group label
            leading += len(head) + 1 + (len(tail) - len(tail.lstrip()))
            text = tail.strip()
    lead = _LEAD_WORDS_RE.match(text)
    if lead and is_stock_name(text[lead.end():].split("(")[0].strip()):
        leading += lead.end()
        text = text[lead.end():]
    code = rating = None
    described = False
    name_text = text
    paren = _PAREN_RE.search(text)
    if paren is not None:
        name_text = text[: paren.start()]
        code, rating = _code_and_rating(paren.group(1))
        described = code is None and rating is None and reasons and bool(_DESCRIPTION_RE.fullmatch(paren.group(1)))
        if code is None and rating is None and not described:
            return None  # "(含税)", "(2024年)": not a stock's code
    else:
        codes = find_codes(text)
        if codes:
            name_text = text[: codes[0].start()]
            code = normalize_code(codes[0].group())
    name = tidy(name_text.replace("\n", " "))
    if not is_stock_name(name):
        return None
    quote_start = first_start + leading
    evidence = document.quote_between(first_line, last_line, quote_start, last_end if parts[-1][0] is last_line else None)
    evidence = Evidence(evidence.page, evidence.quote.rstrip(" 、,;"))
    return _Item(name, code, rating, evidence, described)


def _code_and_rating(inside: str) -> tuple[str | None, str | None]:
    whole = normalize_code(inside)
    if whole is not None:
        return whole, None
    code = rating = None
    for token in re.split(r"[,、/;]\s*|\s{2,}", inside):
        token = token.strip()
        code = code or normalize_code(token)
        rating = rating or term_of(token)
    return code, rating


# --- tables --------------------------------------------------------------------------


def _tables(lines: list[TextLine]) -> list[tuple[int, bool]]:
    """(header line position, is a pick table) for each table that may carry picks."""
    found = []
    for position, line in enumerate(lines):
        text = line.folded
        if len(text) > 120 or _CAPTION_RE.match(text):
            continue
        columns = (
            bool(_NAME_COLUMN_RE.search(text)) + bool(_CODE_COLUMN_RE.search(text)) + bool(_RATING_COLUMN_RE.search(text))
        )
        own_trigger = _TRIGGER_RE.search(text) is not None
        if columns < 2 and not (own_trigger and columns >= 1):
            continue
        if sum(ch.isdigit() for ch in text) > len(text) // 3:
            continue  # a data row, not a header
        caption = next(
            (lines[k].folded for k in range(position - 1, max(-1, position - 3), -1) if _CAPTION_RE.match(lines[k].folded)),
            "",
        )
        is_pick = own_trigger or bool(_PICK_CAPTION_RE.search(caption))
        if is_pick or _RATING_COLUMN_RE.search(text):
            found.append((position, is_pick))
    return found


def _table_rows(lines: list[TextLine], header: int, known: set[str], *, bare_codes: bool) -> list[_Item]:
    """Rows under a header; `bare_codes`: the header has a code column, so a bare
    "600519" cell is a code."""
    rows: list[_Item] = []
    header_rows = _row_segments(lines[header], bare_codes)
    for line in lines[header : header + 40]:
        if line is not lines[header] and _TABLE_END_RE.match(line.folded):
            break
        segments = header_rows if line is lines[header] else _row_segments(line, bare_codes)
        if line is lines[header] and not segments:
            continue  # a plain header row
        parsed = [_parse_row(line, start, end, bare_codes) for start, end in segments or [(0, len(line.folded))]]
        if not parsed or parsed[0] is None:
            break
        for row in parsed:
            if row is None:
                break
            if row.code is None and row.rating is None and name_key(row.name) not in known:
                return rows  # a bare name under a table may be the next heading ("一年行业表现")
            rows.append(row)
    return rows


def _row_codes(text: str, bare_codes: bool) -> list[re.Match[str]]:
    codes = find_codes(text)
    if bare_codes:
        codes += [m for m in _BARE_CODE_RE.finditer(text) if not any(c.start() <= m.start() < c.end() for c in codes)]
    return sorted(codes, key=lambda m: m.start())


def _row_segments(line: TextLine, bare_codes: bool = False) -> list[tuple[int, int]]:
    """Spans of the rows in a line. Text extraction sometimes runs rows together
    ("…13.2 增持000630.SZ 铜陵有色 …") or a header into its first row; with codes leading
    the rows, a line is cut before each code. A header line gives only the row glued to it."""
    text = line.folded
    codes = _row_codes(text, bare_codes)
    if not codes:
        return []
    if not text[: codes[0].start()].strip():  # code-first rows
        cuts = [m.start() for m in codes]
        return [(a, b) for a, b in zip(cuts, cuts[1:] + [len(text)])]
    return [(0, len(text))] if len(codes) == 1 else []


def _parse_row(line: TextLine, start: int = 0, end: int | None = None, bare_codes: bool = False) -> _Item | None:
    text = line.folded[: len(line.folded) if end is None else end]
    codes = [m for m in _row_codes(text, bare_codes) if m.start() >= start]
    tokens = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", text) if m.start() >= start]
    code_spans = [(m.start(), m.end()) for m in codes]

    def is_cell_value(token: tuple[int, int, str]) -> bool:
        begin, _, value = token
        return (
            any(s <= begin < e for s, e in code_spans) or _NUMBER_CELL_RE.match(value) is not None or term_of(value) is not None
        )

    name_tokens: list[tuple[int, int, str]] = []
    if codes and codes[0].start() > start and text[start : codes[0].start()].strip():
        # Name first: the longest run of words right before the code that reads as a name
        # (a header glued in front — "Company Ticker Rating … DBS Group D05 SP" — drops off).
        before = [t for t in tokens if t[1] <= codes[0].start()]
        run: list[tuple[int, int, str]] = []
        for token in reversed(before):
            if is_cell_value(token):
                break
            run.insert(0, token)
        while run and not is_stock_name(" ".join(t[2] for t in run)):
            run.pop(0)
        name_tokens = run
    else:
        for token in tokens:
            if is_cell_value(token):
                if name_tokens:
                    break
                continue
            name_tokens.append(token)
    if not name_tokens:
        return None
    name = tidy(" ".join(t for _, _, t in name_tokens))
    if not is_stock_name(name):
        return None
    after_name = name_tokens[-1][1]
    rating = next(
        (t[2] for t in tokens if t[0] >= after_name and term_of(t[2]) and not any(s <= t[0] < e for s, e in code_spans)),
        None,
    )
    code = normalize_code(codes[0].group()) if codes else None
    row_end = len(text.rstrip())
    row_start = name_tokens[0][0] if codes and codes[0].start() > name_tokens[0][0] else start
    return _Item(name, code, rating, line.evidence(row_start, row_end))


# --- merging -------------------------------------------------------------------------


def _merge(picks: list[StockPick], items: list[_Item], *, add: bool) -> list[StockPick]:
    by_key = {name_key(p.name): p for p in picks}
    by_code = {p.code: p for p in picks if p.code}
    merged = list(picks)
    for item in items:
        existing = by_key.get(name_key(item.name)) or (by_code.get(item.code) if item.code else None)
        if existing is not None:
            existing.code = existing.code or item.code
            existing.rating = existing.rating or item.rating
            if existing.code:
                by_code[existing.code] = existing
            continue
        if not add:
            continue
        pick = StockPick(item.name, item.code, item.rating, item.evidence)
        merged.append(pick)
        by_key[name_key(pick.name)] = pick
        if pick.code:
            by_code[pick.code] = pick
    return merged
