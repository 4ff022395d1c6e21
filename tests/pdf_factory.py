"""Build small PDFs on the fly for tests, so no binary fixtures live in the repository.

Every builder writes to the `path` it is given (use pytest's ``tmp_path``) and returns it.
Text is drawn one given line per PDF line, so a test controls exactly where lines break:
pypdf extracts them back with the same breaks. Latin text uses the built-in Helvetica; any
line with characters outside Latin-1 (Chinese) switches to reportlab's built-in CID font
STSong-Light, which needs no font file and which pypdf extracts correctly.

    from pdf_factory import make_text_pdf   # tests/ is on sys.path under pytest
    pdf = make_text_pdf(tmp_path / "r.pdf", ["page one\\nsecond line", "page two"])
"""

from __future__ import annotations

import io
from pathlib import Path

_CJK_FONT = "STSong-Light"
_LATIN_FONT = "Helvetica"
_PAGE_HEIGHT = 842.0  # A4 in points
_TOP = 800.0
_LEFT = 50.0


def make_text_pdf(
    path: Path,
    pages: list[str],
    *,
    title: str | None = None,
    font_size: float = 10.0,
) -> Path:
    """A PDF with one page per string; "\\n" separates the lines drawn on that page.

    An empty string gives a blank page. `title` sets the document-info /Title.
    """
    path.write_bytes(text_pdf_bytes(pages, title=title, font_size=font_size))
    return path


def text_pdf_bytes(
    pages: list[str], *, title: str | None = None, font_size: float = 10.0
) -> bytes:
    """The bytes `make_text_pdf` would write (for tests that cut or corrupt them)."""
    from reportlab.pdfgen import canvas

    _register_cjk_font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(595.0, _PAGE_HEIGHT), invariant=1)
    if title is not None:
        pdf.setTitle(title)
    leading = font_size * 1.4
    for page_text in pages:
        y = _TOP
        for line in page_text.split("\n"):
            if line:
                pdf.setFont(_font_for(line), font_size)
                pdf.drawString(_LEFT, y, line)
            # Past the bottom margin we keep drawing below it: off-page text is still
            # in the content stream and extracts in order, which is all tests need.
            y -= leading
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def make_styled_pdf(path: Path, pages: list[list[tuple[float, float, float, str]]]) -> Path:
    """A PDF whose pages are lists of (x, y, font size, text) items drawn in list order — the
    content-stream order a real template gives (sidebar first, headline later, …)."""
    return make_pictured_pdf(path, [[(x, y, size, text, False) for x, y, size, text in items] for items in pages])


def make_pictured_pdf(path: Path, pages: list[list[tuple[float, float, float, str, bool]]]) -> Path:
    """Like `make_styled_pdf`, with (x, y, size, text, pictured) items: a pictured item is
    drawn as an image of its text, not as text — the way some templates set the date, the
    stock code or a certificate number (Latin text only: the image is pdfium's rendering of
    Helvetica, and no CJK font is installed to render Chinese)."""
    from reportlab.pdfgen import canvas

    _register_cjk_font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(595.0, _PAGE_HEIGHT), invariant=1)
    for items in pages:
        for x, y, size, text, pictured in items:
            if pictured:
                image, width, height = _picture_of(text, size)
                pdf.drawImage(image, x, y - 0.3 * size, width=width, height=height)
            else:
                pdf.setFont(_font_for(text), size)
                pdf.drawString(x, y, text)
        pdf.showPage()
    pdf.save()
    path.write_bytes(buffer.getvalue())
    return path


