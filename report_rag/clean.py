"""Raw pypdf page text → readable pages: paragraphs rejoined, page furniture removed.

pypdf emits one output line per PDF text line, so every soft wrap is a "\\n", Chinese
sentences are cut mid-word, running headers/footers repeat on every page, and letter-spaced
headings come out as "投 资 要 点". The rules here are layout-agnostic (they look at
punctuation, line widths and repetition across pages, never at one broker's wording) because
the reports we must read come from many brokers and templates.

Output: blocks separated by "\\n\\n" (paragraphs, headings, bullet items, tables); lines that
must stay apart inside a block (table rows, sidebar key/value lines) separated by "\\n".
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter

from report_rag.models import Page

# --- character classes -------------------------------------------------------------------
_CJK_LETTER = (
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff"
    "\U00020000-\U0002ebef\U00030000-\U0003134f"
)
# CJK symbols & punctuation block plus the full-width punctuation of the Halfwidth and
# Fullwidth Forms block (its letters and digits excluded).
_CJK_PUNCT = "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
_CJK = f"{_CJK_LETTER}{_CJK_PUNCT}"
_IS_CJK = re.compile(f"[{_CJK}]")
_WIDE = re.compile(f"[{_CJK}\u2e80-\u2fdf\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_CJK_FINAL = "。！？；：!?;:"  # a line ending here ends a sentence; never glue the next line on
_LATIN_FINAL = ".!?;:"
_CONTINUES = "，、,（(“‘《〈【〔「『[{/&+—–-"  # a line ending here always continues
_CLOSERS = "）)」』”’》〉】〕]}\"'"
_NO_SPACE_AFTER = "(“‘[{/"
_NO_SPACE_BEFORE = ",.;:!?)]}”’%/"


def _compatibility_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    # pypdf maps glyphs of some Chinese fonts to Kangxi radicals / compatibility ideographs
    # ("⽣" U+2F63 for "生"); NFKC folds them to the ordinary characters. Same for ligatures.
    for start, end in ((0x2E80, 0x2FDF), (0xF900, 0xFAFF), (0xFB00, 0xFB06), (0x2F800, 0x2FA1F)):
        for code in range(start, end + 1):
            folded = unicodedata.normalize("NFKC", chr(code))
            if folded != chr(code):
                table[code] = folded
    for code in (0x00A0, 0x2007, 0x202F, 0x205F, 0x3000, 0x0009, 0x000B, 0x000C):
        table[code] = " "
    for code in range(0x2000, 0x200B):
        table[code] = " "
    for code in (0x2010, 0x2011):
        table[code] = "-"
    for code in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E):
        table[code] = None
    for code in list(range(0x00, 0x20)) + list(range(0x7F, 0xA0)):
        if chr(code) not in "\n\t\x0b\x0c":
            table.setdefault(code, None)
    return table


_TRANSLATE = _compatibility_table()
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")  # unmapped symbol-font glyphs (Wingdings bullets)
_SPACES = re.compile(r" {2,}")

# --- line kinds ------------------------------------------------------------------------
_BULLETS = "◆◇⚫⚪●○❑❒■□•▪▫►▶▷➢➣➤✓✔√※★☆◎◼◻⬛⬜❖·\u2460-\u2473\u2776-\u277f"
_BULLET_ONLY = re.compile(f"^[{_BULLETS}\\-*–]+$")
_CN_NUM = "一二三四五六七八九十"
_BLOCK_START = re.compile(
    rf"""^(?:
        [{_BULLETS}]                                      # glyph bullets
      | [-*–]\s                                            # ASCII bullets need a space
      | \d{{1,2}}(?:[.．](?!\d)|[、)）])                    # 1.  1、 1)   (not 1.5)
      | [(（]\s*(?:\d{{1,2}}|[{_CN_NUM}]{{1,3}}|[a-zA-Z]|[ivxIVX]{{1,4}})\s*[)）]   # (1) （一） (a)
      | [{_CN_NUM}]{{1,3}}[、.．]                           # 一、
      | [\u2160-\u216f]+[、.．\s]                           # Ⅰ、
      | 第[{_CN_NUM}\d]{{1,3}}[章节部分]                    # 第一章
      | [a-h][.)]\s                                        # a) b.
      | (?:图表|图|表)\s*\d+                                # 图表 1 … (figure captions)
      | (?:Figure|Fig\.|Exhibit|Table|Chart)\s*\d+\s*[:.：]
      | (?:资料来源|数据来源|来源)\s*[:：]
      | Sources?\s*:
    )""",
    re.X,
)
# A number-like table cell: -4.21, 1,234, 25.3%, (3.2), 2024E, 12M, 1.2x
_NUMERIC = re.compile(r"^[-+−(（]?[$¥€£]?\d[\d,.]*%?[)）]?[A-Za-z]?$")
_PROSE_PUNCT = re.compile("[，。；！？、]")

# --- page furniture ----------------------------------------------------------------------
_ZONE = 5  # header/footer candidates: at most this many non-blank lines at top and bottom
_MAX_FURNITURE_LEN = 120
_PAGE_NUMBER = re.compile(
    r"""^(?:
        [-–—\s]*\d{1,4}[-–—\s]*                              # 3   - 3 -
      | (?:page|p\.?)\s*\d+(?:\s*(?:of|/)\s*\d+)?              # Page 3, Page 3 of 12
      | \d+\s*(?:/|of)\s*\d+                                   # 3/12, 3 of 12
      | 第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?              # 第 3 页 共 12 页
      | 共\s*\d+\s*页\s*[,，]?\s*第\s*\d+\s*页
    )$""",
    re.X | re.I,
)
_READ_THE_DISCLAIMER = re.compile(
    r"^\W*(?:请务必|敬请|务请|请)\s*(?:仔细)?\s*(?:阅读|参阅|查阅|参见|参考|关注).{0,30}"
    r"(?:免责|声明|条款|披露|说明)"
    r"|^(?:please\s+)?(?:see|read|refer\s+to)\b.{0,80}"
    r"\b(?:disclaimers?|disclosures?|important\s+information|analyst\s+certifications?)\b",
    re.I,
)
_BARE_URL = re.compile(
    r"^(?:https?://\S+|www\.[\w.-]+\S*|[\w-]+(?:\.[\w-]+)*\.(?:com|cn|net|org|info|io|gov|edu)"
    r"(?:\.[a-z]{2})?(?:/\S*)?)/?$",
    re.I,
)
_DIGITS = re.compile(r"\d+")
_MID_LINE_COMPOUND = re.compile(r"\b([A-Za-z]+-[A-Za-z]+)\b(?!$)", re.M)


def clean_pages(raw_pages: list[str]) -> list[Page]:
    """Clean every page of one document; page numbers are 1-based and every input page
    yields a Page (an empty one if nothing survives), so citations keep their numbering."""
    pages = [_normalise_page(text) for text in raw_pages]
    _drop_page_furniture(pages)
    compounds = _hyphenated_compounds(raw_pages)
    return [
        Page(number=index + 1, text=_rebuild_paragraphs(lines, compounds))
        for index, lines in enumerate(pages)
    ]


# --- stage 1: characters and lines --------------------------------------------------------


def _normalise_page(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # A soft hyphen at a line end is a hyphenation point; anywhere else it is invisible.
    text = text.replace("\u00ad\n", "-\n").translate(_TRANSLATE)
    lines = [_normalise_line(line) for line in text.split("\n")]
    return _merge_bullet_only_lines(_collapse_vertical_runs(lines))


def _normalise_line(line: str) -> str:
    line = _SPACES.sub(" ", line.strip())
    if line and _PRIVATE_USE.match(line):
        line = "•" + line[1:]  # a symbol-font glyph leading a line is a bullet
    line = _PRIVATE_USE.sub("", line)
    return _fix_cjk_spacing(line) if " " in line else line


_LETTER_SPACED = re.compile(f"(?<!\\S)[{_CJK_LETTER}][{_CJK_PUNCT}]?(?: [{_CJK_LETTER}][{_CJK_PUNCT}]?)+(?!\\S)")
_SPACE_AT_CJK_PUNCT = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK_PUNCT}])|(?<=[{_CJK_PUNCT}]) (?=[{_CJK}])")
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK_LETTER}]) (?=[{_CJK_LETTER}])")


def _fix_cjk_spacing(line: str) -> str:
    """Remove the spaces pypdf puts between CJK characters, keeping meaningful ones.

    Always: letter-spacing ("投 资 要 点") and spaces touching CJK punctuation. Between two
    CJK words only on prose lines: on a label/value line ("评级 买入") or a table header
    the space separates cells. Spaces next to Latin words or numbers are never touched.
    """
    if not _IS_CJK.search(line) or _is_table_row(line):
        return line
    line = _LETTER_SPACED.sub(lambda m: m.group(0).replace(" ", ""), line)
    line = _SPACE_AT_CJK_PUNCT.sub("", line)
    if _PROSE_PUNCT.search(line):
        line = _SPACE_BETWEEN_CJK.sub("", line)
    return line


def _collapse_vertical_runs(lines: list[str]) -> list[str]:
    """Sidebar text set one character per line ("开\\n源\\n证\\n券") becomes one line.

    It is kept (it can be a real label); if it is a running sidebar, repetition across pages
    removes it later like any other page furniture.
    """
    out: list[str] = []
    run: list[str] = []
    for line in [*lines, ""]:
        if len(line) == 1 and _IS_CJK.match(line) and line not in _CJK_FINAL:
            run.append(line)
            continue
        if len(run) >= 3:
            out.append("".join(run))
        else:
            out.extend(run)
        run = []
        out.append(line)
    return out[:-1]


def _merge_bullet_only_lines(lines: list[str]) -> list[str]:
    # Bullets are often drawn in a symbol font, so pypdf emits them on a line of their own.
    out: list[str] = []
    pending = ""
    for line in lines:
        if _BULLET_ONLY.match(line):
            pending = line
            continue
        if pending and line:
            line = f"{pending} {line}"
            pending = ""
        out.append(line)
    if pending:
        out.append(pending)
    return out


# --- stage 2: page furniture ------------------------------------------------------------


def _furniture_key(line: str) -> str:
    # "1/12" and "2/12", "第 3 页" and "第3页" must compare equal. Prose and long lines must
    # match exactly: body sentences that differ only in their numbers are not furniture.
    key = line.replace(" ", "").lower()
    if len(key) > 60 or _PROSE_PUNCT.search(key):
        return key
    return _DIGITS.sub("#", key)


def _zone_indexes(lines: list[str]) -> list[int]:
    filled = [i for i, line in enumerate(lines) if line]
    # On a short page the zone shrinks, so that body text is never mistaken for furniture.
    size = min(_ZONE, max(1, len(filled) // 4))
    return sorted(set(filled[:size] + filled[-size:]))


def _drop_page_furniture(pages: list[list[str]]) -> None:
    """Delete running headers/footers, page numbers, "see the disclaimer" notices and bare
    URLs, in place. A line is a running header/footer when it sits in the top or bottom
    lines of at least half the pages (and of at least two).

    Lines are removed, not blanked: their place in pypdf's stream order is arbitrary, so
    they must not split the paragraph around them.
    """
    zones = [set(_zone_indexes(lines)) for lines in pages]
    seen_on: Counter[str] = Counter()
    for lines, zone in zip(pages, zones):
        seen_on.update({_furniture_key(lines[i]) for i in zone if len(lines[i]) <= _MAX_FURNITURE_LEN})
    needed = max(2, math.ceil(len(pages) / 2))
    repeated = {key for key, count in seen_on.items() if count >= needed}

    def is_furniture(index: int, line: str, zone: set[int]) -> bool:
        if index in zone and (_furniture_key(line) in repeated or _PAGE_NUMBER.match(line)):
            return True
        return len(line) <= _MAX_FURNITURE_LEN and bool(
            _READ_THE_DISCLAIMER.match(line) or _BARE_URL.match(line)
        )

    for lines, zone in zip(pages, zones):
        lines[:] = [line for i, line in enumerate(lines) if not line or not is_furniture(i, line, zone)]


# --- stage 3: paragraphs ------------------------------------------------------------------


def _width(line: str) -> int:
    return len(line) + len(_WIDE.findall(line))  # CJK glyphs are two Latin widths wide


def _is_table_row(line: str) -> bool:
    """Several numeric cells after a label: "相对收益 -4.21 -16.44 -24.01", "2023A 2024E"."""
    cells = line.split()
    if len(cells) < 3 or _PROSE_PUNCT.search(line):
        return False
    numeric = sum(1 for cell in cells[1:] if _NUMERIC.match(cell))
    return numeric >= 2 and numeric * 2 >= len(cells) - 1


def _effective_last(line: str) -> str:
    stripped = line.rstrip(_CLOSERS)
    return stripped[-1] if stripped else line[-1]


def _hyphenated_compounds(raw_pages: list[str]) -> set[str]:
    """Hyphenated words seen mid-line anywhere in the document ("long-term"): when one is
    broken at a line end, its hyphen is real and must stay."""
    found: set[str] = set()
    for text in raw_pages:
        found.update(match.lower() for match in _MID_LINE_COMPOUND.findall(text))
    return found


def _rebuild_paragraphs(lines: list[str], compounds: set[str]) -> str:
    widths = sorted(_width(line) for line in lines if line)
    if not widths:
        return ""
    page_full = widths[min(len(widths) - 1, round(0.9 * (len(widths) - 1)))]
    blocks: list[list[str]] = []
    previous: str | None = None  # last non-blank line, None after a blank line
    for index, line in enumerate(lines):
        if not line:
            previous = None
            continue
        following = next((lines[j] for j in range(index + 1, len(lines)) if lines[j]), None)
        relation = "paragraph" if previous is None else _relation(previous, line, following, page_full)
        if relation == "paragraph":
            blocks.append([line])
        elif relation == "newline":
            blocks[-1].append(line)
        else:
            blocks[-1][-1] = _glue(blocks[-1][-1], line, compounds)
        previous = line
    return "\n\n".join("\n".join(block) for block in blocks)


def _relation(prev: str, line: str, following: str | None, page_full: int) -> str:
    """How `line` attaches to the line before it: "join" (soft wrap), "newline" (same
    block, own line) or "paragraph" (new block)."""
    if _BLOCK_START.match(line):
        return "paragraph"
    prev_table, line_table = _is_table_row(prev), _is_table_row(line)
    if prev_table or line_table:
        return "newline" if prev_table and line_table else "paragraph"
    last = _effective_last(prev)
    if last in _CONTINUES:
        return "join"  # a comma, an open bracket, a word broken at its hyphen
    if _is_heading(line, following, page_full):
        return "paragraph"
    prev_full = _width(prev) >= 0.5 * page_full and _width(prev) >= 0.6 * _width(line)
    if last in ".!?;":
        # English wraps at sentence ends all the time; only a short line ends a paragraph.
        return "join" if prev_full else "paragraph"
    if last in _CJK_FINAL:
        return "newline" if prev_full else "paragraph"
    if prev_full:
        return "join"
    # A short line without closing punctuation: a heading or a label/value line.
    return "newline" if _width(line) < 0.5 * page_full else "paragraph"


def _is_heading(line: str, following: str | None, page_full: int) -> bool:
    """A short unpunctuated line standing above a long line: "投资要点", "Key points"."""
    if following is None or _width(line) >= 0.5 * page_full or len(line) > 40:
        return False
    if _effective_last(line) in _CJK_FINAL + _LATIN_FINAL + _CONTINUES + "，。":
        return False
    return _width(following) >= 0.5 * page_full or bool(_BLOCK_START.match(following))


def _glue(prev: str, line: str, compounds: set[str]) -> str:
    """Join a soft-wrapped line: no space around CJK, a space between Latin words,
    de-hyphenated when a lowercase word was broken at the line end."""
    if prev.endswith("-") and len(prev) > 1 and prev[-2].isalnum():
        fragment = re.search(r"[A-Za-z]+$", prev[:-1])
        head = re.match(r"[A-Za-z]+", line)
        if fragment and head and line[0].islower():
            compound = f"{fragment.group(0)}-{head.group(0)}".lower()
            word = fragment.group(0)
            if compound not in compounds and (word.islower() or word.istitle()):
                return prev[:-1] + line  # "semi-" + "conductor"
        return prev + line  # a real hyphen: "AI-" + "driven", "COVID-" + "19"
    a, b = prev[-1], line[0]
    if _IS_CJK.match(a) or _IS_CJK.match(b) or a in _NO_SPACE_AFTER or b in _NO_SPACE_BEFORE:
        return prev + line
    if a in "—–" or b in "—–":
        return prev + line
    return f"{prev} {line}"
