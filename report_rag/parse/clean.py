"""Raw pypdf page text → readable pages: characters normalised, page furniture removed,
paragraphs rejoined (`report_rag.parse.reflow`).

pypdf emits one output line per PDF text line, so every soft wrap is a "\\n", Chinese
sentences are cut mid-word, running headers/footers repeat on every page, and letter-spaced
headings come out as "投 资 要 点". The rules here are layout-agnostic (punctuation, line
widths, repetition across pages; never one broker's wording) because the reports come from
many brokers and templates.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter

from report_rag.parse.reflow import (
    BULLETS,
    CJK_FINAL,
    IS_CJK,
    PROSE_PUNCT,
    SPACE_BETWEEN_CJK,
    document_vocabulary,
    is_table_row,
    reflow_page,
)
from report_rag.text import WIDE_LETTER, WIDE_PUNCT, dates_in_line
from report_rag.types import Page


def clean_pages(raw_pages: list[str]) -> list[Page]:
    """Clean every page of one document. Page numbers are 1-based and every input page
    yields a Page (an empty one if nothing survives), so citations keep their numbering.

    Paragraphs are separated by "\\n\\n"; lines kept apart inside a block (table rows,
    label/value lines) by "\\n". Deterministic: the same input gives the same output.
    """
    pages = [_normalise_page(text) for text in raw_pages]
    _drop_page_furniture(pages)
    vocabulary = document_vocabulary(raw_pages)
    return [
        Page(number=index + 1, text=reflow_page(lines, vocabulary))
        for index, lines in enumerate(pages)
    ]


# --- stage 1: characters and lines --------------------------------------------------------


def _translation_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    # pypdf maps glyphs of some Chinese fonts to Kangxi radicals or compatibility
    # ideographs ("⽣" U+2F63 for "生"); NFKC folds them to the ordinary characters, and
    # ligatures ("ﬁ") to letters. Full-width ASCII and CJK punctuation are left alone.
    for start, end in ((0x2E80, 0x2FDF), (0xF900, 0xFAFF), (0xFB00, 0xFB06), (0x2F800, 0x2FA1F)):
        for code in range(start, end + 1):
            folded = unicodedata.normalize("NFKC", chr(code))
            if folded != chr(code):
                table[code] = folded
    for code in (0x00A0, 0x2007, 0x202F, 0x205F, 0x3000, 0x09, 0x0B, 0x0C, *range(0x2000, 0x200B)):
        table[code] = " "  # NBSP, full-width and typographic spaces, tabs
    table[0x2010] = table[0x2011] = "-"
    for code in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, *range(0x202A, 0x202F)):
        table[code] = None  # zero-width characters and bidi controls
    for code in (*range(0x20), *range(0x7F, 0xA0)):
        table.setdefault(code, None)  # control characters
    table.pop(ord("\n"))
    return table


_TRANSLATE = _translation_table()
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")  # glyphs without a Unicode mapping
# Symbol-font bullets without a Unicode mapping come out as a private-use character or a
# control character (often DEL) leading the line.
_GLYPH_BULLET = re.compile(
    "^[ \t]*(?:[\ue000-\uf8ff\ufffd][ \t]*|[\x00-\x08\x0e-\x1f\x7f-\x9f][ \t]+)", re.M
)
_SPACES = re.compile(r" {2,}")
# Only glyph bullets: a lone "-" is as likely an empty table cell as a bullet.
_BULLET_ONLY = re.compile(f"^[{BULLETS}]+$")
_LETTER_SPACED = re.compile(
    f"(?<!\\S)[{WIDE_LETTER}][{WIDE_PUNCT}]?(?: [{WIDE_LETTER}][{WIDE_PUNCT}]?)+(?!\\S)"
)
# Full-width clause punctuation and brackets carry their own spacing; a space inside a
# bracket or next to a comma is an artefact. (A space after "）" may separate table cells.)
_SPACE_AT_CJK_PUNCT = re.compile(
    "(?<=[，。、；：！？（《「『【〔〈]) | (?=[，。、；：！？）》」』】〕〉])"
)


def _normalise_page(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # A soft hyphen at a line end is a hyphenation point; anywhere else it is invisible.
    text = text.replace("\u00ad\n", "-\n")
    text = _GLYPH_BULLET.sub("• ", text).translate(_TRANSLATE)
    lines = [_normalise_line(line) for line in text.split("\n")]
    return _merge_bullet_only_lines(_collapse_vertical_runs(lines))


def _normalise_line(line: str) -> str:
    line = _SPACES.sub(" ", _PRIVATE_USE.sub("", line).strip())
    return _fix_cjk_spacing(line) if " " in line else line


def _fix_cjk_spacing(line: str) -> str:
    """Remove the spaces pypdf puts between CJK characters, keeping meaningful ones.

    Always: letter-spacing ("投 资 要 点") and spaces touching CJK punctuation. Between two
    CJK words only once on a prose line: on a label/value line ("评级 买入") or a table row
    the spaces separate cells. Spaces next to Latin words or numbers are never touched.
    """
    if not IS_CJK.search(line) or is_table_row(line):
        return line
    line = _LETTER_SPACED.sub(lambda m: m.group(0).replace(" ", ""), line)
    line = _SPACE_AT_CJK_PUNCT.sub("", line)
    if PROSE_PUNCT.search(line) and len(SPACE_BETWEEN_CJK.findall(line)) == 1:
        line = SPACE_BETWEEN_CJK.sub("", line)  # one stray gap; several are table cells
    return line


def _collapse_vertical_runs(lines: list[str]) -> list[str]:
    """Sidebar text set one character per line ("开\\n源\\n证\\n券") becomes one line.

    It is kept (it can be a real label); a running sidebar repeats across pages and is
    removed later like any other page furniture.
    """
    out: list[str] = []
    run: list[str] = []
    for line in [*lines, ""]:
        if len(line) == 1 and IS_CJK.match(line) and line not in CJK_FINAL:
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
            line, pending = f"{pending} {line}", ""
        out.append(line)
    if pending:
        out.append(pending)
    return out


# --- stage 2: page furniture ------------------------------------------------------------

_ZONE = 5  # header/footer candidates: at most this many non-blank lines at top and bottom
_MAX_FURNITURE_LEN = 120
_MAX_NOTICE_LEN = 80
_MAX_URL_LEN = 300
_PAGE_NUMBER = re.compile(
    r"""^(?:
        [-–—\s]*\d{1,4}[-–—\s]*                        # 3   - 3 -
      | (?:page|p\.?)\s*\d+(?:\s*(?:of|/)\s*\d+)?        # Page 3, Page 3 of 12
      | \d+\s*(?:/|of)\s*\d+                             # 3/12, 3 of 12
      | 第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?       # 第 3 页 共 12 页
      | 共\s*\d+\s*页\s*[,，]?\s*第\s*\d+\s*页
    )$""",
    re.X | re.I,
)
_PAGE_NUMBER_TOKEN = (
    r"(?:第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|共\s*\d+\s*页"
    r"|page\s*\d+(?:\s*of\s*\d+)?|\d+\s*/\s*\d+|\d+\s+of\s+\d+)"
)
# A page number printed at the start or the end of a header/footer line.
_PAGE_TOKEN = re.compile(
    rf"(?:^|(?<=\s)){_PAGE_NUMBER_TOKEN}\s*$|^\s*{_PAGE_NUMBER_TOKEN}(?=\s)", re.I
)
# "请务必阅读正文之后的免责条款", "本报告仅供参考，请阅读最后一页的免责声明",
# "Please see the last page for important disclosures": looked for in short lines.
_READ_THE_DISCLAIMER = re.compile(
    r"(?:请务必|敬请|务请|请)\s*(?:仔细)?\s*(?:阅读|参阅|查阅|参见|参考|关注).{0,30}"
    r"(?:免责|声明|条款|披露|说明)"
    r"|^(?:please\s+)?(?:see|read|refer\s+to)\b.{0,80}"
    r"\b(?:disclaimers?|disclosures?|important\s+information|analyst\s+certifications?)\b",
    re.I,
)
# A line that is only a URL or a domain; "0700.HK" and "600519.SH" are tickers, not domains.
_BARE_URL = re.compile(
    r"^(?:https?://\S+|www\.[\w.-]+\S*"
    r"|[\w-]+(?:\.[\w-]+)*\.(?:com|cn|net|org|info|io|gov|edu)(?:\.[a-z]{2})?(?:/\S*)?)/?$",
    re.I,
)
_DIGITS = re.compile(r"\d+")
# A running header that names the covered stock, "Spotify Technology S.A. (SPOT)": page 1's
# copy is the masthead's company line, often its only statement of the company and code.
_COMPANY_MASTHEAD = re.compile(
    r"^[^()（）]{2,60}?\s*[（(][A-Z0-9]{1,6}(?:[ .][A-Z]{1,3})?(?:\s*[,/]\s*[A-Z0-9]{1,6}(?:[ .][A-Z]{1,3})?)*[）)]$"
)


def _drop_page_furniture(pages: list[list[str]]) -> None:
    """Delete running headers/footers, page numbers, "see the disclaimer" notices and bare
    URLs, in place. A running header/footer sits among the top or bottom lines of at
    least half the pages (and of at least two); a line repeated in the body is kept.

    Lines are removed, not blanked: their place in pypdf's stream order is arbitrary, so
    they must not split the paragraph around them.
    """
    zones = [_zone(lines) for lines in pages]
    seen_on: Counter[str] = Counter()
    for lines, zone in zip(pages, zones, strict=True):
        seen_on.update(
            {_furniture_key(lines[i]) for i in zone if len(lines[i]) <= _MAX_FURNITURE_LEN}
        )
    needed = max(2, math.ceil(len(pages) / 2))
    repeated = {key for key, count in seen_on.items() if count >= needed}

    def is_furniture(index: int, line: str, zone: set[int]) -> bool:
        if index in zone and (_furniture_key(line) in repeated or _PAGE_NUMBER.match(line)):
            return True
        if len(line) <= _MAX_NOTICE_LEN and _READ_THE_DISCLAIMER.search(line):
            return True
        return len(line) <= _MAX_URL_LEN and bool(_BARE_URL.match(line))

    for number, (lines, zone) in enumerate(zip(pages, zones, strict=True)):
        # Page 1's copy of a dated running header is the masthead ("Initiating Coverage
        # December 17, 2025"): the publication date has no other home, so it stays; so does
        # its copy of a "Company (CODE)" header.
        lines[:] = [
            line
            for i, line in enumerate(lines)
            if not line
            or not is_furniture(i, line, zone)
            or (number == 0 and (dates_in_line(line) or _COMPANY_MASTHEAD.match(line.strip())))
        ]


def _zone(lines: list[str]) -> set[int]:
    filled = [i for i, line in enumerate(lines) if line]
    # On a short page the zone shrinks, so that body text is never taken for furniture.
    size = min(_ZONE, max(1, len(filled) // 4))
    return set(filled[:size] + filled[-size:])


def _furniture_key(line: str) -> str:
    """What must repeat for a line to be a running header/footer. Page numbers are masked
    ("1/12" ≈ "2/12", "第 3 页" ≈ "第4页"); other digits only on short, non-prose lines, so
    body sentences that differ only in their numbers are not taken for furniture."""
    key = _PAGE_TOKEN.sub("#", line).replace(" ", "").lower()
    if len(key) > 60 or PROSE_PUNCT.search(key):
        return key
    return _DIGITS.sub("#", key)
