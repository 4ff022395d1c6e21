"""Recognising headings and list markers in cleaned report text (Chinese and English).

Shared by chunking (sections, where to break) and metadata (what is not a title). Only
line shape and a short list of words every sell-side report uses; no layout information.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from report_rag.text import CJK, CJK_RE

# Bullet glyphs and list numbering that start a line: ◆ ● ■ • - 1. 1、 (1) 一、 （一） 第一章 …
_BULLET_GLYPHS = "◆◇⚫●○❑❒■□•▪▫►▶▷➢➤✓✔√◼◾·\\-–—*"
_NUMBERING = (
    r"[（(]\s*(?:[一二三四五六七八九十]{1,3}|\d{1,2})\s*[）)]\s*"  # （一） (1)
    r"|[一二三四五六七八九十]{1,3}\s*[、．.]\s*"  # 一、
    r"|\d{1,2}\s*[、．)）]\s*"  # 1、 1)
    r"|\d{1,2}\.(?!\d)\s*"  # 1.
    rf"|\d{{1,2}}(?:\.\d{{1,2}}){{1,3}}\.?(?:\s+|(?=[{CJK}]))"  # 1.1 / 1.2.3行业
    r"|第[一二三四五六七八九十\d]{1,3}[章节部分篇]\s*"  # 第一章
)
BULLET_RE = re.compile(rf"^\s*(?:[{_BULLET_GLYPHS}]\s*|[（(][a-zA-Z][）)]\s*|{_NUMBERING})+")
# Numbering proper (not a glyph): a heading that carries it is almost surely a heading.
_NUMBERING_RE = re.compile(rf"^\s*(?:{_NUMBERING})")
_VALUE_CELL_RE = re.compile(r"\d\.\d|\d{4,}\.[A-Z]{2}")
_CJK_ONLY_RE = re.compile(f"[{CJK}（）()]+")
_ADDRESS_RE = re.compile(r"\d+\s*(?:号|层|楼|室|单元|栋|座)")
_MARKDOWN_RE = re.compile(r"^#{1,6}\s+|\*\*|__")
_SENTENCE_END = "。！？；.!?;，,、…"
_COLONS = "：:"

# Section names that open the analysis itself. 风险提示 / Risks are content too, but they
# also head the disclaimer's "risk warning" paragraph, so they cannot end a disclaimer.
CONTENT_HEADING_RE = re.compile(
    r"^(?:投资要点|核心观点|主要观点|投资建议|投资逻辑|投资亮点|投资评级与估值|报告摘要|内容摘要|摘要|事件|事项|点评|"
    r"盈利预测|估值|财务预测|行业概况|行业观点|公司概况|公司简介|行业动态|市场回顾|本周观点|本周回顾|"
    r"业绩|风险因素|结论|"
    r"key\s*points|key\s*takeaways?|summary|executive\s+summary|investment\s+(?:summary|thesis|case|view|highlights)|"
    r"highlights|our\s+view|what'?s\s+new|event|valuation|financials?|earnings|results|outlook|catalysts?|"
    r"conclusion|recommendation|estimates?(?:\s+changes?)?|forecasts?|price\s+target|target\s+price|"
    r"industry\s+overview|company\s+overview|background)",
    re.IGNORECASE,
)
# English headings often name the section before a colon: "Results: a clean beat".
_NAMED_ENGLISH_SECTION_RE = re.compile(
    r"^(?:results|valuation|earnings|outlook|risks?|guidance|forecasts?|estimates|financials|catalysts?|"
    r"recommendation|conclusion|summary|background|event|our view|investment (?:thesis|view|case))\s*:\s*[A-Za-z]",
    re.IGNORECASE,
)
AMBIGUOUS_RISK_RE = re.compile(r"^(?:风险提示|风险因素|主要风险|风险|(?:key\s+|investment\s+)?risks?\b)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Heading:
    text: str  # display form: no bullets, markdown or trailing colon; numbering kept
    strong: bool  # numbered, a known section name, markdown '#', or an ALL-CAPS English line


def has_cjk(text: str) -> bool:
    return CJK_RE.search(text) is not None


def cjk_count(text: str) -> int:
    return len(CJK_RE.findall(text))


def strip_markup(line: str) -> str:
    """The line without markdown emphasis/heading marks and surrounding whitespace."""
    return _MARKDOWN_RE.sub("", line.strip()).strip()


def strip_bullet(line: str) -> str:
    """The line without leading bullet glyphs and list numbering."""
    return BULLET_RE.sub("", line, count=1).strip()


def starts_with_bullet(line: str) -> bool:
    match = BULLET_RE.match(line)
    return match is not None and match.end() > 0


def _letters(text: str) -> int:
    return sum(1 for ch in text if ch.isalpha())


def classify_heading(line: str) -> Heading | None:
    """A Heading if `line` looks like a section heading, else None.

    A heading is short, has no sentence-ending punctuation, is mostly letters (not a table
    row, date, address or "sector | type" strip), and is not a "label: value" pair (a
    trailing colon is fine: "风险提示：" heads what follows, "风险提示：政策不确定性" is
    content; a numbered "1. 业绩概览：二季度延续稳健增长" is a heading).
    """
    raw = line.strip()
    if not raw or len(raw) > 100 or raw[-1] in _SENTENCE_END or _letters(raw) < 2:
        return None  # cheap exits first: most lines are prose
    lowered = raw.lower()
    if "\t" in raw or "|" in raw or "@" in raw or "http" in lowered or "www." in lowered:
        return None
    markdown_heading = raw.startswith("#")
    text = strip_markup(raw)
    numbered = _NUMBERING_RE.match(text) is not None
    display = text.lstrip(_BULLET_GLYPHS + " ").strip() if not numbered else text
    core = strip_bullet(text)
    while core and core[-1] in _COLONS:
        core = core[:-1].rstrip()
        display = display.rstrip(_COLONS + " ")
    if not core or core[-1] in _SENTENCE_END:
        return None
    if not numbered and any(colon in core for colon in _COLONS) and not _NAMED_ENGLISH_SECTION_RE.match(core):
        return None  # "label: value", e.g. 资料来源：Wind / Source: Bloomberg
    if _ADDRESS_RE.search(core):
        return None  # "北京市朝阳区建国路 108 号…17 层" is an address, not a section
    cells = core.split()
    if sum(1 for cell in cells if any(ch.isdigit() for ch in cell)) >= 2:
        return None  # a table header or data row: "升幅% 1M 3M 12M", "RMB bn 2Q23 2Q24"
    if any(_VALUE_CELL_RE.search(cell) for cell in cells):
        return None  # "每股净资产（元） 7.18", "长电科技 600584.SH 增持"
    if sum(1 for cell in cells if _CJK_ONLY_RE.fullmatch(cell)) >= 3:
        return None  # a CJK table header: "模型 发布时间 开源协议 主要特点"
    letters = _letters(core)
    if letters < 2 or letters < 0.5 * len(core.replace(" ", "")):
        return None
    glyph_bullet = not numbered and core != text  # "◆ …", "• …": usually a list item
    if has_cjk(core):
        if len(core) > (15 if glyph_bullet else 30):
            return None
    else:
        words = core.split()
        if len(words) > (6 if glyph_bullet else 12) or len(core) > 80 or not (core[0].isupper() or core[0].isdigit()):
            return None
        # English prose fragments keep most words lowercase; headings are Title Case or short.
        lower_words = sum(1 for w in words if w[:1].islower() and w.lower() not in _SMALL_WORDS)
        if len(words) > 5 and lower_words > len(words) // 2:
            return None
    known = CONTENT_HEADING_RE.match(core) is not None or AMBIGUOUS_RISK_RE.match(core) is not None
    all_caps = not has_cjk(core) and core.upper() == core and sum(c.isalpha() for c in core) >= 3
    return Heading(text=display, strong=numbered or known or markdown_heading or all_caps)


_SMALL_WORDS = frozenset("a an and as at by for from in of on or the to vs via with".split())


def is_content_heading(heading_text: str) -> bool:
    """True for headings that clearly open analysis (ends a disclaimer run)."""
    core = strip_bullet(heading_text)
    return CONTENT_HEADING_RE.match(core) is not None and AMBIGUOUS_RISK_RE.match(core) is None
