"""PDF → raw text per page, with one clear error message for every kind of bad input.

Only this module talks to the PDF library for text. It returns pypdf's text untouched — with
OCR's reading of text drawn as images added when a recogniser is given (`report_rag.parse.ocr`);
turning that into readable paragraphs is `report_rag.parse.clean`'s job.
"""

from __future__ import annotations

import logging
import re
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Literal, Protocol

from report_rag.errors import NoTextLayerError, PdfError
from report_rag.parse.layout import TextRun, extract_with_fragments, runs_from_fragments
from report_rag.parse.ocr import (
    NO_TEXT_AFTER_OCR,
    TextRecognizer,
    lines_not_in,
    read_pictured_lines,
    read_scanned_pages,
    reading_order,
)

if TYPE_CHECKING:
    from pypdf import PdfReader

log = logging.getLogger(__name__)

# Real PDFs may carry junk (e.g. an HTTP header or BOM) before the header; the spec
# tolerates the marker anywhere in the first 1024 bytes, and so do viewers.
_MAGIC = b"%PDF-"
_MAGIC_WINDOW = 1024

# A scan often still carries a stamped page number or a scanner watermark, so "no text" means
# fewer than this many letters per page on average, not zero.
MIN_LETTERS_PER_PAGE = 5.0

ExtractionMode = Literal["plain", "layout"]


@dataclass(slots=True)
class ParsedPdf:
    path: Path
    page_count: int
    raw_pages: list[str]  # pypdf's text per page; index 0 is page 1
    metadata_title: str | None  # the document-info /Title, if it has a non-blank one
    first_page_runs: list[TextRun] = field(default_factory=list)  # page 1's text by font size
    ocr_pages: list[int] = field(default_factory=list)  # pages (1-based) with text read by OCR
    scanned: bool = False  # no text layer: every page is OCR's reading


class PdfParser(Protocol):
    def parse(self, path: Path) -> ParsedPdf: ...


