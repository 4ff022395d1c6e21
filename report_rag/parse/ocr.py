"""Text a PDF draws as pictures: whole scanned pages, and single lines set as images.

Two real layouts need it. A scanned (image-only) report has no text layer at all. Some
brokers' templates draw parts of page 1 — the date, the stock code, analysts' certificate
numbers and e-mail addresses — as small images over the text (国金证券's notes do: pypdf and
pdfium read "分析师：姚遥（执业" and nothing of "S1130512080001）"). A scanned page is read whole
(text detection + recognition, then the boxes laid out as lines, a sidebar after the main
column); a line that mixes text and images is cropped as one line and recognised whole, so the
text parts and the pictured parts come back in one string.

The recogniser is injected (`TextRecognizer`), registered by name; pages are rendered with
pdfium (a core dependency). Only the geometry lives here.
"""

from __future__ import annotations

import hashlib
import logging
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from report_rag.registry import Registry

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

# Resolution of the renders: 2x (144 dpi) reads body text of a scanned page; a single line of
# small type is cropped from a 3x render.
PAGE_SCALE = 2.0
LINE_SCALE = 3.0
# A recognised string below this confidence is noise (a logo, a stamp), not text.
MIN_SCORE = 0.75
# An image is line-shaped when it is as tall as a line of type (points) and not narrower than
# it is tall; a page needs this many before its lines are read (one is a logo or an icon).
LINE_HEIGHT_PT = (4.0, 36.0)
MIN_LINE_IMAGES = 2
# Pieces of one line are at most this many line heights apart; further is another column.
LINE_GAP = 0.8
# Lines recovered this high on the page (share of its height) are its header, read first.
HEADER_TOP = 0.85
# A bound on the work one document can cost (recognitions of single lines).
MAX_LINES_PER_DOCUMENT = 400

# The refusal of a scan that OCR could not read either (so a rerun does not read it again).
NO_TEXT_AFTER_OCR = "OCR found no text"

_FPDF_PAGEOBJ_TEXT = 1
_FPDF_PAGEOBJ_IMAGE = 3


@dataclass(frozen=True, slots=True)
class OcrBox:
    """One recognised piece of text and where it is (pixels, y grows downwards)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    score: float = 1.0


class TextRecognizer(Protocol):
    def read_page(self, image: np.ndarray) -> list[OcrBox]:
        """Find and read every piece of text on a page image."""
        ...

    def read_line(self, image: np.ndarray) -> tuple[str, float]:
        """Read an image that holds one line of text: (text, confidence)."""
        ...


RECOGNIZERS: Registry[Any] = Registry("OCR backend")
RECOGNIZERS.register("rapidocr", "report_rag.parse.ocr_rapidocr:RapidOcrRecognizer")


@lru_cache(maxsize=2)
def load_recognizer(name: str) -> TextRecognizer:
    """The named backend, built once per process (an ingest worker keeps it across files)."""
    recognizer: TextRecognizer = RECOGNIZERS.load(name)()
    return recognizer


def available_recognizer(setting: str) -> str | None:
    """The backend name the `ocr` setting selects: "off" → none; "auto" → rapidocr when it is
    installed; a name → that backend (a missing package then fails loudly when used)."""
    if setting == "off":
        return None
    if setting != "auto":
        return setting
    import importlib.util

    return "rapidocr" if importlib.util.find_spec("rapidocr_onnxruntime") is not None else None


# Recognisers read a gap into an e-mail address ("chengpei-yj @chinastock.com.cn").
_SPLIT_EMAIL_RE = re.compile(r"(?<=[A-Za-z0-9._-])\s+@\s*(?=[A-Za-z0-9])|(?<=[A-Za-z0-9._-])@\s+(?=[A-Za-z0-9])")


def tidy(text: str) -> str:
    """A recognised string with the recogniser's known slips undone."""
    return _SPLIT_EMAIL_RE.sub("@", text.strip())


# --- laying boxes out as text --------------------------------------------------------------


