"""Rebuild paragraphs from the lines of one page: soft wraps joined, structure kept.

A PDF stores lines, not paragraphs. A line break is taken for a soft wrap the way the
typesetter made it: the line was broken because the next word did not fit ("it fills its
column"), unless punctuation, a bullet, a heading, a table row or a sidebar label says
otherwise. Widths are counted in characters (CJK double) and compared with the page's own
lines, so the rules hold for any template, Chinese or English.

Output: blocks separated by "\\n\\n" (paragraphs, headings, list items, tables); lines that
stay apart inside a block (table rows, label/value lines) separated by "\\n".
"""

from __future__ import annotations

import re
from typing import Literal, NamedTuple

from report_rag.text import WIDE_LETTER, WIDE_PUNCT, is_code_cell

# --- character classes -------------------------------------------------------------------
CJK = f"{WIDE_LETTER}{WIDE_PUNCT}"
IS_CJK = re.compile(f"[{CJK}]")
_WIDE = re.compile(f"[{CJK}\u2e80-\u2fdf\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
CJK_FINAL = "。！？；：!?;:"  # a line ending here ends a sentence or clause
_LATIN_FINAL = ".!?;:"
_CONTINUES = "，、,（(“‘《〈【〔「『[{/&+—–-"  # a line ending here always continues
_CLOSERS = "）)」』”’》〉】〕]}\"'"
_NO_SPACE_AFTER = "(“‘[{/"
_NO_SPACE_BEFORE = ",.;:!?)]}”’%/"
PROSE_PUNCT = re.compile("[，。；！？、]")
_CLAUSE_PUNCT = re.compile("[，、；：,]")
_SENTENCE_END = re.compile("[。！？；]")

# --- line kinds ------------------------------------------------------------------------
BULLETS = "◆◇⚫⚪●○❑❒■□•▪▫►▶▷➢➣➤✓✔√※★☆◎◼◻⬛⬜❖·\u2460-\u2473\u2776-\u277f"
_CN_NUM = "一二三四五六七八九十"
_BLOCK_START = re.compile(
    rf"""^(?:
        [{BULLETS}]                                       # glyph bullets
      | [-*–]\s                                           # ASCII bullets need a space
      | \d{{1,2}}(?:[.．](?!\d)|[、)）])                   # 1.  1、 1)   (not 1.5)
      | [(（]\s*(?:\d{{1,2}}|[{_CN_NUM}]{{1,3}}|[a-zA-Z]|[ivxIVX]{{1,4}})\s*[)）]
      | [{_CN_NUM}]{{1,3}}[、.．]                          # 一、
      | [\u2160-\u216f]+[、.．\s]                          # Ⅰ、
      | 第[{_CN_NUM}\d]{{1,3}}[章节部分]                   # 第一章
      | [a-h][.)]\s                                       # a) b.
      | (?:图表|图|表)\s*\d+                               # 图表 1 (captions)
      | (?:Figure|Fig\.|Exhibit|Table|Chart)\s*\d+\s*[:.：]
      | (?:资料来源|数据来源|来源)\s*[:：]
      | Sources?\s*:
    )""",
    re.X,
)
_SECTION_HEADING = re.compile(
    f"^(?:[{_CN_NUM}]{{1,3}}[、.．]|[（(][{_CN_NUM}]{{1,3}}[)）]|第[{_CN_NUM}\\d]{{1,3}}[章节部分])"
)
_CAPTION = re.compile(
    r"^(?:图表|图|表|Figure|Fig\.|Exhibit|Table|Chart|资料来源|数据来源|来源|Sources?)"
)
# A number-like table cell: -4.21, 1,234, 25.3%, (3.2), 2024E, 1880.10/1413.00, 12.5元, "-"
_NUMERIC = re.compile(
    r"^(?:[-–—]|n\.?a\.?|nm|n\.m\.)$"
    r"|^[-+−(（]?[$¥€£]?\d(?:[\d,.]*\d)?%?(?:/-?\d(?:[\d,.]*\d)?%?)*[)）]?"
    r"(?:[A-Za-z]|[元倍亿万股x]{1,2})?$",
    re.I,
)
SPACE_BETWEEN_CJK = re.compile(f"(?<=[{WIDE_LETTER}]) (?=[{WIDE_LETTER}])")
_CELL_GAP = re.compile(f"(?<=[{CJK}]) (?=[{CJK}])")
# Openers stay with the next glyph and closers with the previous one (kinsoku), so a line's
# first unbreakable unit may carry both.
_FIRST_WORD = re.compile(f"[“‘（《「『【]*(?:[{WIDE_LETTER}][{WIDE_PUNCT}]*|[^\\s{WIDE_LETTER}]+)")
_ADDRESS = re.compile(r"^\S*(?:@|://|www\.)")  # an e-mail or URL, often lower-case
_TRAILING_WORD = re.compile(r"[A-Za-z]+$")
_LEADING_WORD = re.compile(r"[A-Za-z]+")
_MID_LINE_COMPOUND = re.compile(r"\b([A-Za-z]+-[A-Za-z]+)\b(?!$)", re.M)
_FREE_WORD = re.compile(r"(?<![A-Za-z-])[A-Za-z]{2,}(?![A-Za-z-])")
# Words that end a line with a hyphen only as the head of a compound ("five-year",
# "non-performing", "mid-teens"), never as a syllable of a longer word.
_COMPOUND_HEADS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty"
    " hundred thousand million billion half single double triple non self cross mid".split()
)

