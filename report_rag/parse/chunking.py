"""Structure-aware chunking of cleaned report pages into retrievable passages.

Input: pages whose text separates blocks with a blank line and lines inside a block (table
rows, list items, heading lines) with a newline. Output: `Chunk`s with exact provenance.

How chunks are cut:

* structure first: the units are blocks (split further at heading lines and where a
  boilerplate section opens); a block longer than `size` is cut into its lines, and a line
  longer than `size` at sentence ends (。！？；. ! ? ;), else at clause marks (，、,：) or
  spaces, else between CJK characters, never inside a Latin word or number;
* small consecutive units are merged up to `size` characters; a unit that would not fit
  starts the next chunk instead of being torn;
* a new chunk starts at a heading once the current one holds `size // 4` characters of
  content (`size // 8` for a numbered or well-known heading), at a change between
  boilerplate and content, and at a page break unless the text runs on mid-sentence
  into the next page;
* headings attach to what follows (a heading at a page end moves to the next chunk and
  makes it span both pages); they never end a chunk alone unless nothing follows them.
  A chunk exceeds `size` only by the headings carried into it (plus its overlap), and
  a run of heading-like lines is cut at 1.5 x `size`.

Offsets and overlap (the contract other stages rely on):

* a chunk's text is real, contiguous source text. It starts with up to `overlap`
  characters of the preceding text on the same page (cut at a sentence, clause or word
  boundary), then the chunk's own units. `start_offset` points at the start of that
  overlap, so for a one-page chunk ``page.text[start_offset:end_offset] == chunk.text``.
* no overlap is taken across a page break, into a new section (a chunk that opens with a
  heading) or across a boilerplate/content change.
* a chunk spanning pages has the text `chunk_source_text` rebuilds: the slice of
  `page_start` from `start_offset`, every page in between, and `page_end` up to
  `end_offset`, each stripped and joined by one newline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from report_rag.parse.boilerplate import BoilerplateTracker, boilerplate_opening
from report_rag.parse.headings import classify_heading, starts_with_bullet
from report_rag.text import CJK
from report_rag.types import Chunk, Page

RULES_VERSION = 1  # bump when cutting rules change: chunks (and vectors) must be rebuilt

_SENTENCE_BREAK_RE = re.compile(rf"[。！？；]+[”’」）)]*|[.!?;]+[\"'”’)]*(?=\s|$|[{CJK}])")
_CLAUSE_BREAK_RE = re.compile(r"[，、：]|[,:](?!\d)")
_SPACE_RE = re.compile(r"\s+")
_LATIN_TOKEN_RE = re.compile(r"[A-Za-z0-9]+(?:[.,'’\-/%][A-Za-z0-9]+)*")
_NUMERIC_CELL_RE = re.compile(r"[-+(（]?[\d.,]+%?[)）]?[A-Za-z]?|[-–—]|N/?A|n\.?a\.?")
_TERMINAL_CHARS = set("。！？；.!?;：:”\"」")
_HEADING_MAX_CHARS = 90  # longer lines are never headings; skips classifying prose


@dataclass(frozen=True)
class ChunkingParams:
    """Chunk size and overlap, in characters (see settings.py for why 450/60)."""

    size: int = 450
    overlap: int = 60

    def __post_init__(self) -> None:
        if self.size < 20:
            raise ValueError("chunk size must be at least 20 characters")
        if not 0 <= self.overlap < self.size // 2:
            raise ValueError("chunk overlap must be >= 0 and under half of the chunk size")

    def fingerprint(self) -> dict[str, Any]:
        """What identifies chunks built with these params (stored with the index)."""
        return {"size": self.size, "overlap": self.overlap, "rules": RULES_VERSION}


@dataclass(slots=True)
class _Unit:
    page: int  # index into the pages list
    start: int
    end: int
    section: str  # nearest heading at or above the unit
    boilerplate: bool
    heading_only: bool  # consists of heading lines only
    opens_section: bool  # starts with a heading line
    strong: bool  # ... and that heading is numbered or a known section name
    starts_item: bool  # starts with a bullet, list number or table row
    ends_sentence: bool  # ends with terminal punctuation (or is a table row)


def chunk_pages(pages: list[Page], params: ChunkingParams) -> list[Chunk]:
    """Cut cleaned pages into chunks (see the module docstring for the rules)."""
    units = _units(pages, params.size)
    groups = _merge(units, params.size)
    chunks: list[Chunk] = []
    previous: list[_Unit] | None = None
    for group in groups:
        first, last = group[0], group[-1]
        start = first.start
        if previous is not None and params.overlap:
            start = _overlap_start(pages, previous, group, params.overlap)
        # The section of the chunk's main content (its longest non-heading unit).
        content = max(group, key=lambda u: (not u.heading_only, u.end - u.start))
        chunks.append(
            Chunk(
                text=chunk_source_text(pages, first.page, last.page, start, last.end),
                page_start=pages[first.page].number,
                page_end=pages[last.page].number,
                start_offset=start,
                end_offset=last.end,
                ordinal=len(chunks),
                section=content.section,
                is_boilerplate=first.boilerplate,
            )
        )
        previous = group
    return chunks


def chunk_source_text(pages: list[Page], first: int, last: int, start: int, end: int) -> str:
    """The text a chunk covers: pages[first].text[start:] … pages[last].text[:end].

    `first`/`last` are list indices. Page parts are stripped and joined by one newline.
    """
    if first == last:
        return pages[first].text[start:end]
    parts = [pages[first].text[start:].rstrip()]
    parts += [pages[i].text.strip() for i in range(first + 1, last)]
    parts.append(pages[last].text[:end].lstrip())
    return "\n".join(part for part in parts if part)


# --- units: runs of lines, cut to fit ------------------------------------------------


@dataclass(slots=True)
class _Line:
    page: int
    start: int
    end: int
    text: str
    block_start: bool  # first line on its page or after a blank line


def _lines(pages: list[Page]) -> list[_Line]:
    """Non-blank lines (surrounding whitespace trimmed) with exact spans."""
    lines: list[_Line] = []
    for page_index, page in enumerate(pages):
        position = 0
        after_blank = True
        for raw in page.text.split("\n"):
            stripped = raw.strip()
            if stripped:
                start = position + len(raw) - len(raw.lstrip())
                lines.append(_Line(page_index, start, start + len(stripped), stripped, after_blank))
                after_blank = False
            else:
                after_blank = True
            position += len(raw) + 1
    return lines


def _units(pages: list[Page], size: int) -> list[_Unit]:
    """Group lines into runs (a block, cut at headings and boilerplate openings), flag
    boilerplate, track the section, and cut runs that do not fit into smaller units."""
    lines = _lines(pages)
    page_offsets = [0]
    for page in pages:
        page_offsets.append(page_offsets[-1] + len(page.text))
    total_chars = page_offsets[-1] or 1
    tracker = BoilerplateTracker()
    section = ""
    section_strong = False
    content_since_heading = True
    units: list[_Unit] = []
    run: list[_Line] = []
    run_headings = 0  # how many of the run's first lines are headings

    def flush() -> None:
        nonlocal section, section_strong, content_since_heading, run_headings
        if run:
            first = run[0]
            text = pages[first.page].text[first.start : run[-1].end]
            flag = tracker.flag_block(text, (page_offsets[first.page] + first.start) / total_chars)
            headings = [h for line in run[:run_headings] if (h := classify_heading(line.text)) is not None]
            for heading in headings:
                # A weak heading right under a strong one ("二、华虹公司…" then a stray short
                # line) does not replace it; after content, any heading starts a section.
                if content_since_heading or heading.strong or not section_strong:
                    section, section_strong = heading.text, heading.strong
                content_since_heading = False
            content_since_heading = content_since_heading or run_headings < len(run)
            strong = any(heading.strong for heading in headings)
            units.extend(_cut_run(run, run_headings, strong, pages[first.page].text, size, section, flag))
        run.clear()
        run_headings = 0

    for index, line in enumerate(lines):
        heading = classify_heading(line.text) if len(line.text) <= _HEADING_MAX_CHARS else None
        new_run = line.block_start or not run or run[-1].page != line.page
        new_run = new_run or (heading is not None and len(run) > run_headings)
        opening = None
        if heading is not None or new_run:  # inline "免责声明：本报告…" opens a block
            following = "\n".join(later.text for later in lines[index + 1 : index + 4])
            opening = boilerplate_opening(line.text, following)
        if new_run or opening is not None or tracker.closes_at(heading):
            flush()
        tracker.observe(opening, heading)
        if opening is not None and heading is None:
            section, section_strong = opening, True
        run.append(line)
        if heading is not None and run_headings == len(run) - 1:
            run_headings += 1
    flush()
    return units


def _cut_run(
    run: list[_Line], headings: int, strong: bool, text: str, size: int, section: str, flag: bool
) -> list[_Unit]:
    """One unit for a run that fits, else one per line (long lines cut further)."""
    page = run[0].page
    opens = headings > 0
    starts_item = starts_with_bullet(run[0].text) or _is_table_row(run[0].text)
    if run[-1].end - run[0].start <= size:
        return [
            _Unit(page, run[0].start, run[-1].end, section, flag, headings == len(run), opens, strong,
                  starts_item, _ends_sentence(run[-1].text))
        ]
    units = []
    for i, line in enumerate(run):
        pieces = _split_span(text, line.start, line.end, size)
        for j, (start, end) in enumerate(pieces):
            first_piece = j == 0
            opens_here = opens and i == 0 and first_piece
            is_heading = i < headings and len(pieces) == 1  # a heading longer than `size` is not one
            units.append(
                _Unit(page, start, end, section, flag, is_heading, opens_here, opens_here and strong,
                      first_piece and (i > 0 or starts_item), _ends_sentence(text[start:end]))
            )
    return units


def _ends_sentence(text: str) -> bool:
    """Ends with terminal punctuation, or is a table row (which never runs on)."""
    return text[-1] in _TERMINAL_CHARS or _is_table_row(text[text.rfind("\n") + 1 :])


def _is_table_row(line: str) -> bool:
    """Tab-separated, or mostly numeric cells ("相对收益 -4.21 -16.44 -24.01")."""
    if "\t" in line:
        return True
    cells = line.split()
    numeric = sum(1 for cell in cells if _NUMERIC_CELL_RE.fullmatch(cell))
    return numeric >= 2 and numeric * 2 >= len(cells)


def _split_span(text: str, start: int, end: int, size: int) -> list[tuple[int, int]]:
    """Cut text[start:end] into pieces of at most `size` at the best boundaries available."""
    pieces = []
    position = start
    while end - position > size:
        limit = position + size
        cut = _best_cut(text, position + size * 2 // 5, limit) or _best_cut(text, position + 1, limit)
        if cut is None:
            cut = limit  # one Latin token longer than `size`: nothing better exists
        piece_end = cut
        while text[piece_end - 1].isspace():
            piece_end -= 1
        pieces.append((position, piece_end))
        position = cut
        while text[position].isspace():
            position += 1
    pieces.append((position, end))
    return pieces


def _best_cut(text: str, low: int, high: int) -> int | None:
    """The last cut position in [low, high]: after a sentence end, else a clause mark,
    else a space, else between characters outside any Latin word or number."""
    window = text[low:high]
    for pattern in (_SENTENCE_BREAK_RE, _CLAUSE_BREAK_RE, _SPACE_RE):
        last = None
        for last in pattern.finditer(window):  # noqa: B007 - the last match is wanted
            pass
        if last is not None:
            return low + last.end()
    cut = high
    for token in _LATIN_TOKEN_RE.finditer(text, max(0, low - 200), min(len(text), high + 200)):
        if token.start() < cut < token.end():
            cut = token.start()
    return cut if cut >= low and cut > 0 else None


# --- merging units into chunks -------------------------------------------------------


@dataclass(slots=True)
class _Group:
    """Units becoming one chunk, with running totals (merging stays linear)."""

    units: list[_Unit]
    length: int = 0  # characters of the chunk text so far
    content: int = 0  # characters of non-heading units; 0 means headings only

    @classmethod
    def of(cls, units: list[_Unit]) -> _Group:
        group = cls([])
        for unit in units:
            group.add(unit)
        return group

    def add(self, unit: _Unit) -> None:
        self.length += _gap(self.units[-1], unit) if self.units else unit.end - unit.start
        if not unit.heading_only:
            self.content += unit.end - unit.start
        self.units.append(unit)


def _merge(units: list[_Unit], size: int) -> list[list[_Unit]]:
    groups: list[_Group] = []
    group = _Group([])
    for unit in units:
        if group.units and _must_break(group, unit, size):
            carried = _trailing_headings(group.units, unit)
            if len(carried) < len(group.units):
                groups.append(_Group.of(group.units[: len(group.units) - len(carried)]))
                group = _Group.of(carried)
            else:
                groups.append(group)
                group = _Group([])
        group.add(unit)
    if group.units:
        # Headings with nothing after them join the previous chunk when they can.
        previous = groups[-1] if groups else None
        if (
            previous is not None
            and group.content == 0
            and previous.units[-1].page == group.units[0].page
            and previous.units[-1].boilerplate == group.units[0].boilerplate
            and previous.length + _gap(previous.units[-1], group.units[0]) + group.length <= size + size // 2
        ):
            previous.units.extend(group.units)
        else:
            groups.append(group)
    return [g.units for g in groups]


def _gap(last: _Unit, unit: _Unit) -> int:
    """Characters `unit` adds after `last` in the chunk text (separators included)."""
    return unit.end - last.end if last.page == unit.page else 1 + unit.end - unit.start


def _must_break(group: _Group, unit: _Unit, size: int) -> bool:
    last = group.units[-1]
    new_length = group.length + _gap(last, unit)
    if unit.boilerplate != last.boilerplate:
        return True
    if unit.page != last.page and not last.heading_only and not _runs_on(last, unit):
        return True
    if group.content == 0:
        return new_length > size + size // 2  # headings stay with what follows, within reason
    if unit.opens_section and group.content >= (size // 8 if unit.strong else size // 4):
        return True
    return new_length > size


def _runs_on(last: _Unit, unit: _Unit) -> bool:
    """Does a paragraph continue mid-sentence from one page onto the next?"""
    return not last.ends_sentence and not unit.opens_section and not unit.starts_item


def _trailing_headings(group: list[_Unit], unit: _Unit) -> list[_Unit]:
    """The headings at the end of `group` that belong with `unit` instead."""
    count = 0
    for member in reversed(group):
        if not member.heading_only or member.boilerplate != unit.boilerplate:
            break
        count += 1
    return group[len(group) - count :] if count else []


# --- overlap -------------------------------------------------------------------------


def _overlap_start(pages: list[Page], previous: list[_Unit], group: list[_Unit], overlap: int) -> int:
    """Where the chunk's text starts: up to `overlap` characters before its own units."""
    first, before = group[0], previous[-1]
    if first.opens_section or before.page != first.page or before.boilerplate != first.boilerplate:
        return first.start
    text = pages[first.page].text
    floor = previous[0].start if previous[0].page == first.page else 0
    low = max(floor, first.start - overlap)
    minimum = max(1, overlap // 3)
    if low == floor:
        return _skip_space(text, low, first.start)
    window = text[low : first.start]
    for pattern in (_OVERLAP_SENTENCE_RE, _CLAUSE_BREAK_RE, _SPACE_RE):
        match = pattern.search(window)
        if match is not None:
            start = _skip_space(text, low + match.end(), first.start)
            if first.start - start >= minimum:
                return start
    # No boundary: start after any Latin word cut by the window (CJK can start anywhere).
    start = low
    for token in _LATIN_TOKEN_RE.finditer(text, max(0, low - 200), first.start):
        if token.start() < start < token.end():
            start = token.end()
    return _skip_space(text, start, first.start)


_OVERLAP_SENTENCE_RE = re.compile(_SENTENCE_BREAK_RE.pattern + r"|\n")


def _skip_space(text: str, position: int, limit: int) -> int:
    while position < limit and text[position].isspace():
        position += 1
    return position
