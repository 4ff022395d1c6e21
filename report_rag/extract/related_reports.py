"""The report's 相关报告 / Related research list: earlier reports with their dates.

The list runs from its heading to the analysis (投资要点, Key takeaways…), another sidebar
block (分析师, Analysts…) or the page end. Its lines are joined (a title wrapped over two
lines is one title) and cut at the dates: each title sits before its date ("《…》2024-04-27",
"…（2024-09-23）", "… (15 May 2024)") or after it ("2024-12-13 11月金融数据点评…",
"24 June 2024: Foundry pricing…") — which, is read off the first item.

Titles are shown as printed, minus wrapping, book-title marks and the citation furniture
some brokers add: "传媒：苹果WWDC发布…-华锦证券-传媒-行业快报 2024.6.12" is the title
"苹果WWDC发布…" (the sector prefix is dropped only when the citation repeats it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from report_rag.extract.evidence import Document, TextLine
from report_rag.extract.ratings import read_rating_value
from report_rag.parse.headings import CONTENT_HEADING_RE, strip_bullet
from report_rag.text import CJK, dates_in_line
from report_rag.types import Evidence, RelatedReport

_HEADING_RE = re.compile(
    r"^(?:相关(?:研究|报告)|近期(?:研究|报告)|历史报告|往期(?:回顾|报告)|相关阅读|"
    r"related\s+(?:research|reports?|reading)|recent\s+(?:research|reports?)|previous\s+reports?)\s*[:]?\s*",
    re.IGNORECASE,
)
_BLOCK_END_RE = re.compile(
    r"^(?:分析师|研究员|联系人|证券分析师|analysts?|contacts?|投资评级|评级|基本数据|key\s+data|股价|市场数据|"
    r"资料来源|source)\b",
    re.IGNORECASE,
)
_CITATION_SUFFIX_RE = re.compile(rf"-(?P<broker>[{CJK}A-Za-z]{{2,12}}(?:证券|研究所|国际))-(?P<sector>[^-]{{1,12}})-[^-]{{2,12}}$")
_TRIM = " \t\n\u3000:：-–—,，;；、|·()（）[]【】《》<>\"“”"
_MAX_LINES = 24
_LEADING_JUNK = " \t\n:-–—,;、|·)]】》"
_OPENING = {"（": "）", "(": ")", "《": "》", "【": "】", "[": "]"}
_CLOSING = {close: open_ for open_, close in _OPENING.items()}
_SEPARATORS = " \t\n\u3000:：-–—,，;；、|·<>\"“”"


@dataclass(slots=True)
class _Span:
    line: TextLine
    start: int  # into the line
    end: int


def find_related_reports(document: Document) -> list[RelatedReport]:
    found: list[RelatedReport] = []
    for body in _blocks(document):
        found.extend(_items(document, body))
    return _deduplicate(found)


def related_line_indices(document: Document) -> set[int]:
    """Lines of 相关报告 lists (heading included): other rules must not read old reports'
    titles ("…维持买入评级") as this report's facts."""
    indices: set[int] = set()
    for body in _blocks(document, with_heading=True):
        indices.update(span.line.index for span in body)
    return indices


def _blocks(document: Document, with_heading: bool = False) -> list[list[_Span]]:
    lines = document.content_lines()
    blocks = []
    for position, line in enumerate(lines):
        heading = _HEADING_RE.match(strip_bullet(line.folded))
        if heading is None:
            continue
        offset = len(line.folded) - len(strip_bullet(line.folded))
        rest = offset + heading.end() < len(line.text)
        body = [_Span(line, offset + heading.end() if rest else len(line.text), len(line.text))] if rest or with_heading else []
        for following in lines[position + 1 : position + 1 + _MAX_LINES]:
            if following.page != line.page or _ends_block(following):
                break
            body.append(_Span(following, 0, len(following.text)))
        blocks.append(body)
    return blocks


def _ends_block(line: TextLine) -> bool:
    core = strip_bullet(line.folded).rstrip(": ")
    if "。" in core or (len(core) > 90 and not dates_in_line(core)):
        return True  # prose: the list is over (its items are titles with dates)
    if _is_rating_box(core) or _TEMPLATE_TAG_RE.match(core):
        return True  # the rating box or a template's field tag below the list: no title
    return bool(CONTENT_HEADING_RE.match(core) and len(core) <= 20) or bool(_BLOCK_END_RE.match(core))


