"""Stock codes and stock names as brokers print them.

Codes: A-shares 600519.SH / 000858.SZ / 430047.BJ, Hong Kong 0700.HK, US 'AAPL.O', and
Bloomberg style 'TSM US', '2330 TT', 'D05 SP', '700 HK'. A code is normalised (suffix
upper-case, full-width folded) but never completed: a bare '600519' stays '600519'.

Names: Chinese short names (贵州茅台, 五粮液, 快手-W, 京东集团-SW, TCL科技, *ST华通), or
English names in capitalised words (Tencent Holdings, DBS Group). A phrase is refused when
it carries words no stock name has (行业, 板块, 指数, 机会 …) — that is what keeps
"建议关注后续政策细节" from becoming a stock.
"""

from __future__ import annotations

import re

from .headings import CJK

_A_SHARE = r"\d{6}\.(?:SH|SZ|BJ|SS)"
_HK = r"\d{4,5}\.HK"
_US_DOT = r"[A-Z]{1,5}\.(?:O|N|OQ|A|US)"
_EXCHANGES = "US|HK|CH|C1|C2|TT|JP|KS|LN|GR|SP|IJ|MK|TB|IN|AU|FP|NA|SW|CN|SS|SZ"
_BLOOMBERG = rf"[A-Z0-9]{{1,6}}(?:/[A-Z])?\s(?:{_EXCHANGES})"
_BARE_A_SHARE = r"\d{6}"
CODE_RE = re.compile(
    rf"(?<![A-Za-z0-9.])(?:{_A_SHARE}|{_HK}|{_US_DOT}|{_BLOOMBERG})(?![A-Za-z0-9.])", re.IGNORECASE
)
_CODE_FULL_RE = re.compile(rf"(?:{_A_SHARE}|{_HK}|{_US_DOT}|{_BLOOMBERG}|{_BARE_A_SHARE})", re.IGNORECASE)
# Bloomberg codes need their exchange in capitals (else "in US" or "at HK" would match).
_BLOOMBERG_STRICT_RE = re.compile(rf"[A-Z0-9]{{1,6}}(?:/[A-Z])?\s(?:{_EXCHANGES})")

_SUFFIX = r"(?:-(?:SW|WR|W|S|B|U|R|X|[A-Z]))?"
_ZH_NAME_RE = re.compile(
    rf"(?:\*?ST|[A-Z]{{2,4}})?[{CJK}]{{2,8}}[A-Z]?{_SUFFIX}"  # 贵州茅台, *ST华通, TCL科技, 快手-W
    rf"|[{CJK}]{{1,4}}[A-Z]{{1,4}}[{CJK}]{{0,3}}{_SUFFIX}"  # 中芯ABC科技
)
_EN_WORD = r"(?:[A-Z][A-Za-z0-9&'.\-]*|&|of|and|de|la|the)"
_EN_NAME_RE = re.compile(rf"[A-Z][A-Za-z0-9&'.\-]*(?:\s{_EN_WORD}){{0,6}}")
_NOT_IN_NAMES = re.compile(
    r"行业|板块|指数|表现|走势|来源|资料|分析师|联系人|研究|报告|评级|收益|升幅|沪深|股价|市值|预测|估值|风险|建议|"
    r"关注|标的|机会|方向|产业链|个股|相关|领域|环节|厂商|企业|政策|需求|进展|节奏|落地|情况|动态|价格|趋势|催化|"
    r"细节|数据来源|公司公告|以及|我们|其中|受益|有望|领先|龙头企业|上市公司|同比|环比|亿元|万元|市场|投资|业绩|"
    r"基本面|盈利|增长|代码|名称|简称"
)
_EN_NOT_NAMES = frozenset(
    "Source Sources Figure Exhibit Table Chart Company Ticker Rating Price Target Risks Key The We Our This "
    "Analyst Analysts Sector Industry Total Note Notes".split()
)


def normalize_code(text: str) -> str | None:
    """The code `text` is (whole), normalised; None when it is not a stock code."""
    candidate = " ".join(text.split())
    if not _CODE_FULL_RE.fullmatch(candidate):
        return None
    if " " in candidate:
        if not _BLOOMBERG_STRICT_RE.fullmatch(candidate):
            return None
        return candidate
    head, dot, suffix = candidate.rpartition(".")
    return f"{head}.{suffix.upper()}" if dot else candidate.upper()


def find_codes(text: str) -> list[re.Match]:
    """Code-shaped spans in `text` (Bloomberg style only when its exchange is in capitals)."""
    return [m for m in CODE_RE.finditer(text) if " " not in m.group() or _BLOOMBERG_STRICT_RE.fullmatch(m.group())]


def is_stock_name(text: str) -> bool:
    """Does `text` (folded, trimmed) read as one stock's short name?"""
    name = text.strip()
    if not name or len(name) > 40:
        return False
    if re.search(f"[{CJK}]", name):
        return _ZH_NAME_RE.fullmatch(name) is not None and _NOT_IN_NAMES.search(name) is None
    if _EN_NAME_RE.fullmatch(name) is None or len(name.split()) > 6:
        return False
    return name.split()[0] not in _EN_NOT_NAMES and not name.isdigit()


def name_key(name: str) -> str:
    """How two printings of one stock's name compare: no space, case or suffix."""
    return re.sub(r"[\s\-]+(?:SW|WR|W|S|B|U|R|X)$", "", re.sub(r"\s+", " ", name.strip())).lower().replace(" ", "")