Relation = Literal["join", "newline", "paragraph"]


class Vocabulary(NamedTuple):
    """English words of one document, for deciding line-end hyphens."""

    compounds: set[str]  # hyphenated words seen mid-line: "long-term"
    words: set[str]  # words seen with no hyphen attached


def document_vocabulary(raw_pages: list[str]) -> Vocabulary:
    vocabulary = Vocabulary(set(), set())
    for text in raw_pages:
        vocabulary.compounds.update(m.lower() for m in _MID_LINE_COMPOUND.findall(text))
        vocabulary.words.update(m.lower() for m in _FREE_WORD.findall(text))
    return vocabulary


def is_table_row(line: str) -> bool:
    """A label followed by numeric cells: "相对收益 -4.21 -16.44 -24.01", "2023A 2024E 2025E",
    or a CJK label and one value: "总股本（亿股） 12.56". Prose with numbers in it
    ("recovery (15 May 2024)") does not end in a run of them."""
    cells = line.split()
    if len(cells) < 2 or PROSE_PUNCT.search(line):
        return False
    run = 0
    for cell in reversed(cells[1:]):
        if not _NUMERIC.match(cell):
            break
        run += 1
    if len(cells) == 2:
        return run == 1 and bool(IS_CJK.search(cells[0]))
    return run >= 2


def reflow_page(lines: list[str], vocabulary: Vocabulary) -> str:
    """Join one page's normalised lines ("" = blank line) into blocks of text."""
    widths = sorted(_width(line) for line in lines if line)
    if not widths:
        return ""
    page_full = widths[min(len(widths) - 1, round(0.9 * (len(widths) - 1)))]
    following_of: list[str | None] = [None] * len(lines)
    upcoming: str | None = None
    for index in range(len(lines) - 1, -1, -1):
        following_of[index] = upcoming
        upcoming = lines[index] or upcoming

    blocks: list[list[str]] = []
    previous: str | None = None  # last non-blank line; None after a blank line
    before: str | None = None  # the non-blank line above `previous`
    for index, line in enumerate(lines):
        if not line:
            previous = before = None
            continue
        if previous is None:
            relation: Relation = "paragraph"
        else:
            relation = _relation(before, previous, line, following_of[index], page_full)
        if relation == "paragraph":
            blocks.append([line])
        elif relation == "newline":
            blocks[-1].append(line)
        else:
            blocks[-1][-1] = _glue(blocks[-1][-1], line, vocabulary)
        before, previous = previous, line
    return "\n\n".join("\n".join(block) for block in blocks)


def _relation(
    before: str | None, prev: str, line: str, following: str | None, page_full: int
) -> Relation:
    """How `line` attaches to `prev`, the line above it. `before` (above `prev`) and
    `following` (below `line`) help judge the column width and spot headings."""
    if _BLOCK_START.match(line):
        return "paragraph"
    if _ADDRESS.match(line) or _ADDRESS.match(prev):
        return "newline"  # an e-mail or URL line stands alone (contact blocks)
    prev_row, line_row = _is_row(prev), _is_row(line)
    if prev_row or line_row:
        return "newline" if prev_row and line_row else "paragraph"
    last = _effective_last(prev)
    dangling_dash = last in "-–—" and not (len(prev) > 1 and prev[-2].isalnum())
    if last in _CONTINUES and not dangling_dash:
        return "join"  # a comma, an open bracket, a word broken at its hyphen
    if _CAPTION.match(prev) and _BLOCK_START.match(prev):
        return "paragraph"  # a figure/table caption or a source line stands alone
    if _SECTION_HEADING.match(prev) and not _SENTENCE_END.search(prev):
        if _width(line) >= _width(prev):
            # What wraps off a "一、…" heading is a short remainder; a line as long as the
            # heading itself starts the section's body.
            return "paragraph"
    if line[0].islower() and last.isalnum():
        return "join"  # sentences start upper-case: a lower-case start continues one

    prev_width = _width(prev)
    cjk_line = (prev_width - len(prev)) * 3 >= len(prev)
    column = max(prev_width, _width(line), _width(before) if before else 0)
    full = _is_long(prev, page_full) and _fills_column(prev, line, column, cjk_line)
    sentence_ended = last in CJK_FINAL or last == "."
    if full and not sentence_ended and not _is_long(line, page_full):
        if _effective_last(line) not in CJK_FINAL + _LATIN_FINAL and (
            following is None
            or not _is_long(following, page_full)
            or _BLOCK_START.match(following)
        ):
            # A short label or heading after a column cut mid-sentence ("分析师 / 林书瑶",
            # "Key data / Rating Buy", "投资要点 / ◆ …"): the column continues elsewhere.
            return "paragraph"
    if full and not sentence_ended and cjk_line:
        return "join"  # even a short next line continues a full CJK line cut mid-sentence
    if _is_heading(line, following, page_full, after_sentence=sentence_ended):
        return "paragraph"
    if last in ".!?;":
        # English wraps at sentence ends all the time; only a short line ends a paragraph.
        return "join" if full else "paragraph"
    if last in CJK_FINAL:
        return "newline" if full else "paragraph"
    if full:
        return "join"
    if cjk_line and prev_width >= 0.8 * column and _CLAUSE_PUNCT.search(prev):
        return "join"  # nearly full and mid-sentence: a long unbreakable run did not fit
    # A short line without closing punctuation: a heading or a label/value line.
    return "newline" if not _is_long(line, page_full) else "paragraph"