_TEMPLATE_TAG_RE = re.compile(r"^\[Table_\w+\]$")


def _is_rating_box(text: str) -> bool:
    """"增持（维持）", "Overweight": a line that is only a rating."""
    reading = read_rating_value(text, 0)
    return reading is not None and not text[reading.end :].strip()


def _items(document: Document, body: list[_Span]) -> list[RelatedReport]:
    original, text, where = _joined(body)
    dates = dates_in_line(text)
    dates = sorted({(s, e, d) for s, e, d in dates if not any(s2 < s < e2 for s2, e2, _ in dates)})
    if not dates:
        return []
    date_first = not text[: dates[0][0]].strip(_TRIM)
    items = []
    for index, (start, end, day) in enumerate(dates):
        if date_first:
            title_start = end
            title_end = dates[index + 1][0] if index + 1 < len(dates) else len(text)
            quote_start, quote_end = start, title_end
        else:
            title_start = dates[index - 1][1] if index else 0
            title_end = start
            quote_start, quote_end = title_start, end
        title = _clean_title(original[title_start:title_end])
        if len(title) < 4:
            continue
        items.append(RelatedReport(title, day, _evidence(document, text, where, quote_start, quote_end)))
    return items


def _joined(body: list[_Span]) -> tuple[str, str, list[tuple[TextLine, int]]]:
    """The body as one string, original and folded (lines joined by "\\n"), and for each
    character its source (line, offset in line; -1 for the joins)."""
    original: list[str] = []
    folded: list[str] = []
    where: list[tuple[TextLine, int]] = []
    for span in body:
        if original:
            original.append("\n")
            folded.append("\n")
            where.append((span.line, -1))
        original.append(span.line.text[span.start : span.end])
        folded.append(span.line.folded[span.start : span.end])
        where.extend((span.line, span.start + i) for i in range(span.end - span.start))
    return "".join(original), "".join(folded), where


def _clean_title(raw: str) -> str:
    # A wrapped title: no space where either side of the break is Chinese (or a dash).
    text = re.sub(rf"(?<=[{CJK}\u3000-\u303f\uff00-\uffef\-])\n|\n(?=[{CJK}\u3000-\u303f\uff00-\uffef])", "", raw)
    text = re.sub(r"\s*\n\s*", " ", text)
    text = _trim(strip_bullet(_trim(text)))
    book = re.fullmatch(r"《(.+)》", text.strip())
    if book:
        text = book.group(1)
    suffix = _CITATION_SUFFIX_RE.search(text)
    if suffix:
        text = text[: suffix.start()]
        sector = suffix.group("sector").strip()
        for colon in ":：":
            if text.startswith(sector + colon):
                text = text[len(sector) + 1 :]
    return _trim(text)


def _trim(text: str) -> str:
    """Strip separators and stray brackets at both ends; a bracket the title pairs stays."""
    while True:
        before = text
        text = text.strip(_SEPARATORS)
        if text[:1] in _CLOSING or text[-1:] in _OPENING:
            text = text[1:] if text[:1] in _CLOSING else text[:-1]
        elif text[:1] in _OPENING and text.count(text[0]) > text.count(_OPENING[text[0]]):
            text = text[1:]
        elif text[-1:] in _CLOSING and text.count(text[-1]) > text.count(_CLOSING[text[-1]]):
            text = text[:-1]
        if text == before:
            return text


def _evidence(document: Document, text: str, where: list[tuple[TextLine, int]], start: int, end: int) -> Evidence:
    while start < end and (text[start] in _LEADING_JUNK or where[start][1] < 0):
        start += 1  # keep an opening 《 or (, drop the previous item's closing bracket
    if end < len(text) and text[end] in ")]】》" and where[end][1] >= 0:
        end += 1  # the date's closing bracket: "（2024-10-21）"
    while end > start and (text[end - 1] in " \n" or where[end - 1][1] < 0):
        end -= 1
    first_line, first_offset = where[start]
    last_line, last_offset = where[end - 1]
    return document.quote_between(first_line, last_line, first_offset, last_offset + 1)


def _deduplicate(items: list[RelatedReport]) -> list[RelatedReport]:
    seen: set[tuple[str, object]] = set()
    kept = []
    for item in items:
        key = (re.sub(r"\s+", "", item.title), item.date)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept
