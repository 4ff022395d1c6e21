"""Earnings-forecast tables as data: 营业收入 / 归母净利润 / EPS / PE … by year, with units.

A forecast table in the text layer is a header line of fiscal periods ("会计年度 2024A 2025A
2026E 2027E", "人民币百万元 2023 2024 2025E", "FY Dec 2025E 2026E", "01/26e 01/27e") followed
by rows of a label and one value per period. Rows are read only when they carry exactly one
value per period: a row with fewer values (a "previous forecast" printed for two of five
years) cannot be aligned to its columns without the page geometry, so it is left out rather
than shifted into the wrong year. Each cell keeps its row as evidence.

What a row measures (`metric`) is named from its label by a small vocabulary; a growth row
("同比（%）", "YoY") measures the growth of the row above it. A label outside the vocabulary
keeps `metric=None` and its printed label.
"""

from __future__ import annotations

import re

from report_rag.extract.evidence import Document, TextLine, tidy
from report_rag.extract.securities import is_stock_name
from report_rag.text import CJK, canonical_code, find_codes, normalize_code
from report_rag.types import Evidence, Forecast

# One fiscal period: 2026E, 2025A, 2024, FY25E, FY2026E, 01/26e (NVIDIA's January year-end), 2026F.
_PERIOD_RE = re.compile(
    r"^(?:(?:FY)?(?P<year>20\d\d)|FY(?P<short>\d\d)|(?P<month>[01]\d)/(?P<my>\d\d))(?P<flag>A/E|[AEFPaefp])?$"
)
_MIN_PERIODS = 2
_MAX_ROWS = 40  # a table is a page block, not the rest of the document
_MAX_GAP = 3
_MAX_LABEL = 60  # longer "labels" are sentences that end in numbers  # lines without a row (a wrapped label, a blank sub-header) before the table ends
# A value cell: 1,234.5 / (9.70) / -2.7% / 25.3x / €4,190.0A / $47,243M / 0.81E.
_NUMBER_RE = re.compile(r"^(?:US\$|HK\$|[$€£¥])?\(?[-−–+]?(?:\d[\d,]*(?:\.\d+)?|\.\d+)\)?(?:%|x|倍|[AEMB])?$")
_EMPTY_CELL_RE = re.compile(r"^(?:-|—|–|--|n\.?a\.?|nm|n\.m\.|NA|NM)$", re.IGNORECASE)
_UNIT_RE = re.compile(r"[（(]([^（）()]{1,24})[）)]")
_HEADER_UNIT_RE = re.compile(r"(?:人民币|港币|港元|美元)?(?:百万|千|亿|万)?元|(?:RMB|HK\$|US\$|\$|EUR|€)\s*(?:m|mn|bn|million)", re.I)

# label fragment → metric; the first match wins, so the specific forms come first.
_METRICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("growth", re.compile(r"同比|增速|增长率|yoy|growth|y/y|变动|%\s*ch", re.I)),
    ("not_a_forecast", re.compile(r"营业外|非经常|占.{0,6}收入|%\s*(?:of\s+)?(?:营业)?收入|% of (?:revenue|sales)", re.I)),
    ("ev_ebitda", re.compile(r"ev\s*/\s*ebitda", re.I)),
    ("ev_sales", re.compile(r"ev\s*/\s*(?:revenue|sales)|市销率|\bp/?s\b", re.I)),
    ("price_to_cash_flow", re.compile(r"p\s*/\s*c\s*(?:eps|f)\b|市现率", re.I)),
    ("eps", re.compile(r"eps|每股收益|每股盈利|每股净利|earnings per share", re.I)),
    ("dps", re.compile(r"\bdps\b|每股股利|每股分红|dividend per share", re.I)),
    ("pe", re.compile(r"\bp/?e\b|(?-i:\bPER\b)|市盈率|^pe\s*[（(]", re.I)),
    ("pb", re.compile(r"\bp/?bv?\b|\bpbr\b|市净率", re.I)),
    ("roe", re.compile(r"roe|净资产收益率", re.I)),
    ("gross_margin", re.compile(r"毛利率|gross margin", re.I)),
    ("margin", re.compile(r"利润率|净利率|margin", re.I)),
    ("ebitda", re.compile(r"ebitda", re.I)),
    ("net_profit", re.compile(r"净利|net (?:income|profit|earnings)|归属|归母", re.I)),
    ("revenue", re.compile(r"收入|营收|revenue|sales|turnover", re.I)),
    ("dividend_yield", re.compile(r"股息率|dividend yield|\bdy\b", re.I)),
)
# Ratios and percentages: a table's money unit ("单位:百万元") is not theirs.
_UNITLESS = re.compile(r"^(?:pe|pb|ev_ebitda|ev_sales|price_to_cash_flow|roe|gross_margin|margin|dividend_yield)$|_growth$")
_PREVIOUS_RE = re.compile(r"^前|原预测|previous|prior|old\b", re.I)


