"""PypdfParser: text per page, and one clear PdfError for every kind of bad input."""

from __future__ import annotations

import logging
import os
import re
import time
from pathlib import Path

import pytest
from pdf_factory import (
    make_encrypted_pdf,
    make_image_only_pdf,
    make_many_page_pdf,
    make_not_a_pdf,
    make_text_pdf,
    make_truncated_pdf,
    text_pdf_bytes,
)

from report_rag.errors import NoTextLayerError, PdfError
from report_rag.parse.pdf import ParsedPdf, PypdfParser, looks_scanned


def parse(path: Path, max_pages: int = 100) -> ParsedPdf:
    return PypdfParser(max_pages=max_pages).parse(path)


def problem_of(path: Path, max_pages: int = 100) -> str:
    with pytest.raises(PdfError) as caught:
        parse(path, max_pages)
    assert caught.value.path == str(path)
    assert str(caught.value) == f"{path}: {caught.value.problem}"
    return caught.value.problem


def test_text_per_page_in_order_with_title(tmp_path):
    pdf = make_text_pdf(
        tmp_path / "r.pdf",
        ["Key points\nRevenue grew 20%.", "", "投资要点\n◆ 热点事件：6月27日，Google 发布 Gemma 2"],
        title="  Gemma 2 发布  ",
    )
    parsed = parse(pdf)
    assert parsed.path == pdf
    assert parsed.page_count == 3 == len(parsed.raw_pages)
    assert parsed.raw_pages[0].split("\n")[:2] == ["Key points", "Revenue grew 20%."]
    assert parsed.raw_pages[1].strip() == ""  # a blank page keeps its place
    assert "投资要点\n◆ 热点事件：6月27日，Google 发布 Gemma 2" in parsed.raw_pages[2]
    assert parsed.metadata_title == "Gemma 2 发布"


@pytest.mark.parametrize(
    "title", [None, "   ", "untitled", "Microsoft Word - 20240627-传媒行业快报.docx", "report.pdf"]
)
def test_missing_or_placeholder_title_is_none(tmp_path, title):
    pdf = make_text_pdf(tmp_path / "r.pdf", ["Some report text here."], title=title)
    assert parse(pdf).metadata_title is None


def test_unicode_file_name_with_spaces(tmp_path):
    pdf = make_text_pdf(tmp_path / "华金 证券 报告 (1).pdf", ["传媒行业快报正文内容"])
    assert "传媒行业快报正文内容" in parse(pdf).raw_pages[0]


def test_zero_byte_file(tmp_path):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    assert problem_of(empty) == "empty file (0 bytes)"


def test_not_a_pdf_names_what_it_starts_with(tmp_path):
    problem = problem_of(make_not_a_pdf(tmp_path / "page.pdf"))
    assert problem.startswith('not a PDF (starts with "<!DOCTYPE html>')
    zip_problem = problem_of(make_not_a_pdf(tmp_path / "doc.pdf", b"PK\x03\x04\x14\x00" * 10))
    assert zip_problem.startswith('not a PDF (starts with "PK\\x03\\x04')


def test_pdf_marker_after_leading_junk_is_accepted(tmp_path):
    # Some servers prepend headers; the spec allows the marker within the first 1024 bytes.
    pdf = tmp_path / "junk.pdf"
    pdf.write_bytes(b"HTTP/1.1 200 OK\r\n\r\n" + text_pdf_bytes(["Hello report text"]))
    assert "Hello report text" in parse(pdf).raw_pages[0]


def test_truncated_pdf(tmp_path):
    problem = problem_of(make_truncated_pdf(tmp_path / "cut.pdf"))
    assert problem.startswith("damaged or truncated PDF: ")


def test_garbage_after_pdf_header(tmp_path):
    pdf = tmp_path / "garbage.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    assert problem_of(pdf).startswith("damaged or truncated PDF: ")


def test_encrypted_pdf_needs_password(tmp_path):
    assert problem_of(make_encrypted_pdf(tmp_path / "locked.pdf")) == (
        "encrypted PDF: a password is required"
    )


def test_encrypted_pdf_with_empty_user_password_opens(tmp_path):
    pdf = make_encrypted_pdf(
        tmp_path / "perm.pdf", ["Permissions only, text readable."], user_password=""
    )
    assert "Permissions only, text readable." in parse(pdf).raw_pages[0]


def test_scanned_image_only_pdf(tmp_path):
    pdf = make_image_only_pdf(tmp_path / "scan.pdf", page_count=2)
    with pytest.raises(NoTextLayerError) as caught:
        parse(pdf)
    assert caught.value.problem.startswith("no text layer: the PDF looks scanned (image-only); OCR it first")
    assert "report-rag[ocr]" in caught.value.problem  # the way to have it read
    assert isinstance(caught.value, PdfError)  # callers catching PdfError see it too


def test_scan_with_stamped_page_numbers_still_counts_as_scanned():
    assert looks_scanned(["1", " 2 ", "- 3 -", ""])
    assert not looks_scanned(["Hello world", ""])  # a short real text layer
    assert not looks_scanned(["A page of real text. " * 20] + [""] * 3)  # text, then charts
    # A digital cover stapled onto a scan: still needs OCR to be searchable.
    assert looks_scanned(["Cover page text " * 10] + [""] * 30)
    assert not looks_scanned(["", "投资要点：热点事件，谷歌发布大模型"])  # Han chars are letters


