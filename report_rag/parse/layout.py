"""Page-1 typography: text runs with their font size and position, and the headline they show.

Plain text loses what a reader sees first: the headline is set in the largest type on the
first page. Sidebars, price boxes, analyst blocks, regulatory lines and disclosures are small
type, so reading the title by size (then by rules that refuse labels, company headers and
series banners) generalises across brokers' templates where text-order rules cannot.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from report_rag.parse.headings import CONTENT_HEADING_RE
from report_rag.text import CJK

# Steps of half a point: the same style measured through different matrices still groups.
_SIZE_STEP = 0.5


@dataclass(frozen=True, slots=True)
class TextRun:
    """One line's worth of text drawn in one font size, in content order."""

    text: str
    size: float  # effective font size in points (font size x text and graphics scale)
    y: float  # baseline height on the page (PDF units, larger is higher)


def runs_from_fragments(fragments: Sequence[tuple[str, float, float]]) -> list[TextRun]:
    """Merge (text, size, y) fragments, in content order, into runs: a run ends where the
    size changes, the baseline moves by more than half a line, or the text breaks the line."""
    runs: list[TextRun] = []
    parts: list[str] = []
    size = y = 0.0

    def flush() -> None:
        text = " ".join("".join(parts).split())
        if text:
            runs.append(TextRun(text, size, y))
        parts.clear()

    for text, frag_size, frag_y in fragments:
        if not text.strip():
            if parts:
                parts.append(text)
            continue
        same_line = parts and frag_size == size and abs(frag_y - y) < 0.6 * size
        if not same_line or "\n" in "".join(parts).strip():
            flush()
            size, y = frag_size, frag_y
        parts.append(text)
    flush()
    return runs


def extract_with_fragments(page: Any) -> tuple[str, list[tuple[str, float, float]]]:
    """pypdf's plain text of `page` and, from the same pass, (text, effective size, baseline
    y) of every fragment it draws."""
    fragments: list[tuple[str, float, float]] = []

    def visit(text: str, cm: Sequence[float], tm: Sequence[float], _font: object, size: float) -> None:
        scale = math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3])
        effective = round(size * (scale or 1.0) / _SIZE_STEP) * _SIZE_STEP
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        fragments.append((text, effective, y))

    text: str = page.extract_text(visitor_text=visit)
    return text, fragments


# --- the headline -------------------------------------------------------------------------

# A company header: "宁德时代（300750）", "豪威集团 (603501 CH)", "Netflix, Inc. (NFLX - $88.05)",
# optionally after a rating ("优于大市凯莱英（002821.SZ）").
_COMPANY_HEADER = re.compile(
    rf"^(?:买入|增持|优于大市|推荐|中性|持有)?[{CJK}A-Za-z0-9\-\s.,&'*]{{2,40}}"
    r"[（(]\s*[A-Z0-9.]{1,12}(?:\s*[A-Z]{2})?(?:\s*/\s*[A-Z0-9.]{1,12})*(?:\s*[-–:]\s*[^)）]*)?[)）]"
    r"\s*[：:—\-–\s]*"
)
# Series banners, report-type labels, dates, watermarks: same size as a title, never one.
_LABEL = re.compile(
    r"^(?:#.*"
    r"|.{0,14}(?:周报|月报|日报|周评|晨报|早报|快报|简报|速递|速评|纪要|点评|深度报告|报告|研究|团队|总结|专题|系列.{0,4})"
    r"(?:\s*[（(]?[一二三四五六七八九十\d]+[)）]?)?\s*\d{0,8}"
    r"|(?:industry|company|sector|equity)\s+(?:note|update|report|research|flash).*"
    r"|.*\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+\d{1,2},\s+\d{4}.*"
    r"|\d{1,2}\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+\d{4}"
    r"|(?:prepared|provided)\s+for\b.*"
    r"|.*\.pdf)$",
    re.IGNORECASE,
)
_NOT_A_TITLE = re.compile(
    r"证券研究报告|请务必|免责|声明|分析师|执业证|SAC|S\d{13}|@|\d{3,4}-\d{7,8}|^(?:投资|行业|公司)?评级|评级\s*[:：]|投资要点|www\.|"
    r"^(?:买入|增持|中性|减持|卖出|推荐|谨慎推荐|优于大市|跑赢行业|看好)|研究所$|证券$|"
    r"\bresearch\b|disclosures|\banalysts?\b|securities$",
    re.IGNORECASE,
)
_CJK_CHAR = re.compile(f"[{CJK}]")
_WORD = re.compile(r"[A-Za-z]{2,}")
_LETTER_SPACED = re.compile(f"(?:[{CJK}] ){{3,}}")
# Type switches leave spaces around CJK ("2026 年一季报", "AIDC 业务"); Latin words keep theirs.
_SPACE_IN_CJK = re.compile(f"(?<=[{CJK}])\\s+(?=[{CJK}\\w])|(?<=[\\w%])\\s+(?=[{CJK}])")