def find_forecasts(document: Document) -> list[Forecast]:
    """Every cell of every forecast table in the report, in reading order."""
    lines = document.content_lines()
    found: list[Forecast] = []
    seen: set[tuple[int, str, str]] = set()
    position = 0
    while position < len(lines):
        header = _read_header(lines[position].folded, lines[position].text)
        if header is None:
            position += 1
            continue
        periods, header_label = header
        columns = lines[position].text
        unit_default = _header_unit(header_label) or _header_unit_above(lines, position)
        block_label = _label_above(lines, position)
        rows, position = _read_rows(lines, position + 1, len(periods), block_label)
        # Side-by-side tables: a growth row follows the row above it in its own table.
        previous_metric: dict[int, str | None] = {}
        for line, column, label, values in rows:
            metric = metric_of(label, previous_metric.get(column))
            if metric is None or "growth" not in metric:
                previous_metric[column] = metric.removesuffix("_previous") if metric else None
            unit = _unit(label) or (None if metric and _UNITLESS.search(metric) else unit_default)
            for period, value in zip(periods, values, strict=True):
                if value is None:
                    continue
                key = (line.page, label, period)
                if key in seen:  # one row read twice (side-by-side tables repeat 净利润)
                    continue
                seen.add(key)
                year, estimate = _fiscal_year(period)
                found.append(Forecast(
                    metric=metric, label=label, period=period, year=year, estimate=estimate,
                    value=value, unit=unit, evidence=line.evidence(), columns=columns,
                ))
    return found


def _read_header(text: str, printed: str) -> tuple[list[str], str] | None:
    """(periods, the label before them) when the line is a table's period header. Two tables
    side by side print their headers on one line ("会计年度 2024A … 2027E 会计年度 2024A …"):
    the columns are the first header's, and the rows are read segment by segment."""
    segments = _segments(_tokens(text), printed, _PERIOD_RE)
    if not segments:
        return None
    label, periods = segments[0]
    if len(periods) < _MIN_PERIODS or not _consecutive(periods):
        return None
    if any(other != periods for _, other in segments[1:]):
        return None
    if re.search(r"\d", label) and not re.search(r"年结|12\s*月|fy|dec|fye", label, re.I):
        return None  # "2025/3/21 2025/7/20 …" axes and sentences with numbers are not headers
    return periods, label


def _tokens(folded: str) -> list[tuple[str, int, int]]:
    return [(found.group(), found.start(), found.end()) for found in re.finditer(r"\S+", folded)]


def _segments(
    tokens: list[tuple[str, int, int]], printed: str, cell: re.Pattern[str], *, empty_cells: bool = False
) -> list[tuple[str, list[str]]]:
    """A line as (label, cells) segments: label words, then a run of cells, then the next
    label. Tokens are matched in the folded text; labels are sliced from the printed text
    (same offsets), so a label reads as the page prints it. A line that ends in words after
    its last cells is a sentence, not a row."""
    segments: list[tuple[str, list[str]]] = []
    words: list[tuple[int, int]] = []
    cells: list[str] = []

    def label() -> str:
        return printed[words[0][0] : words[-1][1]] if words else ""

    for token, start, end in tokens:
        if cell.match(token) or (empty_cells and cells and _EMPTY_CELL_RE.match(token)):
            cells.append(token)
            continue
        if cells:
            segments.append((label(), cells))
            words, cells = [], []
        words.append((start, end))
    if cells:
        segments.append((label(), cells))
    elif words and segments:
        return []
    return segments