def test_page_limit(tmp_path):
    pdf = make_many_page_pdf(tmp_path / "long.pdf", 12)
    assert problem_of(pdf, max_pages=10) == "has 12 pages; the limit is 10 (REPORT_RAG_MAX_PAGES)"
    assert parse(pdf, max_pages=12).page_count == 12


def test_three_thousand_pages_parse_fast_and_lean(tmp_path):
    psutil = pytest.importorskip("psutil")
    pdf = make_many_page_pdf(tmp_path / "huge.pdf", 3000, text="Line of report text.")
    process = psutil.Process()
    rss_before = process.memory_info().rss
    started = time.perf_counter()
    pages = list(PypdfParser(max_pages=5000).iter_pages(pdf))
    elapsed = time.perf_counter() - started
    rss_growth_mb = (process.memory_info().rss - rss_before) / 2**20
    assert len(pages) == 3000
    assert all("Line of report text." in text for text in pages)
    assert elapsed < 8, f"3,000 pages took {elapsed:.1f}s"
    assert rss_growth_mb < 150, f"RSS grew {rss_growth_mb:.0f} MiB"


def test_unreadable_file_permission_denied(tmp_path):
    pdf = make_text_pdf(tmp_path / "secret.pdf", ["text"])
    pdf.chmod(0)
    try:
        if os.access(pdf, os.R_OK):
            pytest.skip("running as root: chmod 000 does not block reads (see the simulated test)")
        assert problem_of(pdf) == "cannot read file: permission denied"
    finally:
        pdf.chmod(0o644)


def test_permission_error_is_reported_even_as_root(tmp_path, monkeypatch):
    pdf = make_text_pdf(tmp_path / "secret.pdf", ["text"])
    real_open = Path.open

    def deny(self, *args, **kwargs):
        if self == pdf:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", deny)
    assert problem_of(pdf) == "cannot read file: permission denied"


def test_directory_named_like_a_pdf(tmp_path):
    folder = tmp_path / "x.pdf"
    folder.mkdir()
    assert problem_of(folder) == "cannot read file: it is a directory"


def test_missing_file(tmp_path):
    assert problem_of(tmp_path / "gone.pdf") == "cannot read file: no such file"


def _fail_pages_containing(monkeypatch, marker: str) -> None:
    from pypdf import PageObject

    real_extract = PageObject.extract_text

    def flaky(self, *args, **kwargs):
        text = real_extract(self, *args, **kwargs)
        if marker in text:
            raise KeyError("/Font")  # the kind of thing odd content streams cause
        return text

    monkeypatch.setattr(PageObject, "extract_text", flaky)


def test_one_broken_page_does_not_lose_the_document(tmp_path, monkeypatch, caplog):
    pdf = make_text_pdf(tmp_path / "r.pdf", ["First page text.", "BROKEN page", "Third page text."])
    _fail_pages_containing(monkeypatch, "BROKEN")
    with caplog.at_level(logging.WARNING, logger="report_rag.parse.pdf"):
        parsed = parse(pdf)
    assert parsed.page_count == 3
    assert parsed.raw_pages[1] == ""
    assert "Third page text." in parsed.raw_pages[2]
    assert any("page 2: text extraction failed" in r.getMessage() for r in caplog.records)


def test_all_pages_failing_is_an_error(tmp_path, monkeypatch):
    pdf = make_text_pdf(tmp_path / "r.pdf", ["BROKEN one", "BROKEN two"])
    _fail_pages_containing(monkeypatch, "BROKEN")
    assert problem_of(pdf).startswith(
        "damaged or truncated PDF: text extraction failed on every page"
    )


def test_pypdf_warnings_go_to_debug_log_not_stderr(tmp_path, capsys, caplog):
    data = text_pdf_bytes(["Readable despite a wrong xref pointer."])
    pdf = tmp_path / "xref.pdf"
    pdf.write_bytes(re.sub(rb"startxref\s+\d+", b"startxref\n999", data))
    with caplog.at_level(logging.DEBUG):
        parsed = parse(pdf)
    assert "Readable despite a wrong xref pointer." in parsed.raw_pages[0]
    assert capsys.readouterr().err == ""
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]
    ours = [r.getMessage() for r in caplog.records if r.name == "report_rag.parse.pdf"]
    assert any("pypdf reported" in message for message in ours)
    # ...and the pypdf logger is restored for everyone else afterwards.
    assert logging.getLogger("pypdf").propagate is True


def test_iter_pages_streams_and_raises_on_bad_input(tmp_path):
    pdf = make_text_pdf(tmp_path / "r.pdf", ["one page", "two page"])
    pages = PypdfParser(max_pages=10).iter_pages(pdf)
    assert "one page" in next(pages)
    assert "two page" in next(pages)
    assert next(pages, None) is None
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(PdfError, match="empty file"):
        next(PypdfParser(max_pages=10).iter_pages(empty))
