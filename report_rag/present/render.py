"""Render a report page to PNG with a cited quote marked, for the web UI's page viewer.

Citations point into the *cleaned* page text (soft wraps joined, furniture dropped), while
the PDF's own text layer keeps the printed line breaks, sidebars and hyphens. So the quote
is located by matching on a normalised form of both (no whitespace, no hyphens, NFKC,
lower case) that maps back to PDFium character indices, whose boxes are merged into one
rectangle per printed line and drawn as a translucent marker over the rendered page.
When the text layer and the quote disagree too much, the page is shown unmarked and the
result says so; a wrong box would mislead more than none.
"""

from __future__ import annotations

import ctypes
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from report_rag.errors import ReportRagError
from report_rag.text import locate_characters

if TYPE_CHECKING:
    from PIL import Image

    from report_rag.store.library import Library
    from report_rag.types import Citation

DEFAULT_SCALE = 1.6  # ~115 dpi: readable CJK body text at a browser's column width
MIN_COVERAGE = 0.6  # share of the quote that must be found on the page before marking it
MIN_BLOCK = 2  # shortest matching run kept by the fuzzy locator (a CJK word is 2 characters)
FILL = (255, 214, 0, 88)
OUTLINE = (230, 140, 0, 220)
RENDER_FORMAT = 1  # bump when the drawing changes, so cached images are not reused


class PageRenderError(ReportRagError):
    """The page image cannot be made: file gone, unreadable, or no such page."""


Rect = tuple[float, float, float, float]  # left, top, right, bottom in image pixels


@dataclass(frozen=True)
class RenderedPage:
    png: bytes
    page: int
    page_count: int
    width: int
    height: int
    quote_found: bool | None  # None when no quote was asked for
    boxes: list[Rect] = field(default_factory=list)


def locate(page_text: str, quote: str) -> list[int] | None:
    """Indices into `page_text` of the characters that carry `quote` (report_rag.text's rule)."""
    return locate_characters(page_text, quote, min_coverage=MIN_COVERAGE, min_block=MIN_BLOCK)


def _line_rects(char_boxes: list[Rect]) -> list[Rect]:
    """Merge character boxes (already in reading order) into one rectangle per line."""
    rects: list[list[float]] = []
    for left, top, right, bottom in char_boxes:
        if right - left <= 0 or bottom - top <= 0:
            continue
        if rects:
            cur = rects[-1]
            middle = (top + bottom) / 2
            same_line = cur[1] <= middle <= cur[3] and left >= cur[0] - (bottom - top)
            if same_line:
                cur[0], cur[1] = min(cur[0], left), min(cur[1], top)
                cur[2], cur[3] = max(cur[2], right), max(cur[3], bottom)
                continue
        rects.append([left, top, right, bottom])
    return [tuple(r) for r in rects]  # type: ignore[misc]


def _quote_boxes(pdf_page: pdfium.PdfPage, width: int, height: int, quote: str) -> list[Rect] | None:
    """Pixel rectangles covering `quote` on a page rendered at width x height."""
    textpage = pdf_page.get_textpage()
    try:
        count = textpage.count_chars()
        # Per-character text keeps indices aligned with the boxes (a range read may add
        # generated line breaks).
        chars = "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage, i) or 0) for i in range(count))
        indices = locate(chars, quote)
        if indices is None:
            return None
        device_x, device_y = ctypes.c_int(), ctypes.c_int()

        def to_pixels(x: float, y: float) -> tuple[int, int]:
            # PDFium's own mapping: honours the crop box origin and the page's /Rotate.
            pdfium_c.FPDF_PageToDevice(
                pdf_page, 0, 0, width, height, 0, x, y, ctypes.byref(device_x), ctypes.byref(device_y)
            )
            return device_x.value, device_y.value

        boxes: list[Rect] = []
        for i in indices:
            left, bottom, right, top = textpage.get_charbox(i)
            (x0, y0), (x1, y1) = to_pixels(left, top), to_pixels(right, bottom)
            boxes.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
        return _line_rects(boxes)
    finally:
        textpage.close()