def _label_above(lines: list[TextLine], position: int) -> str | None:
    """A metric named on the line above a header ("Adj. EPS ($)" over "2025A 2026E 2027E")."""
    if position == 0:
        return None
    text = lines[position - 1].folded.strip()
    if len(text) > 40 or re.search(r"\d{3}", text):
        return None
    return text if metric_of(text, None) not in (None,) else None


def _header_unit_above(lines: list[TextLine], position: int) -> str | None:
    if position == 0:
        return None
    found = re.search(r"单位\s*[:：]\s*((?:人民币|港币|港元|美元)?(?:百万|千|亿|万)?元)", lines[position - 1].folded)
    return found.group(1) if found else None


def _consecutive(periods: list[str]) -> bool:
    years = [_fiscal_year(p)[0] for p in periods]
    return all(b == a + 1 for a, b in zip(years, years[1:], strict=False))


def _read_rows(
    lines: list[TextLine], start: int, width: int, block_label: str | None
) -> tuple[list[tuple[TextLine, int, str, list[float | None]]], int]:
    """The table's rows: a row is label + one value per period. A label wrapped above its
    values ("归属母公司净利润" / "(百万元)" / "9,607 …") is joined; quarter rows of a quarterly
    block ("Revenue 1Q …", "2Q …") only name the block, whose "FY" row is the year's."""
    rows: list[tuple[TextLine, int, str, list[float | None]]] = []
    gap = 0
    pending: list[str] = []
    position = start
    while position < len(lines) and len(rows) < _MAX_ROWS and gap <= _MAX_GAP:
        line = lines[position]
        if _read_header(line.folded, line.text) is not None:
            break  # the next table starts
        segments = _row_segments(line, width)
        if segments is None:
            gap += 1
            text = line.text.strip()
            if len(text) <= 30 and not re.search(r"\d{2}", text):
                pending.append(text)
            else:
                pending = []
            position += 1
            continue
        gap = 0
        for column, (label, values) in enumerate(segments):
            if not label and pending:
                label = "".join(pending)
            quarter = _QUARTER_RE.match(label)
            if quarter:
                block_label = quarter.group(1).strip() or block_label
                continue
            annual = _ANNUAL_RE.match(label)
            if annual:
                if not block_label:
                    continue
                label = f"{block_label} previous" if annual.group("previous") or annual.group("after") else block_label
            if len(label) > _MAX_LABEL or _CONSENSUS_RE.search(label) or not re.search(r"[A-Za-z\u4e00-\u9fff]", label):
                continue
            rows.append((line, column, label, values))
        pending = []
        position += 1
    return rows, position


_QUARTER_RE = re.compile(r"^(.*?)\s*(?:[1-4]Q|Q[1-4]|[12]H|H[12])E?$", re.I)
_ANNUAL_RE = re.compile(r"^(?:(?P<previous>previous|prior)\s+)?(?:FY|Year|Full year|全年)(?:\s+(?P<after>previous|prior))?$", re.I)
_CONSENSUS_RE = re.compile(r"consensus|一致预期|市场预期|street", re.I)


def _row_segments(line: TextLine, width: int) -> list[tuple[str, list[float | None]]] | None:
    tokens = [token for token in _tokens(line.folded) if token[0] not in _CURRENCY_TOKENS]
    segments = _segments(tokens, line.text, _NUMBER_RE, empty_cells=True)
    if not segments or any(len(cells) != width for _, cells in segments):
        return None  # a row of another width: another table's, or a sentence with numbers
    out: list[tuple[str, list[float | None]]] = []
    for label, cells in segments:
        values = [_number(cell) for cell in cells]
        if all(value is None for value in values):
            return None
        if all(re.fullmatch(r"20\d\d", cell) for cell in cells) and cells == sorted(set(cells)):
            return None  # a repeated header or a table of years ("贝克休斯 2025 2028"), not values
        out.append((label.strip(" :："), values))
    return out


_CURRENCY_TOKENS = frozenset({"$", "US$", "€", "£", "¥", "HK$", "RMB"})


