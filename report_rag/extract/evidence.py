"""Where extracted values come from: the cleaned pages as lines with exact offsets, which
lines are boilerplate, and verbatim quotes for a value.

Every rule reads `TextLine`s and every quote is a slice of a page's text, so evidence is
verbatim by construction. Boilerplate is taken from the chunker's flags (one definition
of "disclaimer" for retrieval and extraction alike).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from report_rag.parse.chunking import ChunkingParams, chunk_pages
from report_rag.text import CJK, find_span
from report_rag.types import Evidence, Page

_SPACE_RE = re.compile(r"\s+")
_CJK_SPACE_RE = re.compile(rf"(?<=[{CJK}\u3000-\u303f\uff00-\uffef])\s+|\s+(?=[{CJK}\u3000-\u303f\uff00-\uffef])")


@dataclass(frozen=True, slots=True)
class TextLine:
    """One non-blank line of a page: `text` is ``page_text[start:end]`` (trimmed)."""

    index: int  # position in the document's line list
    page: int  # 1-based page number
    start: int
    end: int
    text: str
    boilerplate: bool = False
    folded: str = ""  # `fold(text)`: what rules match against (same offsets)

    def evidence(self, start: int = 0, end: int | None = None) -> Evidence:
        """Evidence for the whole line or for ``text[start:end]``."""
        return Evidence(self.page, self.text[start:end].strip() or self.text)


@dataclass(slots=True)
class Document:
    """The pages of one report, as lines, with helpers to quote them."""

    pages: list[Page]
    lines: list[TextLine]

    def page_text(self, page: int) -> str:
        for candidate in self.pages:
            if candidate.number == page:
                return candidate.text
        raise KeyError(page)

    def content_lines(self) -> list[TextLine]:
        return [line for line in self.lines if not line.boilerplate]

    def quote_between(self, first: TextLine, last: TextLine, start: int = 0, end: int | None = None) -> Evidence:
        """Evidence from ``first.text[start:]`` to ``last.text[:end]`` — one verbatim slice of
        first's page. A span running onto a later page is cut at the end of first's page."""
        text = self.page_text(first.page)
        begin = first.start + start
        if last.page != first.page:
            stop = len(text.rstrip())
        else:
            stop = last.start + (len(last.text) if end is None else end)
        quote = text[begin:stop].strip()
        return Evidence(first.page, quote or first.text)


def read_document(pages: list[Page]) -> Document:
    lines = _page_lines(pages)
    flagged = _boilerplate_lines(pages, lines)
    return Document(pages, [_replace_flag(line, line.index in flagged) for line in lines])


def _replace_flag(line: TextLine, boilerplate: bool) -> TextLine:
    return TextLine(line.index, line.page, line.start, line.end, line.text, boilerplate, fold(line.text))


def _page_lines(pages: list[Page]) -> list[TextLine]:
    lines: list[TextLine] = []
    for page in pages:
        position = 0
        for raw in page.text.split("\n"):
            stripped = raw.strip()
            if stripped:
                start = position + len(raw) - len(raw.lstrip())
                lines.append(TextLine(len(lines), page.number, start, start + len(stripped), stripped))
            position += len(raw) + 1
    return lines


def _boilerplate_lines(pages: list[Page], lines: list[TextLine]) -> set[int]:
    """Indices of lines that start inside a chunk the chunker flags as boilerplate."""
    if not pages:
        return set()
    number_to_index = {page.number: i for i, page in enumerate(pages)}
    spans = [
        ((number_to_index[c.page_start], c.start_offset), (number_to_index[c.page_end], c.end_offset))
        for c in chunk_pages(pages, ChunkingParams())
        if c.is_boilerplate
    ]
    flagged: set[int] = set()
    for line in lines:
        where = (number_to_index[line.page], line.start)
        if any(begin <= where < end for begin, end in spans):
            flagged.add(line.index)
    return flagged


# --- text normalisation used to compare values -----------------------------------------------


_MARKUP_RE = re.compile(r"\*\*|__")  # markdown emphasis (text from other converters)
_WIDTH_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def fold(text: str) -> str:
    """Full-width ASCII (６００５１９．ＳＨ, （）：，) and the ideographic space made ASCII, and
    markdown emphasis blanked, one character for one, so offsets into the folded text are
    offsets into the original."""
    return _MARKUP_RE.sub(lambda m: " " * len(m.group()), text.translate(_WIDTH_FOLD))


def squash(text: str) -> str:
    """NFKC, no whitespace, lower case: how values are compared, never how they are shown."""
    return _SPACE_RE.sub("", unicodedata.normalize("NFKC", text)).lower()


def tidy(text: str) -> str:
    """Display form of a printed value: runs of whitespace made one space, and no space
    next to CJK characters or full-width punctuation ("买入　（　首次　）" -> "买入（首次）")."""
    return _CJK_SPACE_RE.sub("", _SPACE_RE.sub(" ", text)).strip()


def find_quote(pages: list[Page], value: str, order: list[int] | None = None) -> Evidence | None:
    """Evidence for the first occurrence of `value` in the pages (ignoring whitespace, which
    cleaning may have moved), searching page numbers in `order`, else every page in order.
    Also the check for a value proposed by a model: None means the report does not say it."""
    by_number = {page.number: page.text for page in pages}
    for number in order if order is not None else list(by_number):
        text = by_number.get(number)
        if text is None:
            continue
        span = find_span(text, value)
        if span is not None:
            return Evidence(number, text[span[0] : span[1]])
    return None


def locate(document: Document, value: str) -> Evidence | None:
    return find_quote(document.pages, value)
