"""OCR of text drawn as pictures: scanned pages, and lines a template sets as images.

Real layouts behind it: a scanned 中国银河证券 note (a sidebar beside the main column), and
国金证券's notes, whose page 1 draws the date, the stock code, the certificate numbers and the
e-mail addresses as small images over the text ("分析师：姚遥（执业" + a picture of
"S1130512080001）"). The generated PDFs below reproduce both with Latin text (no CJK font is
installed to draw Chinese into a picture).
"""

from __future__ import annotations

import pytest
from pdf_factory import make_pictured_pdf, make_scanned_pdf, make_text_pdf

from report_rag.errors import NoTextLayerError
from report_rag.parse import PypdfParser, clean_pages, read_meta
from report_rag.parse.ocr import OcrBox, _pictured_chains, available_recognizer, boxes_to_text, lines_not_in, tidy

PAGE_WIDTH = 1200.0


def _line(text: str, x0: float, y0: float, x1: float, height: float = 20.0) -> OcrBox:
    return OcrBox(text, x0, y0, x1, y0 + height, 0.99)


def test_a_scanned_page_reads_its_main_column_then_its_sidebar() -> None:
    main = [_line(f"main line {i} of the body text", 80, 200 + 30 * i, 760) for i in range(10)]
    sidebar = [_line(f"sidebar {i}", 800, 210 + 40 * i, 1100) for i in range(5)]
    header = [_line("Headline across the page", 80, 100, 1100)]
    footer = [_line("Please read the disclaimer", 700, 900, 1150)]  # crosses the gutter
    text = boxes_to_text(sidebar + footer + main + header, PAGE_WIDTH)
    lines = text.splitlines()
    assert lines[0] == "Headline across the page"
    assert lines[1:11] == [f"main line {i} of the body text" for i in range(10)]
    assert lines[11:16] == [f"sidebar {i}" for i in range(5)]
    assert lines[-1] == "Please read the disclaimer"


def test_a_table_keeps_its_rows_whole() -> None:
    rows = []
    for i, label in enumerate(["Revenue", "Net profit", "EPS", "PE", "PB", "ROE", "Margin"]):
        y = 100 + 30 * i
        rows += [_line(label, 80, y, 250), _line(f"{i}.1", 600, y, 680), _line(f"{i}.2", 800, y, 880)]
    lines = boxes_to_text(rows, PAGE_WIDTH).splitlines()
    assert lines[0] == "Revenue 0.1 0.2"
    assert lines[6] == "Margin 6.1 6.2"


def test_recognised_text_is_tidied_and_kept_once() -> None:
    assert tidy(" chengpei-yj @chinastock.com.cn ") == "chengpei-yj@chinastock.com.cn"
    assert tidy("a @ b") == "a@b"
    page = "Analyst: Jane Doe (SAC\n2026 03 31"
    kept = lines_not_in(["Analyst: Jane Doe (SAC S0910523060001)", "2026 03 31", "Analyst: Jane Doe (SAC S0910523060001)"], page)
    assert kept == ["Analyst: Jane Doe (SAC S0910523060001)"]
    # A line the text layer only holds split over several lines is not "held".
    assert lines_not_in(["2026-04-06"], "2026\n-04\n-06") == ["2026-04-06"]


def _analyst_note(tmp_path):
    return make_pictured_pdf(
        tmp_path / "pictured.pdf",
        [
            [
                (400, 800, 10, "Report date", False),
                (460, 800, 10, "2026-03-31", True),
                (50, 760, 18, "Margins hold up as volumes recover", False),
                (350, 700, 9, "Analyst: Jane Doe (SAC", False),
                (455, 700, 9, "S0910523060001)", True),
                (350, 686, 9, "jane.doe@example-broker.com", True),
                (50, 700, 10, "Revenue grew 12% in the quarter on higher volumes.", False),
                (50, 686, 10, "We keep our Buy rating.", False),
            ]
        ],
    )


def test_lines_with_pictured_parts_are_found_with_the_text_beside_them(tmp_path) -> None:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(_analyst_note(tmp_path)))
    chains = _pictured_chains(document[0])
    document.close()
    spans = sorted((round(left), round(bottom), round(right)) for left, bottom, right, _top in chains)
    # The certificate line runs from the text "Analyst: …" over its pictured number; the
    # body text beside it on the same line, an inch to the left, is another column.
    by_row = {bottom: (left, right) for left, bottom, right in spans}
    assert len(chains) == 3
    cert = next(span for bottom, span in by_row.items() if 695 <= bottom + 3 <= 702)
    assert cert[0] <= 351 and cert[1] >= 540
    assert all(left >= 340 for left, _bottom, _right in spans)  # never the body column


def test_without_ocr_a_scan_is_refused_with_the_way_out(tmp_path) -> None:
    scan = make_scanned_pdf(tmp_path / "scan.pdf", ["Quarterly results beat expectations."])
    with pytest.raises(NoTextLayerError) as caught:
        PypdfParser(max_pages=10).parse(scan)
    assert "report-rag[ocr]" in caught.value.problem


def test_the_ocr_setting_picks_a_backend() -> None:
    assert available_recognizer("off") is None
    assert available_recognizer("rapidocr") == "rapidocr"
    assert available_recognizer("auto") in ("rapidocr", None)


# --- the real recogniser ----------------------------------------------------------------


@pytest.fixture(scope="session")
def recognizer():
    from report_rag.parse.ocr import load_recognizer

    return load_recognizer("rapidocr")