def boxes_to_text(boxes: Sequence[OcrBox], page_width: float) -> str:
    """A page's recognised boxes as lines of text in reading order.

    Lines are boxes side by side (their vertical centres within half a line); where one
    vertical gutter splits the page's narrow boxes into a main column and a sidebar, each
    stretch between full-width lines reads the left column first, then the right — as a
    reader (and pypdf's content order on the real reports) does."""
    return "\n".join(" ".join(tidy(b.text) for b in row) for row in _rows_in_reading_order(boxes, page_width))


def _rows_in_reading_order(boxes: Sequence[OcrBox], page_width: float) -> list[list[OcrBox]]:
    boxes = [b for b in boxes if b.text.strip()]
    if not boxes:
        return []
    gutter = _gutter(boxes, page_width)
    if gutter is None:
        return _rows(boxes)
    out: list[list[OcrBox]] = []
    left: list[OcrBox] = []
    right: list[OcrBox] = []

    def flush() -> None:
        out.extend(_rows(left))
        out.extend(_rows(right))
        left.clear()
        right.clear()

    for box in sorted(boxes, key=lambda b: b.y0):
        if box.x1 <= gutter:
            left.append(box)
        elif box.x0 >= gutter:
            right.append(box)
        else:  # spans both columns: a headline, a full-width table or footer
            flush()
            out.append([box])
    flush()
    return out


def _rows(boxes: Sequence[OcrBox]) -> list[list[OcrBox]]:
    if not boxes:
        return []
    height = statistics.median(b.y1 - b.y0 for b in boxes)
    rows: list[list[OcrBox]] = []
    for box in sorted(boxes, key=lambda b: (b.y0 + b.y1) / 2):
        centre = (box.y0 + box.y1) / 2
        if rows and abs(centre - _centre(rows[-1])) <= height / 2:
            rows[-1].append(box)
        else:
            rows.append([box])
    return [sorted(row, key=lambda b: b.x0) for row in rows]


def _centre(row: Sequence[OcrBox]) -> float:
    return statistics.fmean((b.y0 + b.y1) / 2 for b in row)


