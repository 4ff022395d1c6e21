"""The report's own risk warnings, as a list.

Found after 风险提示 / 风险因素 / 主要风险 / Risks / Key risks / "Risks to our rating and price
target": inline ("风险提示：A；B；C。") or as a section under such a heading. The
disclaimer's "风险提示：报告中的内容和意见仅供参考…" is not read: boilerplate lines are
skipped, and so is any text with disclaimer phrases.

Splitting: numbered items ("1）…；2）…", "(1)", "①") or one item per line; else at ；/;
; else, when every piece is short, at 、/，/, — and in English "X, Y and Z" after
"include". An item written "title：explanation" is its title. The same risk listed in
the summary and again in the section is kept once (first place).
"""

from __future__ import annotations

import re

from report_rag.extract.evidence import Document, TextLine, squash
from report_rag.parse.boilerplate import disclaimer_phrase_count
from report_rag.parse.headings import classify_heading, strip_bullet
from report_rag.text import CJK
from report_rag.types import Evidence, Risk

_LABEL = (
    r"风险提示|风险因素|主要风险|投资风险|风险分析|风险|"
    r"(?i:(?:key\s+|main\s+|investment\s+|downside\s+|upside\s+and\s+downside\s+)?risks?(?:\s+factors)?"
    r"(?:\s+to\s+(?:our\s+)?(?:rating|view|call|thesis|recommendation|estimates)[\w\s]{0,24}?)?)"
)
_INLINE_RE = re.compile(rf"^(?P<label>{_LABEL})\s*:\s*(?P<body>\S.*)$")
_HEADING_RE = re.compile(rf"^(?P<label>{_LABEL})\s*:?$")
_NUMBERED_RE = re.compile(r"(?:^|(?<=[;:。,\s]))(?:[(]?\d{1,2}[)）、.](?!\d)|[①-⑳]|[(][一二三四五六七八九十][)])\s*")
_EN_LEAD_RE = re.compile(
    r"^(?:the\s+)?(?:key|main|major|principal)?\s*(?:downside|upside)?\s*risks?\b[^:]{0,40}?"
    r"\b(?:include|includes|are|is)\s*:?\s*",
    re.IGNORECASE,
)
_ITEM_TRIM = " \t;。.,、等:"
_MAX_SECTION_LINES = 10
_SHORT_ZH, _SHORT_EN_WORDS = 25, 10


def find_risks(document: Document) -> list[Risk]:
    lines = document.content_lines()
    risks: list[Risk] = []
    seen: set[str] = set()
    for position, line in enumerate(lines):
        text = strip_bullet(line.folded)
        offset = len(line.folded) - len(line.folded.lstrip())
        offset += len(line.folded.lstrip()) - len(text)
        body: list[tuple[TextLine, int]] = []
        inline = _INLINE_RE.match(text)
        if inline is not None:
            body = [(line, offset + inline.start("body"))]
            body += _continuation(lines, position)
        elif _HEADING_RE.match(text) and len(text) <= 60:
            body = _section(lines, position)
        if not body or any(disclaimer_phrase_count(ln.text) for ln, _ in body):
            continue
        for item_text, evidence in _items(document, body):
            key = squash(item_text)
            if key and key not in seen:
                seen.add(key)
                risks.append(Risk(item_text, evidence))
    return risks


def _continuation(lines: list[TextLine], position: int) -> list[tuple[TextLine, int]]:
    """Lines an inline list runs on to: while a line ends on ；、，, it continues."""
    more = []
    current = lines[position]
    for line in lines[position + 1 : position + 4]:
        if not re.search(r"[;、,，]\s*$", current.folded) or line.page != current.page:
            break
        more.append((line, 0))
        current = line
    return more


def _section(lines: list[TextLine], position: int) -> list[tuple[TextLine, int]]:
    body: list[tuple[TextLine, int]] = []
    for line in lines[position + 1 : position + 1 + _MAX_SECTION_LINES]:
        heading = classify_heading(line.text)
        after_sentence = bool(body) and body[-1][0].folded.rstrip()[-1:] in "。.!?"
        if heading is not None and (heading.strong or after_sentence) and not _NUMBERED_RE.match(line.folded):
            break
        if line.page != lines[position].page and body:
            break
        body.append((line, 0))
    return body