class PypdfParser:
    """Reads a PDF with pypdf, page by page, from an open file handle (pypdf seeks in it
    rather than loading the file) and without keeping any page's objects or text around
    beyond the page itself: a 3,000-page PDF parses in ~30 MiB.

    `extraction_mode="plain"` follows the content-stream order, which keeps a sidebar's
    text together; "layout" interleaves a sidebar with the body column line by line. On
    the sample reports, layout mode broke 32 of 137 answer/heading checks after cleaning,
    plain none, at the same speed.

    With `ocr`, a scanned PDF is read by OCR page by page instead of being refused, and lines
    a page draws as images (dates, codes, certificate numbers over the text) are read and
    added to that page: header lines before its text, the others after it.
    """

    def __init__(
        self,
        max_pages: int,
        extraction_mode: ExtractionMode = "plain",
        min_letters_per_page: float = MIN_LETTERS_PER_PAGE,
        ocr: TextRecognizer | None = None,
    ) -> None:
        if max_pages < 1:
            raise ValueError("max_pages must be at least 1")
        self.max_pages = max_pages
        self.extraction_mode = extraction_mode
        self.min_letters_per_page = min_letters_per_page
        self.ocr = ocr

    def parse(self, path: Path) -> ParsedPdf:
        path = Path(path)
        with self._open(path) as document:
            raw_pages = list(self._extract(document))
        parsed = ParsedPdf(
            path=path,
            page_count=len(raw_pages),
            raw_pages=raw_pages,
            metadata_title=document.title,
            first_page_runs=runs_from_fragments(document.first_page_fragments),
        )
        if looks_scanned(raw_pages, self.min_letters_per_page):
            if self.ocr is None:
                raise NoTextLayerError(
                    str(path),
                    "no text layer: the PDF looks scanned (image-only); OCR it first, or turn OCR "
                    "on (pip install 'report-rag[ocr]', REPORT_RAG_OCR=auto)",
                )
            parsed.raw_pages = read_scanned_pages(path, self.ocr, len(raw_pages))
            if looks_scanned(parsed.raw_pages, self.min_letters_per_page):
                raise NoTextLayerError(str(path), f"no text layer, and {NO_TEXT_AFTER_OCR} on its page images")
            parsed.scanned, parsed.first_page_runs = True, []
            parsed.ocr_pages = [n for n, text in enumerate(parsed.raw_pages, 1) if text.strip()]
        elif self.ocr is not None:
            for index, lines in read_pictured_lines(path, self.ocr, len(raw_pages)).items():
                seen: set[str] = set()
                header = lines_not_in(reading_order([line for line in lines if line.header]), raw_pages[index], seen)
                body = lines_not_in(reading_order([line for line in lines if not line.header]), raw_pages[index], seen)
                if not header and not body:
                    continue
                parsed.raw_pages[index] = "\n".join([*header, raw_pages[index], *body])
                parsed.ocr_pages.append(index + 1)
                if index == 0:  # a headline drawn as an image still shows its size
                    kept = "\n".join(header + body)
                    parsed.first_page_runs += [
                        TextRun(line.text, line.type_size, line.bottom) for line in lines if line.text in kept
                    ]
        if parsed.ocr_pages:
            log.info("%s: OCR read text on page(s) %s", path, parsed.ocr_pages)
        return parsed

    def iter_pages(self, path: Path) -> Iterator[str]:
        """Yield each page's raw text in order, for callers that stream huge documents.

        Input errors surface as `PdfError` on the first `next()`. Unlike `parse`, this does
        not check for a missing text layer (that needs the whole document).
        """
        with self._open(Path(path)) as document:
            yield from self._extract(document)

    @contextmanager
    def _open(self, path: Path) -> Iterator[_OpenDocument]:
        check_readable_pdf_file(path)
        with _open_binary(path) as fh:
            document = _OpenDocument(path=path)
            try:
                with _pypdf_quiet(document.noise):
                    document.reader = _open_reader(path, fh)
                    document.page_count = _count_pages(path, document.reader)
                    document.title = _metadata_title(document.reader)
                if document.page_count > self.max_pages:
                    raise PdfError(
                        str(path),
                        f"has {document.page_count} pages; the limit is {self.max_pages} "
                        "(REPORT_RAG_MAX_PAGES)",
                    )
                yield document
            finally:
                if document.noise:
                    log.debug(
                        "%s: pypdf reported %d problem(s), first: %s",
                        path,
                        len(document.noise),
                        document.noise[0],
                    )

    def _extract(self, document: _OpenDocument) -> Iterator[str]:
        failures = 0
        first_failure = ""
        for index in range(document.page_count):
            try:
                # Quiet only around pypdf's own work, never across a yield: the warnings
                # filter is process-wide and the caller's code runs between pages.
                with _pypdf_quiet(document.noise):
                    # Index reader.pages afresh each time rather than keeping a list of
                    # PageObjects, so no parsed page content outlives its page.
                    page = document.reader.pages[index]
                    if index == 0 and self.extraction_mode == "plain":
                        # Page 1's type sizes come from the same pass (where the headline is).
                        text, document.first_page_fragments = extract_with_fragments(page)
                    else:
                        text = page.extract_text(extraction_mode=self.extraction_mode)
                    del page
            except Exception as exc:  # pypdf raises many types on odd content
                failures += 1
                first_failure = first_failure or _describe(exc)
                log.warning(
                    "%s: page %d: text extraction failed: %s", document.path, index + 1, exc
                )
                text = ""
            yield text or ""
        if failures == document.page_count:
            raise PdfError(
                str(document.path),
                "damaged or truncated PDF: text extraction failed on every page "
                f"({first_failure})",
            )


@dataclass(slots=True)
class _OpenDocument:
    path: Path
    reader: Any = None  # pypdf.PdfReader, imported lazily
    page_count: int = 0
    title: str | None = None
    noise: list[str] = field(default_factory=list)  # pypdf warnings, for one debug line
    first_page_fragments: list[tuple[str, float, float]] = field(default_factory=list)


def check_readable_pdf_file(path: Path) -> None:
    """Cheap checks before pypdf sees the file: exists, readable, non-empty, PDF magic."""
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise PdfError(str(path), "cannot read file: it is a directory")
        with path.open("rb") as fh:
            head = fh.read(_MAGIC_WINDOW)
    except PermissionError:
        raise PdfError(str(path), "cannot read file: permission denied") from None
    except FileNotFoundError:
        raise PdfError(str(path), "cannot read file: no such file") from None
    except IsADirectoryError:
        raise PdfError(str(path), "cannot read file: it is a directory") from None
    except OSError as exc:
        raise PdfError(str(path), f"cannot read file: {exc.strerror or exc}") from None
    if size == 0:
        raise PdfError(str(path), "empty file (0 bytes)")
    if _MAGIC not in head:
        raise PdfError(str(path), f"not a PDF (starts with {_preview(head)})")


def looks_scanned(raw_pages: list[str], min_letters_per_page: float = MIN_LETTERS_PER_PAGE) -> bool:
    """True when the pages hold (almost) no letters: an image-only scan.

    Letters (`str.isalpha`, which includes Han characters) are counted, not digits or
    punctuation, so stamped page numbers do not make a scan look like text.
    """
    if not raw_pages:
        return True
    letters = sum(1 for text in raw_pages for ch in text if ch.isalpha())
    return letters < min_letters_per_page * len(raw_pages)


