"""Text rules every stage shares, each in one place: CJK ranges, stock-code patterns, name
keys, and finding a quote on a page.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from difflib import SequenceMatcher

# --- CJK -------------------------------------------------------------------------------

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han ideographs (ext. A, unified, compatibility)
CJK_RE = re.compile(f"[{CJK}]")
CJK_RUN_RE = re.compile(f"[{CJK}]+")
# Wider: every letter written without spaces between words (kana, hangul, Han ext. B-G), and
# CJK punctuation incl. the full-width forms' — what line reflow joins without a space.
WIDE_LETTER = (
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff"
    "\U00020000-\U0002ebef\U00030000-\U0003134f"
)
WIDE_PUNCT = "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"

# --- stock codes --------------------------------------------------------------------------
# A-shares 600519.SH / 000858.SZ / 430047.BJ, Hong Kong 0700.HK, Taiwan 2330.TW, Tokyo 7203.T,
# US 'AAPL.O', and Bloomberg style 'TSM US', '2330 TT', 'D05 SP', '700 HK'.

NUMERIC_EXCHANGES = ("SH", "SZ", "BJ", "SS", "HK", "TW", "T")
US_SUFFIXES = ("O", "N", "OQ", "A", "US")
BLOOMBERG_EXCHANGES = (
    "US", "HK", "CH", "C1", "C2", "TT", "JP", "KS", "LN", "GR", "SP", "IJ", "MK", "TB", "IN", "AU", "FP", "NA",
    "SW", "CN", "SS", "SZ", "JT",
)
_A_SHARE = r"\d{6}\.(?:SH|SZ|BJ|SS)"
_HK = r"\d{4,5}\.HK"
_OTHER_NUMERIC = r"\d{4}\.(?:TW|T)"
_US_DOT = rf"[A-Z]{{1,5}}\.(?:{'|'.join(US_SUFFIXES)})"
_BLOOMBERG = rf"[A-Z0-9]{{1,6}}(?:/[A-Z])?\s(?:{'|'.join(BLOOMBERG_EXCHANGES)})"
_BARE_A_SHARE = r"\d{6}"
_EDGE_BEFORE, _EDGE_AFTER = r"(?<![A-Za-z0-9.])", r"(?![A-Za-z0-9])"

CODE_RE = re.compile(
    rf"{_EDGE_BEFORE}(?:{_A_SHARE}|{_HK}|{_OTHER_NUMERIC}|{_US_DOT}|{_BLOOMBERG}){_EDGE_AFTER}", re.IGNORECASE
)
# Codes of digits and an exchange suffix (group 1: the digits), the form questions and
# answers quote: "600519.SH", "0700.hk".
NUMERIC_CODE_RE = re.compile(
    rf"{_EDGE_BEFORE}(\d{{4,6}})\.({'|'.join(NUMERIC_EXCHANGES)}){_EDGE_AFTER}", re.IGNORECASE
)
_CODE_FULL_RE = re.compile(
    rf"(?:{_A_SHARE}|{_HK}|{_OTHER_NUMERIC}|{_US_DOT}|{_BLOOMBERG}|{_BARE_A_SHARE})", re.IGNORECASE
)
# Bloomberg codes need their exchange in capitals (else "in US" or "at HK" would match).
_BLOOMBERG_STRICT_RE = re.compile(_BLOOMBERG)
# One token for the lexical index (text is lower-cased there).
CODE_TOKEN_PATTERN = rf"\d{{4,6}}\.(?:{'|'.join(s.lower() for s in NUMERIC_EXCHANGES + US_SUFFIXES)})\b"


def normalize_code(text: str) -> str | None:
    """The code `text` is (whole), normalised (suffix upper-case, spaces squeezed); None when it
    is not a stock code. A code is never completed: a bare '600519' stays '600519'."""
    candidate = " ".join(text.split())
    if not _CODE_FULL_RE.fullmatch(candidate):
        return None
    if " " in candidate:
        if not _BLOOMBERG_STRICT_RE.fullmatch(candidate):
            return None
        return candidate
    head, dot, suffix = candidate.rpartition(".")
    return f"{head}.{suffix.upper()}" if dot else candidate.upper()


# A-share exchanges follow from the code itself (an exchange rule, not a guess): Shanghai
# 60/68/90, Shenzhen 00/30/20, Beijing 43/83/87/88/92.
_A_SHARE_EXCHANGE = (("60", "SH"), ("68", "SH"), ("90", "SH"), ("00", "SZ"), ("30", "SZ"), ("20", "SZ"),
                     ("43", "BJ"), ("83", "BJ"), ("87", "BJ"), ("88", "BJ"), ("92", "BJ"))
_CHINA_BLOOMBERG = re.compile(r"^(\d{6})(?:\s(?:CH|C1|C2|CN)|\.(?:CH|SS))$")
_HK_BLOOMBERG = re.compile(r"^(\d{1,5})(?:\sHK|\.HK)$")


def canonical_code(code: str) -> str:
    """One form per listing, so two notes on one stock join: 300750 / 300750 CH / 300750.SZ ->
    300750.SZ; 603259.SS -> 603259.SH; 700 HK / 00700.HK -> 0700.HK. Other codes as given."""
    code = " ".join(code.split()).upper()
    digits = code if re.fullmatch(r"\d{6}", code) else None
    china = _CHINA_BLOOMBERG.match(code)
    if china:
        digits = china.group(1)
    if digits:
        exchange = next((ex for prefix, ex in _A_SHARE_EXCHANGE if digits.startswith(prefix)), None)
        return f"{digits}.{exchange}" if exchange else code
    hong_kong = _HK_BLOOMBERG.match(code)
    if hong_kong:
        return f"{int(hong_kong.group(1)):04d}.HK"
    return code


def find_codes(text: str) -> list[re.Match[str]]:
    """Code-shaped spans in `text` (Bloomberg style only when its exchange is in capitals)."""
    return [m for m in CODE_RE.finditer(text) if " " not in m.group() or _BLOOMBERG_STRICT_RE.fullmatch(m.group())]


def is_code_cell(cell: str) -> bool:
    """Is one table cell exactly a stock code (a column of codes marks a stock table)?"""
    return bool(CODE_RE.fullmatch(cell)) and " " not in cell


def name_key(name: str) -> str:
    """How two printings of one stock's name compare: no space, case or share-class suffix."""
    return re.sub(r"[\s\-]+(?:SW|WR|W|S|B|U|R|X)$", "", re.sub(r"\s+", " ", name.strip())).lower().replace(" ", "")