def _items(document: Document, body: list[tuple[TextLine, int]]) -> list[tuple[str, Evidence]]:
    """Risk items with their quotes, from the body's lines."""
    pieces: list[tuple[TextLine, int, int]] = []  # (line, start, end) spans, one per item
    numbered_lines = len(body) > 1 and all(_NUMBERED_RE.match(ln.folded[s:].lstrip()) for ln, s in body)
    for line, start in body:
        text = line.folded
        spans = _numbered_spans(text, start) if not numbered_lines else [(start, len(text))]
        if spans is None:
            spans = _split_spans(text, start, r";")
        pieces.extend((line, b, e) for b, e in spans)
    if len(pieces) == 1:
        line, begin, end = pieces[0]
        pieces = [(line, b, e) for b, e in _fine_split(line.folded, begin, end)]
    items = []
    for line, begin, end in pieces:
        text = line.folded
        begin += len(text[begin:end]) - len(text[begin:end].lstrip())
        numbering = _NUMBERED_RE.match(text, begin)
        if numbering is not None:
            begin = numbering.end()
        lead = _EN_LEAD_RE.match(text[begin:end])
        if lead is not None:
            begin += lead.end()
        end = _title_end(text, begin, end)
        while end > begin and text[end - 1] in _ITEM_TRIM:
            end -= 1
        if end - begin < 2:
            continue
        items.append((line.text[begin:end], Evidence(line.page, line.text[begin:end])))
    return items


def _numbered_spans(text: str, start: int) -> list[tuple[int, int]] | None:
    marks = [m.start() for m in _NUMBERED_RE.finditer(text, start)]
    if len(marks) < 2:
        return None
    marks[0] = min(marks[0], start) if text[start:marks[0]].strip() == "" else marks[0]
    return [(a, b) for a, b in zip(marks, marks[1:] + [len(text)])]


def _split_spans(text: str, start: int, separators: str) -> list[tuple[int, int]]:
    spans, cursor = [], start
    for match in re.finditer(separators, text[start:]):
        spans.append((cursor, start + match.start()))
        cursor = start + match.end()
    spans.append((cursor, len(text)))
    return [(b, e) for b, e in spans if text[b:e].strip(_ITEM_TRIM)]


def _fine_split(text: str, begin: int, end: int) -> list[tuple[int, int]]:
    """One piece left: split at 、，, (and English "and") when every part is short."""
    segment = text[begin:end]
    lead = _EN_LEAD_RE.match(segment)
    inner = begin + (lead.end() if lead else 0)
    sentence_end = re.search(r"[。](?=.)|\.\s+(?=[A-Z])", text[inner:end])
    stop = inner + sentence_end.start() if sentence_end else end
    english = not re.search(f"[{CJK}]", text[inner:stop])
    pattern = r",\s*(?:and\s+)?|\s+and\s+" if english else r"[、,，]"
    spans = _split_spans(text[:stop], inner, pattern)
    if len(spans) < 2 or not all(_short(text[b:e], english) for b, e in spans):
        return [(begin, end)]
    return spans


def _short(piece: str, english: bool) -> bool:
    piece = piece.strip(_ITEM_TRIM)
    return len(piece.split()) <= _SHORT_EN_WORDS if english else len(piece) <= _SHORT_ZH


def _title_end(text: str, begin: int, end: int) -> int:
    """"全球经济衰退风险：若全球经济陷入衰退，…" -> the part before the colon."""
    colon = text.find(":", begin, end)
    if colon <= begin:
        return end
    title = text[begin:colon]
    explanation = text[colon + 1 : end].strip()
    if re.search(f"[{CJK}]", title):
        titled = len(title) <= 20 and len(explanation) >= 4
    else:
        titled = len(title.split()) <= 8 and len(explanation.split()) >= 2
    return colon if titled else end
