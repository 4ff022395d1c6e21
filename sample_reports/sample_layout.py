"""Line-level typesetting for the sample reports.

Text is wrapped the way a report typesetter does it (CJK at any character, Latin at spaces
and hyphenation points) and drawn line by line, so the extracted text has the same line
breaks inside sentences that real sell-side PDFs have. Blocks flow through a sequence of
frames (columns); a paragraph that runs out of room is re-wrapped at the next frame's width.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

SHY = "\u00ad"  # soft hyphen in the source: a permitted break that prints as "-"
# Kinsoku: these never start a line, so they are glued to the character before them ...
CLOSERS = frozenset("，。、；：！？）》」』”’％")
# ... and these never end one, so they are glued to the character after them.
OPENERS = frozenset("（《「『“‘")

# Where a typesetter may split these words at a line end (English text only).
HYPHENATION = (
    "ac-cel-er-a-tors ad-ver-tis-ing ca-pac-i-ty com-put-ing con-sen-sus con-sumer cus-tom-ers de-pre-ci-a-tion "
    "dif-fer-en-ti-a-tor elec-tric-i-ty en-gage-ment ex-pen-di-ture guid-ance in-ven-to-ries in-vest-ments "
    "man-age-able man-u-fac-tur-ing mon-e-ti-za-tion per-for-mance plat-forms pro-duc-tion prof-it-abil-i-ty "
    "quar-ter-on-quar-ter re-cov-ery semi-con-duc-tor semi-con-duc-tors se-quen-tial share-hold-er tech-nol-o-gies "
    "util-i-za-tion man-age-ment smart-phone smart-phones ad-vanced pack-ag-ing es-ti-mates jus-ti-fied earn-ings "
    "for-ward av-er-age pre-mi-um mul-ti-ple sum-ma-rised in-creas-es mar-kets con-firmed con-tin-ues rev-enue "
    "di-lu-tion op-er-at-ing ex-pect-ed chan-nel in-come re-mains lead-ing dol-lar ex-pects de-mand "
    "in-vest-ment fore-cast ser-vices re-tain-ment in-dus-try val-u-a-tion"
).split()
_SOFT = {w.replace("-", ""): w for w in HYPHENATION}


def add_soft_hyphens(text: str) -> str:
    """Mark the hyphenation points of known words with soft hyphens (case kept)."""

    def mark(match: re.Match) -> str:
        word = match.group(0)
        pattern = _SOFT.get(word.lower())
        if not pattern:
            return word
        out, k = [], 0
        for piece in pattern.split("-"):
            out.append(word[k:k + len(piece)])
            k += len(piece)
        return SHY.join(out)

    return re.sub(r"[A-Za-z]+", mark, text)


RGB = tuple[float, float, float]
BLACK: RGB = (0.0, 0.0, 0.0)


@dataclass(frozen=True)
class TextStyle:
    font: str
    size: float
    leading: float
    bold_font: str | None = None  # None: CJK fonts have no bold face, so bold is stroked
    color: RGB = BLACK

    def width(self, text: str, bold: bool = False) -> float:
        font = self.bold_font if (bold and self.bold_font) else self.font
        return stringWidth(text, font, self.size)


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    resume: int  # where the next line's text begins (skips a consumed soft hyphen)
    hyphen: bool = False  # a "-" is printed at the end of the line
    word: str | None = None  # the whole word, when the line ends inside one
    head: str | None = None  # the part of that word printed on this line (without the added "-")


def _is_wide(ch: str) -> bool:
    # ASCII punctuation stays inside Latin words ("20.8bn", "(0700.HK)"), so it never splits them.
    return ord(ch) >= 0x2E80 or ch in CLOSERS or ch in OPENERS or ch in "—…·"


def _tokens(text: str, bold: Sequence[bool]) -> list[tuple[int, int, str]]:
    """Split into unbreakable units: (start, end, kind) with kind cjk | word | space | nl."""
    toks: list[tuple[int, int, str]] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\n":
            toks.append((i, i + 1, "nl"))
            i += 1
        elif ch == " ":
            toks.append((i, i + 1, "space"))
            i += 1
        elif _is_wide(ch):
            toks.append((i, i + 1, "cjk"))
            i += 1
        else:
            j = i + 1
            while j < len(text) and text[j] not in " \n" and not _is_wide(text[j]) and bold[j] == bold[i]:
                j += 1
            toks.append((i, j, "word"))
            i = j
    glued: list[tuple[int, int, str]] = []
    pending_open: int | None = None
    for s, e, kind in toks:
        if kind == "cjk" and text[s] in OPENERS and e < len(text) and text[e] not in " \n":
            pending_open = s if pending_open is None else pending_open
            continue
        if pending_open is not None:
            s, pending_open = pending_open, None
        if kind in ("cjk", "word") and text[s] in CLOSERS and glued and glued[-1][2] in ("cjk", "word"):
            ps, _, pkind = glued.pop()
            glued.append((ps, e, pkind))
            continue
        glued.append((s, e, kind))
    return glued


def _break_points(text: str, s: int, e: int) -> list[tuple[int, bool]]:
    """Positions inside a word where it may be split: (head_end, is_soft)."""
    points = []
    for k in range(s + 2, e - 2):
        if text[k] == SHY:
            points.append((k, True))
        elif text[k - 1] == "-" and text[k - 2].isalpha() and text[k].isalpha():
            points.append((k, False))
    return points


def wrap(text: str, bold: Sequence[bool], style: TextStyle, first_width: float,
         width: float, hyphenate: bool = False) -> list[Line]:
    """Greedy line breaking; widths are measured with the real font metrics."""

    def w(s: int, e: int) -> float:
        return style.width(text[s:e].replace(SHY, ""), bold[s] if s < len(bold) else False)

    lines: list[Line] = []
    avail = first_width
    start: int | None = None
    end = 0
    cur = 0.0
    pending_space = False
    space_w = style.width(" ")

    def flush(resume: int, hyphen: bool = False, word: str | None = None, head: str | None = None) -> None:
        nonlocal start, cur, pending_space, avail
        if start is not None:
            lines.append(Line(start, end, resume, hyphen, word, head))
        start, cur, pending_space, avail = None, 0.0, False, width

    toks = _tokens(text, bold)
    i = 0
    while i < len(toks):
        s, e, kind = toks[i]
        if kind == "nl":
            flush(e)
            i += 1
            continue
        if kind == "space":
            pending_space = start is not None
            i += 1
            continue
        sp = space_w if pending_space else 0.0
        tw = w(s, e)
        if start is None and tw > avail:  # longer than a whole line: cut it by characters
            k = s + 1
            while k < e and w(s, k + 1) <= avail:
                k += 1
            start, end = s, k
            flush(k)
            toks[i] = (k, e, kind)
            continue
        if start is None or cur + sp + tw <= avail:
            start = s if start is None else start
            end, cur, pending_space = e, cur + sp + tw, False
            i += 1
            continue
        if kind == "word" and hyphenate:
            for pos, soft in reversed(_break_points(text, s, e)):
                head = w(s, pos) + (style.width("-") if soft else 0.0)
                if cur + sp + head <= avail:
                    end = pos
                    flush(pos + 1 if soft else pos, hyphen=soft, word=text[s:e].replace(SHY, ""),
                          head=text[s:pos].replace(SHY, ""))
                    toks[i] = (pos + 1 if soft else pos, e, kind)
                    break
            else:
                flush(s)
            continue
        flush(s)
    flush(len(text))
    return lines


def line_segments(text: str, bold: Sequence[bool], line: Line) -> list[tuple[str, bool]]:
    """The printed text of a line, split into runs of equal weight."""
    segs: list[tuple[str, bool]] = []
    for k in range(line.start, line.end):
        ch = text[k]
        if ch == SHY:
            continue
        if segs and segs[-1][1] == bold[k]:
            segs[-1] = (segs[-1][0] + ch, bold[k])
        else:
            segs.append((ch, bold[k]))
    if line.hyphen:
        segs.append(("-", bold[line.end - 1]))
    return segs


def draw_runs(c: Canvas, x: float, y: float, runs: Sequence[tuple[str, bool]], style: TextStyle,
              prefix: tuple[str, str, float, float] | None = None) -> None:
    """Draw one line as a single text object, so extractors see it as one line.

    `prefix` is (glyph, font, size, text_x): a bullet drawn in its own (symbol) font.
    """
    c.setFillColorRGB(*style.color)
    c.setStrokeColorRGB(*style.color)
    c.setLineWidth(style.size * 0.045)
    t = c.beginText(x, y)
    if prefix:
        glyph, font, size, text_x = prefix
        t.setFont(font, size)
        t.textOut(glyph)
        t.setTextOrigin(text_x, y)
    for text, bold in runs:
        if bold and style.bold_font:
            t.setFont(style.bold_font, style.size)
            t.setTextRenderMode(0)
        else:
            t.setFont(style.font, style.size)
            t.setTextRenderMode(2 if bold else 0)
        t.textOut(text)
    t.setTextRenderMode(0)
    c.drawText(t)


def draw_cells(c: Canvas, y: float, cells: Sequence[tuple[float, str, str]], style: TextStyle,
               bold: bool = False) -> None:
    """One table row as one text object: cells are (x, text, align) with align l | r | c."""
    c.setFillColorRGB(*style.color)
    font = style.bold_font if (bold and style.bold_font) else style.font
    t = c.beginText(0, y)
    t.setFont(font, style.size)
    if bold and not style.bold_font:
        c.setStrokeColorRGB(*style.color)
        c.setLineWidth(style.size * 0.045)
        t.setTextRenderMode(2)
    for x, text, align in cells:
        width = stringWidth(text, font, style.size)
        left = x - width if align == "r" else x - width / 2 if align == "c" else x
        t.setTextOrigin(left, y)
        t.textOut(text)
    t.setTextRenderMode(0)
    c.drawText(t)


@dataclass(frozen=True)
class Frame:
    x: float
    top: float
    bottom: float
    width: float


Op = Callable[[Canvas], None]


@dataclass
class PageRecord:
    number: int
    mode: str
    ops: list[Op] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)  # "content" and/or "boilerplate"
    headings: list[str] = field(default_factory=list)
    hyphenated: list[dict] = field(default_factory=list)


class Flow:
    """Places content into the frames of successive pages and records what went where."""

    def __init__(self, frames_for: Callable[[int, str], list[Frame]], mode: str = "first") -> None:
        self._frames_for = frames_for
        self.pages: list[PageRecord] = []
        self.kind = "content"
        self.new_page(mode)

    def new_page(self, mode: str) -> None:
        self.pages.append(PageRecord(len(self.pages) + 1, mode))
        self.frames = self._frames_for(len(self.pages), mode)
        self.index = 0
        self.y = self.frames[0].top

    @property
    def page(self) -> PageRecord:
        return self.pages[-1]

    @property
    def frame(self) -> Frame:
        return self.frames[self.index]

    def at_top(self) -> bool:
        return self.y >= self.frame.top - 0.01

    def room(self) -> float:
        return self.y - self.frame.bottom

    def next_frame(self) -> None:
        if self.index + 1 < len(self.frames):
            self.index += 1
            self.y = self.frame.top
        else:
            self.new_page("body" if self.page.mode == "first" else self.page.mode)

    def space(self, height: float) -> None:
        if not self.at_top():
            self.y -= min(height, self.room())

    def place(self, height: float, draw: Callable[[Canvas, float, float, float], None]) -> None:
        """Reserve `height` in the current frame (moving on if needed) and queue the drawing."""
        if height > self.room() and not self.at_top():
            self.next_frame()
        if height > self.room() + 0.01:
            raise ValueError(f"block of height {height:.0f} cannot fit any frame on page {self.page.number}")
        frame, y = self.frame, self.y
        self.page.ops.append(lambda c, f=frame, top=y: draw(c, f.x, top, f.width))
        self.page.kinds.add(self.kind)
        self.y -= height

    def paragraph(self, text: str, bold: Sequence[bool], style: TextStyle, *, indent_first: float = 0.0,
                  hang: float = 0.0, bullet: tuple[str, str, float] | None = None,
                  hyphenate: bool = False, space_after: float = 0.0) -> None:
        """Flow a paragraph; `bullet` is (glyph, font, size) hung in the left `hang` points."""
        first = True
        while text:
            if style.leading > self.room() and not self.at_top():
                self.next_frame()
            width = self.frame.width - hang
            lines = wrap(text, bold, style, width - (indent_first if first else 0.0), width, hyphenate)
            used = 0
            for line in lines:
                if style.leading > self.room() and used:
                    break
                self._place_line(text, bold, line, style, (indent_first if first else 0.0) + hang,
                                 bullet if first else None, hang)
                first = False
                used += 1
            if used == len(lines):
                break
            text, bold = text[lines[used - 1].resume:], bold[lines[used - 1].resume:]
            self.next_frame()
        self.space(space_after)

    def _place_line(self, text: str, bold: Sequence[bool], line: Line, style: TextStyle, offset: float,
                    bullet: tuple[str, str, float] | None, hang: float) -> None:
        runs = line_segments(text, bold, line)
        if line.word and line.head:
            # How the break reads in extracted text, e.g. "semicon-\nductor" or "year-on-\nyear".
            word = line.word.rstrip(".,;:!?)")
            printed = line.head + ("-" if line.hyphen else "") + "\n" + word[len(line.head):]
            self.page.hyphenated.append({"word": word, "soft": line.hyphen, "printed": printed})

        def draw(c: Canvas, x: float, top: float, _w: float) -> None:
            baseline = top - style.size
            if bullet:
                glyph, font, size = bullet
                draw_runs(c, x, baseline, runs, style, prefix=(glyph, font, size, x + offset))
            else:
                draw_runs(c, x + offset, baseline, runs, style)

        self.place(style.leading, draw)