def _number(cell: str) -> float | None:
    if _EMPTY_CELL_RE.match(cell):
        return None
    bare = re.sub(r"^(?:US\$|HK\$|[$€£¥])|(?:%|x|倍|[AEMB])$", "", cell)
    negative = bare.startswith("(") and bare.endswith(")")
    digits = re.sub(r"[^\d.\-+]", "", bare.replace("−", "-").replace("–", "-"))
    try:
        value = float(digits)
    except ValueError:
        return None
    return -value if negative else value


def metric_of(label: str, previous_metric: str | None = None) -> str | None:
    """What a row label measures ("revenue", "eps", "net_profit_growth" …), or None. A growth
    row measures the metric its label names ("EBITDA y/y Growth"), else the row above's."""
    for metric, pattern in _METRICS:
        if not pattern.search(label):
            continue
        if metric == "not_a_forecast":
            return None
        if metric == "growth":
            named = metric_of(pattern.sub(" ", label))
            base = named.removesuffix("_previous") if named else previous_metric
            return f"{base}_growth" if base else None
        return f"{metric}_previous" if _PREVIOUS_RE.search(label) else metric
    return None


def _unit(label: str) -> str | None:
    units: list[str] = [u.strip() for u in _UNIT_RE.findall(label)]
    for unit in reversed(units):
        if re.search(r"元|%|倍|[$€£¥]|rmb|hk|us|eur|usd|cny|x\b|m\b|mn|bn|million", unit, re.I):
            return unit
    return None


def _header_unit(label: str) -> str | None:
    found = _HEADER_UNIT_RE.search(label)
    return found.group(0) if found else None


def _fiscal_year(period: str) -> tuple[int, bool]:
    found = _PERIOD_RE.match(period)
    assert found is not None
    if found.group("year"):
        year = int(found.group("year"))
    elif found.group("short"):
        year = 2000 + int(found.group("short"))
    else:
        year = 2000 + int(found.group("my"))  # 01/26: the fiscal year ending January 2026
    flag = (found.group("flag") or "").upper()
    return year, flag in ("E", "F", "P", "A/E")  # "2025A/E": a forecast where no report is out yet


def forecast_rows(forecasts: list[Forecast]) -> list[list[Forecast]]:
    """The cells grouped back into table rows (cells in period order), rows in reading order."""
    rows: dict[tuple[int, str, str], list[Forecast]] = {}
    for cell in forecasts:
        rows.setdefault((cell.evidence.page, cell.evidence.quote, cell.label), []).append(cell)
    return list(rows.values())


def headline_table(forecasts: list[Forecast]) -> list[list[Forecast]]:
    """The rows of the report's first forecast table that has a named metric — a company
    note's 盈利预测 summary on page 1 — skipping the appendix statements that follow and
    the covered-companies tables (their rows are other stocks')."""
    own = [cell for cell in forecasts if cell.security is None]  # not a covered stock's row
    first = next((cell for cell in own if cell.metric), None)
    if first is None:
        return []
    return [row for row in forecast_rows(own)
            if row[0].evidence.page == first.evidence.page and row[0].columns == first.columns]


# --- covered-companies tables of industry notes ---------------------------------------------
# "代码 公司 收盘价 EPS（元/股） PE 评级 2023A 2024A 2025A/E 2023A 2024A 2025A/E" then rows
# "300750.SZ 宁德时代 386.46 9.67 11.12 15.82 11 40 35 买入": the periods repeat once per
# metric, the metrics are named in that order on the header line or a few lines above it,
# and each row gives a stock's code and name, then its figures, the metrics' columns last.

_COVERED_METRICS = frozenset({"eps", "pe", "pb", "roe", "net_profit", "revenue", "ev_ebitda", "ev_sales", "dps"})
_METRIC_LOOKBACK = 6
_ROW_NUMBER_RE = re.compile(r"^\(?-?[\d,]+(?:\.\d+)?\)?%?$|^(?:-|--|NA|N/A|nm)$", re.IGNORECASE)
_ROW_NAME_RE = re.compile(rf"[{CJK}A-Za-z][{CJK}A-Za-z\-*]{{1,11}}")