def _draw(image: Image.Image, rects: list[Rect]) -> Image.Image:
    from PIL import Image, ImageDraw

    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    pad = 2
    for left, top, right, bottom in rects:
        draw.rectangle((left - pad, top - pad, right + pad, bottom + pad), fill=FILL, outline=OUTLINE, width=2)
    return Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")


def _cache_key(pdf_path: Path, page: int, quote: str | None, scale: float) -> str:
    stat = pdf_path.stat()
    raw = f"{RENDER_FORMAT}|{pdf_path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{page}|{scale}|{quote or ''}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def render_page(
    pdf_path: Path | str,
    page: int,
    quote: str | None = None,
    *,
    scale: float = DEFAULT_SCALE,
    cache_dir: Path | None = None,
) -> RenderedPage:
    """Page `page` (1-based) of `pdf_path` as PNG, with `quote` marked when given and found.

    With `cache_dir`, images are kept there keyed by file identity, page, quote and scale,
    so reopening a citation costs a file read.
    """
    pdf_path = Path(pdf_path)
    if not pdf_path.is_file():
        raise PageRenderError(f"the PDF is no longer at {pdf_path}")
    cached: Path | None = None
    if cache_dir is not None:
        cached = cache_dir / f"{_cache_key(pdf_path, page, quote, scale)}.json"
        hit = _read_cached(cached)
        if hit is not None:
            return hit
    try:
        document = pdfium.PdfDocument(str(pdf_path))
    except pdfium.PdfiumError as exc:
        raise PageRenderError(f"cannot open {pdf_path.name}: {exc}") from exc
    try:
        page_count = len(document)
        if not 1 <= page <= page_count:
            raise PageRenderError(f"{pdf_path.name} has {page_count} pages, not page {page}")
        pdf_page = document[page - 1]
        try:
            image = pdf_page.render(scale=scale).to_pil()
            rects: list[Rect] = []
            found: bool | None = None
            if quote:
                located = _quote_boxes(pdf_page, image.width, image.height, quote)
                found = located is not None
                rects = located or []
                if rects:
                    image = _draw(image, rects)
        finally:
            pdf_page.close()
    finally:
        document.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    rendered = RenderedPage(buffer.getvalue(), page, page_count, image.width, image.height, found, rects)
    if cached is not None:
        _write_cached(cached, rendered)
    return rendered


def _read_cached(meta_path: Path) -> RenderedPage | None:
    import json

    png_path = meta_path.with_suffix(".png")
    try:
        meta = json.loads(meta_path.read_text("utf-8"))
        png = png_path.read_bytes()
    except (OSError, ValueError):
        return None
    return RenderedPage(png, meta["page"], meta["page_count"], meta["width"], meta["height"],
                        meta["quote_found"], [tuple(b) for b in meta["boxes"]])


def _write_cached(meta_path: Path, rendered: RenderedPage) -> None:
    import json
    import os

    meta_path.parent.mkdir(parents=True, exist_ok=True)
    # Image first, metadata last (each renamed into place): a reader that finds the
    # metadata always finds a complete image.
    for path, payload in (
        (meta_path.with_suffix(".png"), rendered.png),
        (meta_path, json.dumps({
            "page": rendered.page, "page_count": rendered.page_count, "width": rendered.width,
            "height": rendered.height, "quote_found": rendered.quote_found, "boxes": rendered.boxes,
        }).encode("utf-8")),
    ):
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temp.write_bytes(payload)
        os.replace(temp, path)


def page_image_cache(library: Library) -> Path:
    return library.settings.cache_dir / "page_images"


def render_report_page(
    library: Library, report_id: int, page: int, quote: str | None = None, *, scale: float = DEFAULT_SCALE
) -> RenderedPage:
    """A page of a stored report, read from the PDF the library ingested."""
    report = library.store.get_report(report_id)
    if report is None:
        raise PageRenderError(f"no report with id {report_id}")
    return render_page(Path(report.path), page, quote, scale=scale, cache_dir=page_image_cache(library))


def render_citation(library: Library, citation: Citation, *, scale: float = DEFAULT_SCALE) -> RenderedPage:
    """The cited page with the citation's quote marked."""
    return render_report_page(library, citation.report_id, citation.page, citation.quote, scale=scale)