def _squeeze(text: str) -> str:
    return _SPACE_IN_CJK.sub("", text)


def _reads_as_title(text: str) -> bool:
    """Enough words to be a headline, and none of what page-1 furniture says."""
    if _LETTER_SPACED.search(text):  # vertical or letter-spaced banners
        return False
    body = _COMPANY_HEADER.sub("", text).strip()
    had_header = body != text.strip()
    body = body.lstrip("：:—-– ")
    if not body or _NOT_A_TITLE.search(body) or _LABEL.match(body):
        return False
    if len(body) <= 12 and CONTENT_HEADING_RE.match(body):  # a section heading in display type
        return False
    cjk, words = len(_CJK_CHAR.findall(body)), _WORD.findall(body)
    if had_header:  # "NVIDIA (NVDA): Fine China?" — the header vouches for a short line
        return cjk >= 4 or len(words) >= 2
    if cjk >= 5:
        return True
    # A few capitalised words are a sector banner ("Global Capital Goods"), not a headline.
    return len(words) >= 4 or (len(words) == 3 and not all(w[0].isupper() for w in words))


def _starts_a_title(line: str) -> bool:
    """A headline's first line reads as a title itself (wrapped headlines break late), or is
    a company header followed by the start of one ("药明康德（2359.HK）：3Q25"); a lone name,
    banner or label line above the headline is not its start."""
    if _reads_as_title(line):
        return True
    header = _COMPANY_HEADER.match(line)
    rest = line[header.end() :].strip() if header else ""
    return bool(rest) and not _LABEL.match(rest) and not _NOT_A_TITLE.search(rest)


def _join(head: str, tail: str) -> str:
    if _CJK_CHAR.match(tail) and re.search(f"[{CJK}，、：“”]$", head):
        return head + tail
    if _CJK_CHAR.match(tail) and head[-1:].isdigit() and re.search(f"[{CJK}]", head):
        return head + tail  # a Chinese headline wraps inside "2025年" as anywhere else
    return f"{head} {tail}"


def _block(runs: list[TextRun], start: int) -> tuple[str, int]:
    """The run at `start` with the lines of the same size set just below it; (text, next index).
    A line or two of other type between them (a date in the sidebar beside a two-line
    headline) does not end the block."""
    first = runs[start]
    text, last_y, index = _squeeze(first.text), first.y, start + 1
    while index < len(runs):
        ahead = next((i for i in range(index, min(index + 3, len(runs))) if runs[i].size == first.size), None)
        if ahead is None or not (0 < last_y - runs[ahead].y < 2.2 * first.size):
            break
        index, run = ahead, runs[ahead]
        more = _squeeze(run.text)
        if _LABEL.match(more) or _NOT_A_TITLE.search(more):
            break
        text, last_y, index = _join(text, more), run.y, index + 1
    return text, index


def _body_size(runs: Sequence[TextRun]) -> float | None:
    """The size most of page 1's characters are set in."""
    chars: dict[float, int] = {}
    for run in runs:
        chars[run.size] = chars.get(run.size, 0) + len(run.text)
    return max(chars, key=lambda size: chars[size]) if chars else None


def has_display_type(runs: Sequence[TextRun]) -> bool:
    """Is anything on page 1 set larger than its body text? Where it is and no headline reads
    as a title, the headline is not in the text layer, and text-order rules would only find
    a caption instead."""
    body = _body_size(runs)
    return body is not None and any(run.size > body for run in runs)


def display_text(runs: Sequence[TextRun]) -> list[str]:
    """Page 1's text set larger than its body (mastheads, logos in type, headlines)."""
    body = _body_size(runs)
    return [run.text for run in runs if body is not None and run.size > body]


def headline(runs: list[TextRun]) -> str | None:
    """The headline of page 1: the largest type above the body size that reads as a title
    (a line ending in a colon takes the block that follows, "Cracking the Code:" + subtitle).
    None when no run is set larger than the body text or none reads as a title."""
    body = _body_size(runs)
    if body is None:
        return None
    for size in sorted({run.size for run in runs}, reverse=True):
        if size <= body:
            break
        for start, run in enumerate(runs):
            if run.size != size or not _starts_a_title(_squeeze(run.text)):
                continue
            text, after = _block(runs, start)
            if not _reads_as_title(text):
                continue
            if text.endswith((":", "：")) and after < len(runs):
                text = _join(text, _block(runs, after)[0])
            return text
    return None