def find_covered_forecasts(document: Document) -> list[Forecast]:
    """Per-stock cells of every covered-companies table (EPS / PE … by year, per stock)."""
    lines = document.content_lines()
    found: list[Forecast] = []
    for position, line in enumerate(lines):
        groups = _repeated_periods(line.folded)
        if groups is None:
            continue
        periods, repeats = groups
        metrics = _metric_columns(lines, position, repeats)
        if metrics is None:
            continue
        for row_line in lines[position + 1 : position + 1 + _MAX_ROWS]:
            if row_line.page != line.page or _repeated_periods(row_line.folded) is not None:
                break
            for row in _stock_rows(row_line):
                found.extend(_covered_cells(row_line, line.text, row, periods, metrics))
    return found


def _repeated_periods(text: str) -> tuple[list[str], int] | None:
    """(periods, times) when the line ends in one run of periods repeated 2-4 times."""
    tokens = text.split()
    run: list[str] = []
    while tokens and _PERIOD_RE.match(tokens[-1]):
        run.insert(0, tokens.pop())
    for size in (5, 4, 3, 2):
        for repeats in (4, 3, 2):
            if len(run) == size * repeats:
                first = run[:size]
                if all(run[i * size : (i + 1) * size] == first for i in range(repeats)) and _consecutive(first):
                    return first, repeats
    return None


def _metric_columns(lines: list[TextLine], position: int, repeats: int) -> list[tuple[str, str]] | None:
    """The metrics (metric, printed word) of the repeated column groups, in order: named on
    the header line or on one of the few lines above it, exactly one per group."""
    for back in range(_METRIC_LOOKBACK + 1):
        if position - back < 0:
            break
        line = lines[position - back]
        named: list[tuple[str, str]] = []
        for token in re.finditer(r"[A-Za-z/]+(?:[（(][^）)]*[）)])?|[\u4e00-\u9fff]+(?:[（(][^）)]*[）)])?", line.folded):
            metric = metric_of(token.group())
            if metric in _COVERED_METRICS:
                named.append((metric, line.text[token.start() : token.end()]))  # as printed
        if len(named) == repeats:
            return named
    return None


def _stock_rows(line: TextLine) -> list[tuple[str, str, list[str], str]]:
    """(name, code, the figures' tokens, the row's text) for each stock row on the line —
    rows the text layer ran together are cut at each stock code."""
    text = line.folded
    codes = [m for m in find_codes(text) if re.search(r"\d", m.group())]
    rows = []
    for index, code in enumerate(codes):
        end = codes[index + 1].start() if index + 1 < len(codes) else len(text)
        after = text[code.end() : end]
        name_match = _ROW_NAME_RE.match(after.strip())
        # "Tencent 0700.HK Alicia Yap, CFA HKD 611.50 …": a row that opens with the name has
        # it before the code, and what follows the code is another column (the analyst).
        before = tidy(text[: code.start()]) if index == 0 else ""
        if before and is_stock_name(before):
            name = before
        elif name_match is not None and is_stock_name(tidy(name_match.group().rstrip("*"))):
            name = tidy(name_match.group().rstrip("*"))
        else:
            continue
        rest = after.strip()[name_match.end() :].split() if name_match is not None else after.split()
        figures: list[str] = []
        for token in rest:
            if _ROW_NUMBER_RE.match(token):
                figures.append(token)
            elif figures:
                break  # the rating (or the next column of words) ends the figures
        normalized = normalize_code(code.group())
        if normalized is None:
            continue
        rows.append((name, canonical_code(normalized), figures, line.text[code.start() : end].strip()))
    return rows


def _covered_cells(
    line: TextLine, header: str, row: tuple[str, str, list[str], str], periods: list[str], metrics: list[tuple[str, str]]
) -> list[Forecast]:
    name, code, figures, row_text = row
    width = len(periods) * len(metrics)
    if len(figures) < width:
        return []  # a row with fewer figures than columns cannot be aligned: left out
    cells = figures[len(figures) - width :]
    out: list[Forecast] = []
    for group, (metric, label) in enumerate(metrics):
        for offset, period in enumerate(periods):
            value = _number(cells[group * len(periods) + offset])
            if value is None:
                continue
            year, estimate = _fiscal_year(period)
            out.append(Forecast(
                metric=metric, label=label, period=period, year=year, estimate=estimate, value=value,
                unit=_unit(label), evidence=Evidence(line.page, row_text or line.text), columns=header,
                security=name, security_code=code,
            ))
    return out