def _gutter(boxes: Sequence[OcrBox], page_width: float) -> float | None:
    """The x of a vertical gap that (almost) no narrow box crosses, with text on both sides
    over a good part of the page — or None for a single column. A footer or a caption may
    cross it: such boxes read as full-width lines."""
    narrow = [b for b in boxes if b.x1 - b.x0 < 0.8 * page_width]
    if len(narrow) < 6:
        return None
    step = max(page_width / 400, 1.0)
    cells = int(page_width / step) + 1
    crossing = [0] * cells
    for box in narrow:
        for cell in range(int(box.x0 / step), min(cells, int(box.x1 / step) + 1)):
            crossing[cell] += 1
    allowed = max(1, len(narrow) // 30)
    lo, hi = int(0.2 * cells), int(0.85 * cells)
    best: tuple[int, int] | None = None
    start = None
    for cell in range(lo, hi + 1):
        if cell < hi and crossing[cell] <= allowed:
            start = cell if start is None else start
            continue
        if start is not None and (best is None or cell - start > best[1] - best[0]):
            best = (start, cell)
        start = None
    if best is None or (best[1] - best[0]) * step < 0.01 * page_width:
        return None
    x = (best[0] + best[1]) / 2 * step
    left_rows = sum(b.y1 - b.y0 for b in narrow if b.x1 <= x)
    right_rows = sum(b.y1 - b.y0 for b in narrow if b.x0 >= x)
    total = sum(b.y1 - b.y0 for b in narrow)
    # Both sides must carry text: a gap beside one stray box is not a column.
    if min(left_rows, right_rows) < 0.15 * total:
        return None
    left = [b for b in narrow if b.x1 <= x]
    right = [b for b in narrow if b.x0 >= x]
    # A table's columns have gutters too, but its cells are short and sit on shared rows:
    # split only beside lines of prose, or where the two sides do not share their rows.
    column_width = x - min(b.x0 for b in left)
    prose = statistics.median(b.x1 - b.x0 for b in left) >= 0.6 * column_width
    tall = statistics.median(b.y1 - b.y0 for b in narrow)
    shared = sum(any(abs(_mid(r) - _mid(b)) <= 0.3 * tall for b in left) for r in right)
    if not prose and shared >= 0.8 * len(right):
        return None
    return x


def _mid(box: OcrBox) -> float:
    return (box.y0 + box.y1) / 2


# --- reading PDF pages --------------------------------------------------------------------


def read_scanned_pages(path: Path, recognizer: TextRecognizer, page_count: int) -> list[str]:
    """Each page of an image-only PDF read whole; a page that fails to render reads empty."""
    import pypdfium2 as pdfium

    texts: list[str] = []
    try:
        pdf = pdfium.PdfDocument(str(path))
    except Exception as exc:  # pypdf read it, pdfium cannot: no OCR, not a failed report
        log.warning("%s: cannot render pages for OCR: %s", path, exc)
        return [""] * page_count
    try:
        for index in range(min(page_count, len(pdf))):
            try:
                page = pdf[index]
                image = page.render(scale=PAGE_SCALE, draw_annots=False).to_numpy()
                width = image.shape[1]
                texts.append(boxes_to_text(recognizer.read_page(image), width))
            except Exception as exc:  # one bad page costs that page only
                log.warning("%s: page %d: OCR failed: %s", path, index + 1, exc)
                texts.append("")
    finally:
        pdf.close()
    return texts


@dataclass(frozen=True, slots=True)
class PicturedLine:
    """A line recognised from a page's picture of it, with its place (PDF points)."""

    text: str
    left: float
    bottom: float
    right: float
    top: float
    header: bool  # in the band above the page's text, where the date and the stock code go
    page_width: float

    @property
    def type_size(self) -> float:
        """The type size the line's height suggests (a line box is ~1.35 x its type)."""
        return round((self.top - self.bottom) / 1.35 * 2) / 2


def read_pictured_lines(path: Path, recognizer: TextRecognizer, page_count: int) -> dict[int, list[PicturedLine]]:
    """Lines that are partly or wholly drawn as images, per page index, top first, each
    recognised whole. Pages with fewer than MIN_LINE_IMAGES line-shaped images are left
    alone (charts, logos and photos are not text lines)."""
    import pypdfium2 as pdfium

    found: dict[int, list[PicturedLine]] = {}
    budget = MAX_LINES_PER_DOCUMENT
    # A template's furniture (a logo, a slogan) repeats page after page: read each picture once.
    read: dict[bytes, tuple[str, float]] = {}
    try:
        pdf = pdfium.PdfDocument(str(path))
    except Exception as exc:  # pypdf read it, pdfium cannot: the text layer alone, as without OCR
        log.warning("%s: cannot render pages for OCR: %s", path, exc)
        return found
    try:
        for index in range(min(page_count, len(pdf))):
            if budget <= 0:
                break
            try:
                page = pdf[index]
                width, height = page.get_size()
                lines: list[PicturedLine] = []
                for left, bottom, right, top in _pictured_chains(page)[:budget]:
                    budget -= 1
                    pad = 1.5
                    # Only the line's own strip is rendered: pages full of charts stay cheap.
                    crop = (max(0.0, left - pad), max(0.0, bottom - pad), max(0.0, width - right - pad), max(0.0, height - top - pad))
                    image = page.render(scale=LINE_SCALE, crop=crop, draw_annots=False).to_numpy()
                    if image.size == 0:
                        continue
                    key = hashlib.blake2b(image.tobytes(), digest_size=16).digest() + bytes(str(image.shape), "ascii")
                    if key not in read:
                        read[key] = recognizer.read_line(image)
                    text, score = read[key]
                    text = tidy(text)
                    if score >= MIN_SCORE and sum(c.isalnum() for c in text) >= 2:  # a lone glyph says nothing
                        lines.append(PicturedLine(text, left, bottom, right, top, bottom >= HEADER_TOP * height, width))
                if lines:
                    found[index] = lines
            except Exception as exc:
                log.warning("%s: page %d: reading pictured lines failed: %s", path, index + 1, exc)
    finally:
        pdf.close()
    return found


def reading_order(lines: Sequence[PicturedLine]) -> list[str]:
    """Pictured lines as a reader takes them: by column (a sidebar after the main column),
    then row, then left to right — the layout rules of a scanned page."""
    if not lines:
        return []
    boxes = [OcrBox(line.text, line.left, -line.top, line.right, -line.bottom) for line in lines]
    # Each pictured line stays a line: side by side on a row they are often a label and the
    # stock code's line ("药明康德（603259）" beside "投资评级").
    return [box.text for row in _rows_in_reading_order(boxes, lines[0].page_width) for box in row]


def lines_not_in(lines: Sequence[str], text: str, seen: set[str] | None = None) -> list[str]:
    """The recovered lines the page's text layer does not already hold on one line (a
    headline drawn both ways, say), compared without spaces, each once (`seen` carries the
    lines kept so far across calls)."""
    held = ["".join(line.split()) for line in text.splitlines()]
    seen = set() if seen is None else seen
    kept: list[str] = []
    for line in lines:
        compact = "".join(line.split())
        if compact in seen or any(compact in other for other in held):
            continue
        seen.add(compact)
        kept.append(line)
    return kept


Bounds = tuple[float, float, float, float]  # left, bottom, right, top in PDF points


def _pictured_chains(page: Any) -> list[Bounds]:
    """Bounds of each line that holds a line-shaped image: the image with the text and images
    beside it on the same line (gaps under LINE_GAP line heights), top of the page first."""
    images: list[Bounds] = []
    texts: list[Bounds] = []
    for obj in page.get_objects(max_depth=3):
        if obj.type not in (_FPDF_PAGEOBJ_TEXT, _FPDF_PAGEOBJ_IMAGE):
            continue
        left, bottom, right, top = obj.get_bounds()
        if obj.type == _FPDF_PAGEOBJ_TEXT:
            if right > left and top > bottom:
                texts.append((left, bottom, right, top))
            continue
        tall = top - bottom
        if LINE_HEIGHT_PT[0] <= tall <= LINE_HEIGHT_PT[1] and right - left >= 0.8 * tall:
            images.append((left, bottom, right, top))
    if len(images) < MIN_LINE_IMAGES:
        return []
    chains = [_chain(image, images + texts) for image in images]
    merged: list[Bounds] = []
    for chain in sorted(chains, key=lambda c: (-c[3], c[0])):
        if not any(_contains(other, chain) for other in merged):
            merged.append(chain)
    # Reading order: row by row from the top, left to right within a row ("投资评级" before
    # the "买入" to its right, though the rating's box stands a point higher).
    rows: list[list[Bounds]] = []
    for chain in merged:
        if rows and _same_line(rows[-1][0], chain):
            rows[-1].append(chain)
        else:
            rows.append([chain])
    return [chain for row in rows for chain in sorted(row, key=lambda c: c[0])]


def _chain(seed: Bounds, pieces: Sequence[Bounds]) -> Bounds:
    """Grow `seed` sideways over pieces on its line until the next one is too far."""
    left, bottom, right, top = seed
    tall = top - bottom
    gap = LINE_GAP * tall
    grown = True
    while grown:
        grown = False
        for piece in pieces:
            if not _same_line((left, bottom, right, top), piece):
                continue
            if piece[0] >= left and piece[2] <= right:
                continue
            if piece[0] - right <= gap and piece[2] - left >= -gap:
                left, right = min(left, piece[0]), max(right, piece[2])
                grown = True
    return left, bottom, right, top


def _same_line(a: Bounds, b: Bounds) -> bool:
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    return overlap >= 0.5 * min(a[3] - a[1], b[3] - b[1])


def _contains(outer: Bounds, inner: Bounds) -> bool:
    return outer[0] <= inner[0] + 0.5 and outer[2] >= inner[2] - 0.5 and _same_line(outer, inner)