def _preview(head: bytes, limit: int = 16) -> str:
    """The first bytes as a short quoted string, non-printables escaped, for messages."""
    shown = head[:limit]
    text = "".join(chr(b) if 32 <= b < 127 else f"\\x{b:02x}" for b in shown)
    return f'"{text}…"' if len(head) > limit else f'"{text}"'


@contextmanager
def _open_binary(path: Path) -> Iterator[BinaryIO]:
    # A file handle (not a path) lets pypdf seek lazily instead of reading the whole file.
    try:
        fh = path.open("rb")
    except PermissionError:
        raise PdfError(str(path), "cannot read file: permission denied") from None
    except OSError as exc:
        raise PdfError(str(path), f"cannot read file: {exc.strerror or exc}") from None
    with fh:
        yield fh


def _open_reader(path: Path, fh: BinaryIO) -> PdfReader:
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError

    try:
        reader = PdfReader(fh, strict=False)
    except Exception as exc:  # PdfReadError, PdfStreamError, or plain ValueError/KeyError
        raise PdfError(str(path), f"damaged or truncated PDF: {_describe(exc)}") from None
    if reader.is_encrypted:
        # Many PDFs are "encrypted" only to set permissions, with an empty user password.
        try:
            result = reader.decrypt("")
        except DependencyError:
            raise PdfError(
                str(path),
                "encrypted PDF: decrypting it needs the 'cryptography' package",
            ) from None
        except Exception as exc:
            raise PdfError(str(path), f"encrypted PDF: cannot decrypt: {_describe(exc)}") from None
        if result == PasswordType.NOT_DECRYPTED:
            raise PdfError(str(path), "encrypted PDF: a password is required")
    return reader


def _count_pages(path: Path, reader: PdfReader) -> int:
    try:
        page_count = len(reader.pages)
    except Exception as exc:
        raise PdfError(str(path), f"damaged or truncated PDF: {_describe(exc)}") from None
    if page_count == 0:
        raise PdfError(str(path), "damaged or truncated PDF: it has no pages")
    return page_count


# Titles that authoring tools fill in by themselves say nothing about the report.
_PLACEHOLDER_TITLE = re.compile(
    r"^(?:untitled|无标题|anonymous|\(anonymous\)|title|unknown|document\d*)$"
    r"|^(?:microsoft\s+\w+\s+-\s+)?.*\.(?:docx?|pptx?|xlsx?|pdf|wps)$",
    re.I,
)


def _metadata_title(reader: PdfReader) -> str | None:
    try:
        info = reader.metadata
        title = info.title if info is not None else None
    except Exception:  # a broken info dictionary should not fail the document
        return None
    if not isinstance(title, str):
        return None
    title = "".join(ch for ch in title if ch.isprintable()).strip()
    if not title or _PLACEHOLDER_TITLE.match(title):
        return None
    return title


def _describe(exc: Exception) -> str:
    message = str(exc).strip()
    return message or type(exc).__name__


class _CollectingHandler(logging.Handler):
    def __init__(self, into: list[str]) -> None:
        super().__init__(level=logging.DEBUG)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.into) < _MAX_NOISE:
            self.into.append(record.getMessage())


_MAX_NOISE = 1000  # a thoroughly broken 5,000-page file must not hoard messages
_quiet_lock = threading.Lock()
_quiet_depth = 0
_saved_propagate = True


@contextmanager
def _pypdf_quiet(noise: list[str]) -> Iterator[None]:
    """Collect pypdf's log and `warnings` chatter into `noise` instead of printing it.

    pypdf warns about every recoverable oddity ("Ignoring wrong pointing object"...); in a
    batch of hundreds of broker PDFs that buries the messages that matter. The caller logs
    one debug line per document instead.
    """
    global _quiet_depth, _saved_propagate
    pypdf_logger = logging.getLogger("pypdf")
    handler = _CollectingHandler(noise)
    with _quiet_lock:
        if _quiet_depth == 0:
            _saved_propagate = pypdf_logger.propagate
            pypdf_logger.propagate = False
        _quiet_depth += 1
        pypdf_logger.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
    finally:
        with _quiet_lock:
            pypdf_logger.removeHandler(handler)
            _quiet_depth -= 1
            if _quiet_depth == 0:
                pypdf_logger.propagate = _saved_propagate
        noise.extend(str(w.message) for w in caught[: max(0, _MAX_NOISE - len(noise))])