def make_scanned_pdf(path: Path, pages: list[str], *, scale: float = 2.0) -> Path:
    """A scan of `make_text_pdf`'s pages: each page is only a picture of that page (Latin text)."""
    import pypdfium2 as pdfium
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    source = pdfium.PdfDocument(text_pdf_bytes(pages, font_size=11.0))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(595.0, _PAGE_HEIGHT), invariant=1)
    for index in range(len(source)):
        png = io.BytesIO()
        source[index].render(scale=scale).to_pil().convert("L").save(png, format="PNG")
        pdf.drawImage(ImageReader(io.BytesIO(png.getvalue())), 0, 0, width=595.0, height=_PAGE_HEIGHT)
        pdf.showPage()
    source.close()
    pdf.save()
    path.write_bytes(buffer.getvalue())
    return path


def _picture_of(text: str, size: float, scale: float = 4.0) -> tuple[object, float, float]:
    """An image of `text` set in Helvetica at `size` points, cropped to its line; with its
    width and height in points."""
    import pypdfium2 as pdfium
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    width = size * (0.6 * len(text) + 1)
    height = size * 1.3
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height), invariant=1)
    pdf.setFont(_LATIN_FONT, size)
    pdf.drawString(0.5 * size, 0.3 * size, text)
    pdf.showPage()
    pdf.save()
    document = pdfium.PdfDocument(buffer.getvalue())
    png = io.BytesIO()
    document[0].render(scale=scale).to_pil().convert("L").save(png, format="PNG")
    document.close()
    return ImageReader(io.BytesIO(png.getvalue())), width, height


def make_image_only_pdf(path: Path, page_count: int = 1) -> Path:
    """A "scanned" PDF: each page holds only a raster image, no text operators."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("RGB", (400, 300), "white")
    draw = ImageDraw.Draw(image)
    for y in range(20, 280, 16):  # grey bars that look like lines of print
        draw.rectangle([20, y, 380, y + 8], fill=(90, 90, 90))
    png = io.BytesIO()
    image.save(png, format="PNG")
    reader = ImageReader(io.BytesIO(png.getvalue()))

    pdf = canvas.Canvas(str(path), pagesize=(595.0, _PAGE_HEIGHT), invariant=1)
    for _ in range(page_count):
        pdf.drawImage(reader, 50, 300, width=495, height=370)
        pdf.showPage()
    pdf.save()
    return path


def make_encrypted_pdf(
    path: Path,
    pages: list[str] | None = None,
    *,
    user_password: str = "secret",
    owner_password: str = "owner-secret",
) -> Path:
    """An encrypted text PDF. With ``user_password=""`` it opens without a password
    (encryption used only to set permissions, common in broker PDFs)."""
    from pypdf import PdfReader, PdfWriter

    pages = pages if pages is not None else ["Encrypted report text on page one."]
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(text_pdf_bytes(pages))).pages:
        writer.add_page(page)
    # RC4-128 (pypdf's default) decrypts without the optional `cryptography` package.
    writer.encrypt(user_password=user_password, owner_password=owner_password)
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def make_many_page_pdf(path: Path, page_count: int, text: str = "Page text.") -> Path:
    """`page_count` copies of one page (all sharing one content stream), built in well
    under a second even for thousands of pages."""
    from pypdf import PdfReader, PdfWriter

    page = PdfReader(io.BytesIO(text_pdf_bytes([text]))).pages[0]
    writer = PdfWriter()
    for _ in range(page_count):
        writer.add_page(page)
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def make_truncated_pdf(path: Path, pages: list[str] | None = None, keep: float = 0.5) -> Path:
    """A valid text PDF cut after the first `keep` fraction of its bytes (a broken download)."""
    if pages is None:
        pages = [f"Page {n} of a report that was cut short." for n in range(4)]
    data = text_pdf_bytes(pages)
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def make_not_a_pdf(path: Path, content: bytes = b"<!DOCTYPE html><html>404</html>") -> Path:
    """A file named like a PDF that is something else (here an HTML error page)."""
    path.write_bytes(content)
    return path


def _font_for(line: str) -> str:
    return _CJK_FONT if any(ord(ch) > 0xFF for ch in line) else _LATIN_FONT


def _register_cjk_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if _CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_CJK_FONT))