@pytest.mark.model
def test_pictured_date_certificate_and_email_come_back_as_text(tmp_path, recognizer) -> None:
    parsed = PypdfParser(max_pages=10, ocr=recognizer).parse(_analyst_note(tmp_path))
    assert parsed.ocr_pages == [1]
    page = parsed.raw_pages[0]
    assert "S0910523060001" in page and "jane.doe@example-broker.com" in page
    header = page.splitlines()[0]  # the date line is above the page's text: read first
    assert "2026-03-31" in header
    pages = clean_pages(parsed.raw_pages)
    from report_rag.extract import extract_facts

    facts = extract_facts(pages, read_meta(pages, parsed.metadata_title, parsed.first_page_runs))
    assert [(a.name, a.sac) for a in facts.analysts] == [("Jane Doe", "S0910523060001")]
    # Without OCR the certificate is simply not there — nothing is guessed.
    plain = PypdfParser(max_pages=10).parse(_analyst_note(tmp_path))
    assert "S0910523060001" not in plain.raw_pages[0] and plain.ocr_pages == []


@pytest.mark.model
def test_a_scanned_report_is_read_page_by_page(tmp_path, recognizer) -> None:
    pages = [
        "Acme Robotics (ACME US)\nRevenue rose 18% to USD 412 million in 3Q25.\nWe rate the shares Buy.",
        "Risks\nA slower order intake would cut our 2026E EPS of 3.45.",
    ]
    parsed = PypdfParser(max_pages=10, ocr=recognizer).parse(make_scanned_pdf(tmp_path / "scan.pdf", pages))
    assert parsed.scanned and parsed.ocr_pages == [1, 2]
    first, second = ("".join(text.split()) for text in parsed.raw_pages)
    assert "ACMEUS" in first and "412" in first and "3Q25" in first
    assert "3.45" in second and "2026E" in second


@pytest.mark.model
def test_a_page_of_text_is_not_read_twice(tmp_path, recognizer) -> None:
    pdf = make_text_pdf(tmp_path / "text.pdf", ["Revenue grew 12%.\nWe keep our Buy rating."])
    parsed = PypdfParser(max_pages=10, ocr=recognizer).parse(pdf)
    assert parsed.ocr_pages == [] and not parsed.scanned


@pytest.mark.model
def test_a_scan_refused_while_ocr_was_off_is_read_once_it_is_on(tmp_path, recognizer) -> None:
    from report_rag.pipeline import ingest_paths
    from report_rag.settings import Settings
    from report_rag.store import Library
    from report_rag.types import ReportStatus

    scan = make_scanned_pdf(tmp_path / "scan.pdf", ["Acme Robotics (ACME US)\nRevenue rose 18% to USD 412 million."])
    home = tmp_path / "home"
    with Library(Settings.for_tests(home)) as library:  # the preset has OCR off
        summary = ingest_paths(library, [str(scan)])
        assert "report-rag[ocr]" in summary.failed[0].error
        assert [r.status for r in library.reports()] == [ReportStatus.NO_TEXT]
    with Library(Settings.for_tests(home, ocr="rapidocr")) as library:
        summary = ingest_paths(library, [str(scan)])
        assert [i.file for i in summary.ingested] == [str(scan)]
        (report,) = library.reports()
        assert report.status == ReportStatus.READY
        text = "".join(page.text for page in library.store.pages(report.id))
        assert "412" in text and "ACME" in text.upper()
        # Read once: the next run skips it as any ingested report.
        assert ingest_paths(library, [str(scan)]).skipped


def test_an_ocr_install_that_does_not_load_stops_nothing_under_auto(tmp_path, monkeypatch) -> None:
    from report_rag.errors import MissingDependencyError
    from report_rag.pipeline import ingest_paths
    from report_rag.settings import Settings
    from report_rag.store import Library
    from report_rag.types import ReportStatus

    def broken(name):
        raise MissingDependencyError("rapidocr-onnxruntime", "ocr", "Reading text drawn as images (libGL.so.1)")

    monkeypatch.setattr("report_rag.pipeline.ingest.available_recognizer", lambda setting: None if setting == "off" else "rapidocr")
    monkeypatch.setattr("report_rag.pipeline.ingest.load_recognizer", broken)
    scan = make_scanned_pdf(tmp_path / "scan.pdf", ["Quarterly results beat expectations."])
    text = make_text_pdf(tmp_path / "note.pdf", ["Revenue grew 12% in the quarter.\nWe keep our Buy rating."])
    with Library(Settings.for_tests(tmp_path / "home", ocr="auto")) as library:
        summary = ingest_paths(library, [str(scan), str(text)])
        assert [i.file for i in summary.ingested] == [str(text)]
        assert {r.file_name: r.status for r in library.reports()}["scan.pdf"] == ReportStatus.NO_TEXT
    with Library(Settings.for_tests(tmp_path / "home2", ocr="rapidocr")) as library:
        with pytest.raises(MissingDependencyError, match="libGL"):
            ingest_paths(library, [str(text)])


def test_a_pdf_pdfium_cannot_open_is_parsed_as_without_ocr(tmp_path, monkeypatch) -> None:
    import pypdfium2

    class Unused:
        def read_page(self, image):
            raise AssertionError("not called")

        def read_line(self, image):
            raise AssertionError("not called")

    def refuse(*args, **kwargs):
        raise pypdfium2.PdfiumError("Failed to load document")

    monkeypatch.setattr(pypdfium2, "PdfDocument", refuse)
    pdf = make_text_pdf(tmp_path / "text.pdf", ["Revenue grew 12%.\nWe keep our Buy rating."])
    parsed = PypdfParser(max_pages=10, ocr=Unused()).parse(pdf)
    assert "Revenue grew 12%." in parsed.raw_pages[0] and parsed.ocr_pages == []