# --- finding a quote on a page ---------------------------------------------------------------

_DROPPED = frozenset("-\u00ad\u2010\u2011")  # hyphens: line-end hyphenation is undone by cleaning


def find_span(page_text: str, quote: str, start: int = 0) -> tuple[int, int] | None:
    """(start, end) of `quote` in `page_text`, ignoring whitespace (cleaning may have moved it),
    from `start` on, else anywhere; ``page_text[start:end]`` is then the verbatim page form."""
    target = "".join(quote.split())
    if not target:
        return None
    kept = [i for i, ch in enumerate(page_text) if not ch.isspace()]
    squeezed = "".join(page_text[i] for i in kept)
    first = next((n for n, i in enumerate(kept) if i >= start), len(kept))
    at = squeezed.find(target, first)
    if at < 0:
        at = squeezed.find(target)
    if at < 0:
        return None
    return kept[at], kept[at + len(target) - 1] + 1


def comparable(text: str) -> tuple[str, list[int]]:
    """`text` folded for matching (NFKC, lower case, no whitespace or hyphens) and, per folded
    character, its index in `text`."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace() or ch in _DROPPED or ch == "\x00":
            continue
        for folded in unicodedata.normalize("NFKC", ch).lower():
            if not folded.isspace():
                out.append(folded)
                where.append(i)
    return "".join(out), where


def locate_characters(
    page_text: str, quote: str, *, min_coverage: float = 0.6, min_block: int = 2
) -> list[int] | None:
    """Indices into `page_text` of the characters that carry `quote`, or None if not found.

    Exact (folded) match first; otherwise the matching runs of at least `min_block` characters
    around the longest one, accepted only when they cover `min_coverage` of the quote.
    """
    hay, hay_pos = comparable(page_text)
    needle, _ = comparable(quote)
    if not needle or not hay:
        return None
    at = hay.find(needle)
    if at >= 0:
        return hay_pos[at : at + len(needle)]
    matcher = SequenceMatcher(None, needle, hay, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size >= min_block]
    if not blocks:
        return None
    # Keep runs near the longest one: a quote is one stretch of the page, not scattered words.
    anchor = max(blocks, key=lambda b: b.size)
    reach = 2 * len(needle)
    kept = [b for b in blocks if abs(b.b - anchor.b) <= reach]
    if sum(b.size for b in kept) < min_coverage * len(needle):
        return None
    return [hay_pos[j] for b in kept for j in range(b.b, b.b + b.size)]


# --- dates ---------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
         ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
         ("oct", "october"), ("nov", "november"), ("dec", "december")),
        start=1,
    )
    for name in names
}
_MONTH = (
    r"(?P<month_name>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE_RES = (
    re.compile(r"(?<!\d)(?P<year>\d{4})\s*年\s*(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*日"),
    re.compile(r"(?<![\d.])(?P<year>\d{4})(?P<sep>[-./])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})(?![\d])"),
    re.compile(rf"(?<![\d.])(?P<day>\d{{1,2}})(?:st|nd|rd|th)?[\s-]+{_MONTH}[\s,-]+(?P<year>\d{{4}})(?!\d)", re.IGNORECASE),
    # "Initiating CoverageDecember 17, 2025": a masthead glued to the date by the text layer
    re.compile(rf"(?:\b|(?<=[a-z])(?=[A-Z])){_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})(?!\d)", re.IGNORECASE),
)


def _parse_date(match: re.Match[str]) -> date | None:
    groups = match.groupdict()
    month = _MONTHS[groups["month_name"].lower()] if groups.get("month_name") else int(groups["month"])
    try:
        found = date(int(groups["year"]), month, int(groups["day"]))
    except ValueError:
        return None
    return found if 1990 <= found.year <= 2100 else None


def dates_in_line(line: str) -> list[tuple[int, int, date]]:
    """(start, end, date) of every date written in `line`: 2024年7月8日, 2024-07-08, 8 Jul 2024,
    July 8, 2024 (also glued to the words around it, as text layers print mastheads)."""
    found = []
    for pattern in _DATE_RES:
        for match in pattern.finditer(line):
            parsed = _parse_date(match)
            if parsed is not None:
                found.append((match.start(), match.end(), parsed))
    return found
