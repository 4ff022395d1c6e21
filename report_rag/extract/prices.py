"""Target price and current price, with the currency as printed (元 -> CNY, HK$ -> HKD,
US$ -> USD, NT$ -> TWD …; None when no currency is printed — never assumed from the
market).

Labelled values come first (目标价格 1880.00元, "Target price: HK$480.00", "Price (14 Aug
2024) HK$375.80", 当前股价 / 收盘价 / Last close); a target price stated in prose (给予目标价
62.00元, "lift our target price to HK$480.00 (from HK$455.00)") is used when no label
gives one, and only with its currency. The first value after the label is the price: a
"(from …)" old target never is.
"""

from __future__ import annotations

import re

from report_rag.extract.evidence import Document, TextLine
from report_rag.extract.ratings import EN_TERM
from report_rag.types import Price

_AMOUNT = r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_PREFIX_CURRENCY = r"(?P<prefix>HK\$|US\$|NT\$|S\$|A\$|RMB|CNY|HKD|USD|TWD|SGD|Rp|¥|￥|\$)"
_SUFFIX_CURRENCY = r"(?P<suffix>港元|港币|美元|人民币元|人民币|新台币|元|HKD|USD|CNY|RMB|TWD|SGD)"
_VALUE = rf"(?:{_PREFIX_CURRENCY}\s?)?{_AMOUNT}(?:\s?{_SUFFIX_CURRENCY})?(?![\d%])"
_CURRENCIES = {
    "HK$": "HKD", "港元": "HKD", "港币": "HKD", "HKD": "HKD",
    "US$": "USD", "美元": "USD", "USD": "USD", "$": "USD",
    "NT$": "TWD", "新台币": "TWD", "TWD": "TWD",
    "S$": "SGD", "SGD": "SGD", "A$": "AUD", "Rp": "IDR",
    "元": "CNY", "人民币": "CNY", "人民币元": "CNY", "RMB": "CNY", "CNY": "CNY", "¥": "CNY", "￥": "CNY",
}
_BETWEEN = r"\s*(?:\((?P<unit>[^()]{0,24})\))?\s*[:]?\s*"  # "(元)", "(14 Aug 2024)", "(12m)"
_TARGET_LABEL = (
    r"(?:(?:6|12|六|十二)个月|一年期?)?目标价(?:格|位)?|合理价值|(?:\d{1,2}-?month\s+|12m\s+)?(?:target\s+price|price\s+target|price\s+objective)|TP|(?-i:PO)(?=\s*:)"
)
_CURRENT_LABEL = (
    r"当前股价|当前价格|当前价|最新股价|最新价|现价|最新收盘价|收盘价格?|前收盘价|昨收盘|股价|"
    r"(?:current|last|closing|share)\s+price|last\s+close"
)
# Bare "Price" / "Close" are labels only where a label can be: a line's start or after "|".
_BARE_CURRENT_LABEL = r"(?:(?:^|(?<=\|)|(?<=\|\s))\s*(?:price|close)|(?<=\s)(?-i:Price|PRICE)(?=\s*:))"
_LABEL_START = r"(?:^|(?<=[\s|·•]))"
_TARGET_RE = re.compile(rf"{_LABEL_START}(?:{_TARGET_LABEL}){_BETWEEN}{_VALUE}", re.IGNORECASE)
_CURRENT_RE = re.compile(
    rf"(?:{_LABEL_START}(?:{_CURRENT_LABEL})|{_BARE_CURRENT_LABEL}){_BETWEEN}{_VALUE}", re.IGNORECASE
)
_PROSE_TARGET_RE = re.compile(
    rf"(?:目标价(?:格|位)?|target\s+price|price\s+target|(?-i:TP))(?:\s*(?:为|至|到|of|to|at|is|:)\s*|\s*)(?P<value>{_VALUE})",
    re.IGNORECASE,
)


def find_prices(document: Document, symbol: str | None = None) -> tuple[Price | None, Price | None]:
    """(target price, current price). `symbol`: the note's own ticker symbol ("NVDA"), whose
    target may be printed only beside its rating ("We rate NVDA Outperform ($185 PT)")."""
    lines = document.content_lines()
    target = _first_labelled(lines, _TARGET_RE)
    current = _first_labelled(lines, _CURRENT_RE, exclude=_TARGET_RE)
    if target is None:
        target = _prose_target(lines)
    if target is None and symbol:
        target = _symbol_target(lines, symbol)
    return target, current


def _symbol_target(lines: list[TextLine], symbol: str) -> Price | None:
    """"NVDA Outperform ($185 PT)", "NVDA (Outperform, $185)": the symbol's own target, not a
    peer's rated in the same sentence."""
    name = re.escape(symbol)
    patterns = [
        re.compile(rf"\b{name}\s+(?:{EN_TERM})\s*\(\s*{_VALUE}\s+(?:PT|TP)\s*\)", re.IGNORECASE),
        re.compile(rf"\b{name}\s*\(\s*(?:{EN_TERM})\s*,\s*{_VALUE}\s*\)", re.IGNORECASE),
    ]
    return _first_with_currency(lines[:_SYMBOL_TARGET_LINES], patterns)


_SYMBOL_TARGET_LINES = 200


def _first_labelled(lines: list[TextLine], pattern: re.Pattern[str], exclude: re.Pattern[str] | None = None) -> Price | None:
    for line in lines:
        text = line.folded
        for match in pattern.finditer(text):
            if exclude is not None and _inside_other_label(text, match, exclude):
                continue
            if _is_range(text, match):
                continue
            price = _price(line, match)
            if price is not None and (price.currency is not None or _line_is_label_value(text, match)):
                return price
    return None


def _inside_other_label(text: str, match: re.Match[str], other: re.Pattern[str]) -> bool:
    """"Price" inside "Target price: …" belongs to the target."""
    return any(o.start() <= match.start() < o.end() for o in other.finditer(text))


def _is_range(text: str, match: re.Match[str]) -> bool:
    """"52周最高/最低 1880.10/1413.00", "US$84.95-193.47" are ranges, not a price."""
    return re.match(r"\s*[-/~～]\s*\d", text[match.end() :]) is not None


def _line_is_label_value(text: str, match: re.Match[str]) -> bool:
    """A bare number is a price only as a sidebar "label value" line of its own."""
    return match.start() == len(text) - len(text.lstrip()) and not text[match.end() :].strip()


def _prose_target(lines: list[TextLine]) -> Price | None:
    return _first_with_currency(lines, [_PROSE_TARGET_RE])


def _first_with_currency(lines: list[TextLine], patterns: list[re.Pattern[str]]) -> Price | None:
    """The first price the patterns find that prints its currency (prose never labels a bare number)."""
    for line in lines:
        for pattern in patterns:
            for match in pattern.finditer(line.folded):
                price = _price(line, match)
                if price is not None and price.currency is not None:
                    return price
    return None


def _price(line: TextLine, match: re.Match[str]) -> Price | None:
    try:
        value = float(match.group("number").replace(",", ""))
    except ValueError:
        return None
    if value <= 0:
        return None
    symbol = match.group("prefix") or match.group("suffix")
    currency = None
    if symbol is not None:
        currency = _CURRENCIES.get(symbol) or _CURRENCIES.get(symbol.upper())
    elif "unit" in match.groupdict() and match.group("unit"):
        unit = match.group("unit").strip()  # 收盘价（元） 1426.00, "Price (HK$) 375.80"
        currency = _CURRENCIES.get(unit) or _CURRENCIES.get(unit.upper())
    return Price(value, currency, line.evidence(match.start(), match.end()))