def _width(line: str) -> int:
    return len(line) + len(_WIDE.findall(line))  # CJK glyphs are two Latin widths wide


def _is_long(line: str, page_full: int) -> bool:
    return _width(line) >= 0.5 * page_full


def _fills_column(prev: str, line: str, column: int, cjk_line: bool) -> bool:
    """Whether `prev` was broken because `line`'s first word did not fit after it: the
    typesetter's own rule. Widths are counted, not measured, so allow some slack; more
    for ragged-right Latin."""
    first_word = _FIRST_WORD.match(line)
    needed = _width(prev) + (_width(first_word.group(0)) if first_word else 1)
    if not cjk_line:
        needed += 1  # the space between the words
        return needed >= column - max(6, 0.1 * column)
    return needed >= column - max(2, 0.05 * column)


def _is_heading(line: str, following: str | None, page_full: int, after_sentence: bool) -> bool:
    """A short unpunctuated line that opens a section ("投资要点", "Key points"): it follows
    a finished sentence or stands above a long line or a list."""
    if _is_long(line, page_full) or len(line) > 40 or line[0].islower():
        return False
    if _effective_last(line) in CJK_FINAL + _LATIN_FINAL + _CONTINUES:
        return False
    if following is None:
        return after_sentence
    return (
        after_sentence or _is_long(following, page_full) or bool(_BLOCK_START.match(following))
    )


def _is_cell_row(line: str) -> bool:
    """Text cells side by side ("公司 发布内容 主要看点", "投资评级 领先大市-A维持",
    "中芯国际 688981.SH 买入"): a space between two CJK words survives cleaning only where
    it separates cells, and prose writes a stock code in brackets, not as a cell."""
    if PROSE_PUNCT.search(line):
        return False
    return bool(_CELL_GAP.search(line)) or any(is_code_cell(c) for c in line.split()[1:])


def _is_row(line: str) -> bool:
    return is_table_row(line) or _is_cell_row(line)


def _effective_last(line: str) -> str:
    """The last character that says how a line ends: "。" in "…声明。”"."""
    stripped = line.rstrip(_CLOSERS)
    return stripped[-1] if stripped else line[-1]


def _glue(prev: str, line: str, vocabulary: Vocabulary) -> str:
    """Join a soft wrap: no space at a CJK boundary, a space between Latin words, and a
    line-end hyphen dropped unless the word is a compound ("semi-" + "conductor" →
    "semiconductor", but "AI-driven", "COVID-19", "long-term", "five-year")."""
    if prev.endswith("-") and len(prev) > 1 and prev[-2].isalnum():
        tail = prev[-80:-1]  # a bounded tail: paragraphs can grow long
        fragment = _TRAILING_WORD.search(tail)
        head = _LEADING_WORD.match(line)
        if fragment and head and line[0].islower():
            word, rest = fragment.group(0), head.group(0)
            compound = (
                f"{word}-{rest}".lower() in vocabulary.compounds
                or (word.lower() in _COMPOUND_HEADS and not rest.startswith(("teen", "ty")))
                or (word.lower() in vocabulary.words and rest.lower() in vocabulary.words)
            )
            chained = tail[: -len(word)].endswith("-")  # "slower-than-" + "expected"
            if not compound and not chained and (word.islower() or word.istitle()):
                return prev[:-1] + line
        return prev + line  # an acronym ("AI-"), a number ("COVID-19"), a compound
    a, b = prev[-1], line[0]
    if IS_CJK.match(a) or IS_CJK.match(b) or a in _NO_SPACE_AFTER or b in _NO_SPACE_BEFORE:
        return prev + line
    if a in "—–" or b in "—–":
        return prev + line
    return f"{prev} {line}"
