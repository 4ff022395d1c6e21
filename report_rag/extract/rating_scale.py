"""The broker's own rating definitions (行业评级体系 / 投资评级说明 / Rating definitions),
read so the UI can explain a rating: 领先大市 = beats 沪深300 by more than 10% in 6 months.

A definition is a rating term at the start of a line (or after ；/. inside one), a
separator (—, -, ：, :), and text that reads like a definition (future horizon, index,
relative return). The scale it belongs to comes from the nearest sub-heading above:
行业评级 / Sector ratings -> industry, 公司评级 / 股票评级 / Stock ratings -> company,
风险评级 -> risk (whose terms are grade letters: "A —正常风险…"). Definitions are usually
in the disclaimer, so boilerplate lines are read too.
"""

from __future__ import annotations

import re

from report_rag.extract.evidence import Document, TextLine
from report_rag.extract.ratings import EN_TERM, ZH_TERM
from report_rag.parse.headings import strip_bullet
from report_rag.types import Rating, RatingDefinition

_ITEM_RE = re.compile(
    rf"(?:(?P<term>{ZH_TERM}|\b(?:{EN_TERM}))|\b(?P<grade>(?-i:[A-E])))"
    r"(?:\s*\((?P<alias>[A-Za-z][A-Za-z -]{0,20}|[A-Z]{1,3})\))?"
    # an English word takes a colon or a spaced dash ("Sell-side" is no definition)
    r"(?:\s*(?:—+|–|:)|\s+--?\s|(?<=[^\x00-\x7f])\s*--?|(?<=[)A-E])\s*--?)\s*",
    re.IGNORECASE,
)
_ENGLISH_SENTENCE_ITEM_RE = re.compile(rf"(?<=\.)\s+(?P<term>{EN_TERM})(?:\s*\([A-Z]{{1,3}}\))?\s*:\s*", re.IGNORECASE)
_DEFINITIONAL_RE = re.compile(
    r"未来|预期|预计|相对|超越|跑赢|跑输|强于|弱于|领先|落后|持平|涨幅|跌幅|涨跌|%|指数|基准|风险|波动|"
    r"expect|over the next|relative|total return|index|benchmark|coverage|universe|outperform|underperform|"
    r"in line|between|above|below",
    re.IGNORECASE,
)
_SUBHEADING_RE = re.compile(
    r"^(?P<name>[^:：;。]{0,16}?(?:评级|ratings?)(?:\s*(?:definitions?|system|体系|说明|标准|定义))?)\s*[:：]?",
    re.IGNORECASE,
)
_RUN_GAP = 3  # non-definition lines that end a scale's run


def _scale_of(heading: str) -> str | None:
    lowered = heading.lower()
    if "风险" in heading or "risk" in lowered:
        return "risk"
    if re.search(r"行业|industry|sector", lowered):
        return "industry"
    if re.search(r"公司|股票|个股|证券评级|stock|company", lowered):
        return "company"
    return None


def read_rating_definitions(document: Document) -> list[RatingDefinition]:
    """Definitions from the disclaimer, or from lines under a rating-scale heading."""
    definitions: list[RatingDefinition] = []
    scale: str | None = None
    gap = _RUN_GAP
    for line in document.lines:
        text = line.folded
        body_start = len(text) - len(strip_bullet(text)) if strip_bullet(text) != text else 0
        heading = _SUBHEADING_RE.match(text, body_start)
        items_from = body_start
        if heading is not None and _scale_heading(heading.group("name")):
            scale, gap = _scale_of(heading.group("name")), 0
            items_from = heading.end()
        if not line.boilerplate and gap >= _RUN_GAP:
            continue  # body text: "Sell-side estimates over the next…" defines nothing
        found = _items(line, text, items_from, scale)
        if found:
            definitions.extend(found)
            gap = 0
        elif heading is None or not _scale_heading(heading.group("name")):
            gap += 1
            if gap >= _RUN_GAP:
                scale = None
    return _deduplicate(definitions)


def _scale_heading(name: str) -> bool:
    """"行业评级", "公司投资评级", "Stock rating definitions"; not "分析师声明"."""
    return len(name.strip()) <= 30 and re.search(r"评级|rating", name, re.IGNORECASE) is not None


def _items(line: TextLine, text: str, start: int, scale: str | None) -> list[RatingDefinition]:
    matches = [m for m in _ITEM_RE.finditer(text, start) if _starts_item(text, m, start)]
    matches += [
        m for m in _ENGLISH_SENTENCE_ITEM_RE.finditer(text, start) if not any(o.start() <= m.start() < o.end() for o in matches)
    ]
    matches.sort(key=lambda m: m.start())
    items = []
    for index, match in enumerate(matches):
        grade = match.groupdict().get("grade")
        if grade and scale != "risk":
            continue  # a bare letter is a definition only under 风险评级
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        definition = text[match.end() : end].strip().rstrip(";。.").strip()
        if not definition or not _DEFINITIONAL_RE.search(definition):
            continue
        term = grade or match.group("term")
        quote_end = match.end() + len(text[match.end() : end].rstrip())
        items.append(RatingDefinition(term, definition, scale, line.evidence(match.start(), quote_end)))
    return items


def _starts_item(text: str, match: re.Match[str], start: int) -> bool:
    """An item opens the line (after a sub-heading) or follows ；/。 — not a term in prose."""
    before = text[start : match.start()].strip()
    return not before or before[-1] in ";。"


def _deduplicate(definitions: list[RatingDefinition]) -> list[RatingDefinition]:
    seen: set[tuple[str, str | None]] = set()
    kept = []
    for item in definitions:
        key = (item.term.lower(), item.scale)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


def attach_definition(rating: Rating, definitions: list[RatingDefinition], term: str) -> None:
    """Give `rating` the broker's definition of its term, from the matching scale."""
    same_term = [d for d in definitions if d.term.lower() == term.lower()]
    for wanted in (rating.scope, None):
        for item in same_term:
            if item.scale == wanted:
                rating.definition = item
                return
    others = {d.scale for d in same_term}
    if len(same_term) == 1 and others <= {None, rating.scope}:
        rating.definition = same_term[0]


def grade_definition(definitions: list[RatingDefinition], grade: str) -> RatingDefinition | None:
    """The broker's meaning of a risk grade (the "A" of 领先大市-A), when printed."""
    return next((d for d in definitions if d.scale == "risk" and d.term == grade), None)
