"""Browser uploads: content check, size cap, safe storage, per-file results."""

from __future__ import annotations

import pytest
from corpus import ENGLISH_NOTE, LIQUOR_REPORT
from pdf_factory import text_pdf_bytes

from report_rag.pipeline.uploads import Upload, ingest_uploads, rejection, safe_file_name, uploads_dir
from report_rag.store.library import Library


@pytest.mark.parametrize(
    ("client_name", "stored"),
    [
        ("report.pdf", "report.pdf"),
        ("../../../etc/passwd", "passwd.pdf"),
        ("C:\\Users\\me\\Desktop\\华金 传媒 快报.PDF", "华金 传媒 快报.pdf"),
        ("..", "upload.pdf"),
        ("", "upload.pdf"),
        (".hidden.pdf", "hidden.pdf"),
        ("a<b>|c?.pdf", "a_b_c.pdf"),
        ("x" * 500 + ".pdf", "x" * 120 + ".pdf"),
    ],
)
def test_safe_file_name_keeps_only_a_harmless_last_component(client_name, stored):
    assert safe_file_name(client_name) == stored


def test_rejections_are_by_content_and_size(settings):
    pdf = text_pdf_bytes(["hello"])
    assert rejection(Upload("a.txt", pdf), settings) is None  # a PDF under any name
    assert "not a PDF" in rejection(Upload("a.pdf", b"PK\x03\x04 zip"), settings)
    assert rejection(Upload("a.pdf", b""), settings) == "empty file"
    assert rejection(Upload("a.pdf", b"\n\n%PDF-1.4 junk-prefixed"), settings) is None
    small = settings.model_copy(update={"ui": settings.ui.model_copy(update={"max_upload_mb": 1})})
    too_big = Upload("big.pdf", b"%PDF-1.7" + b"0" * (1024 * 1024))
    assert rejection(too_big, small) == "too large: 1.0 MB, the limit is 1 MB"


def test_ingest_uploads_one_result_per_file_in_order(settings):
    liquor, english = text_pdf_bytes(LIQUOR_REPORT), text_pdf_bytes(ENGLISH_NOTE)
    events = []
    with Library(settings) as library:
        results = ingest_uploads(
            library,
            [
                Upload("moutai.pdf", liquor),
                Upload("fake.pdf", b"<html>"),
                Upload("../tencent.pdf", english),
                Upload("moutai again.pdf", liquor),
                Upload("broken.pdf", b"%PDF-1.7\nthis is not really a pdf"),
            ],
            progress=lambda name, event: events.append((name, event)),
        )
        reports = {r.file_name: r for r in library.reports()}
    assert [r.outcome for r in results] == ["ingested", "rejected", "ingested", "skipped", "failed"]
    assert results[0].report_id == reports["moutai.pdf"].id
    assert results[2].name == "../tencent.pdf" and results[2].stored_as.name == "tencent.pdf"
    assert results[3].message == "duplicate of moutai.pdf"  # no server path is shown
    assert results[4].message  # the parser's reason, shown to the user
    assert ("moutai.pdf", "start") in events and ("moutai.pdf", "done") in events
    assert ("fake.pdf", "rejected") in events

    stored = sorted(p.relative_to(uploads_dir(settings)) for p in uploads_dir(settings).rglob("*.pdf"))
    # Kept: the two ingested files and the failed one (its failure record points at it).
    assert sorted(p.name for p in stored) == ["broken.pdf", "moutai.pdf", "tencent.pdf"]
    assert all(len(p.parts) == 2 and len(p.parts[0]) == 16 for p in stored)  # <random hex>/<name>
    assert not list(uploads_dir(settings).rglob(".incoming"))
