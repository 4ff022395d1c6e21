"""Library page under AppTest: uploads (checked by content, size-capped, stored safely),
per-file results, the reports table, delete."""

from __future__ import annotations

from pathlib import Path

from corpus import LIQUOR_REPORT
from pdf_factory import text_pdf_bytes

from report_rag.retrieval import search
from report_rag.settings import Settings
from report_rag.store.facts_tables import delete_facts
from report_rag.store.library import Library

pytest_plugins = ("app_harness",)  # the `harness` fixture


def messages(at) -> dict[str, list[str]]:
    return {
        "success": [m.value for m in at.success],
        "error": [m.value for m in at.error],
        "info": [m.value for m in at.info],
    }


def test_main_opens_on_the_empty_library(harness):
    at = harness.main().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Library"]
    assert any("No reports yet" in m for m in messages(at)["info"])
    assert len(at.file_uploader) == 1 and at.file_uploader[0].accept_multiple_files


def test_upload_ingests_pdfs_and_rejects_the_rest_by_content(harness, monkeypatch):
    monkeypatch.setenv("REPORT_RAG_MAX_UPLOAD_MB", "1")
    at = harness.page("library").run()
    good = text_pdf_bytes(LIQUOR_REPORT)
    at.file_uploader[0].set_value([
        ("../../etc/moutai.pdf", good, "application/pdf"),  # a hostile path: only the name is kept
        ("notes.pdf", b"<html>not a pdf</html>", "application/pdf"),  # right name, wrong content
        ("huge.pdf", b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 1), "application/pdf"),
    ]).run()
    assert not at.exception
    shown = messages(at)
    assert len(shown["success"]) == 1 and "ingested" in shown["success"][0]
    assert any("notes.pdf" in e and "not a PDF" in e for e in shown["error"])
    assert any("huge.pdf" in e and "too large" in e and "limit is 1 MB" in e for e in shown["error"])

    stored = sorted((harness.home / "uploads").rglob("*.pdf"))
    assert [p.name for p in stored] == ["moutai.pdf"]  # rejected files were never written
    assert stored[0].parent.parent == harness.home / "uploads"
    assert stored[0].read_bytes() == good
    with Library(Settings()) as library:
        [report] = library.reports()
    assert report.file_name == "moutai.pdf" and Path(report.path) == stored[0]

    table = at.dataframe[0].value
    assert list(table["file"]) == ["moutai.pdf"]
    assert list(table["status"]) == ["ready"]
    assert len(at.file_uploader) == 1 and not at.file_uploader[0].value  # cleared for the next batch


def test_the_same_pdf_again_is_skipped_and_its_copy_removed(harness):
    at = harness.page("library").run()
    data = text_pdf_bytes(LIQUOR_REPORT)
    at.file_uploader[0].set_value(("a.pdf", data, "application/pdf")).run()
    at.file_uploader[0].set_value(("copy of a.pdf", data, "application/pdf")).run()
    assert not at.exception
    assert any("already ingested" in m for m in messages(at)["info"])
    assert len(list((harness.home / "uploads").rglob("*.pdf"))) == 1
    assert len(at.dataframe[0].value) == 1


def test_filter_and_delete(harness, sample_pdfs):
    harness.ingest(*sample_pdfs[:3])
    at = harness.page("library").run()
    assert len(at.dataframe[0].value) == 3
    first = at.dataframe[0].value.iloc[0]
    at.text_input(key="library_find").set_value(first["file"][:12]).run()
    assert list(at.dataframe[0].value["file"]) == [first["file"]]
    at.text_input(key="library_find").set_value("").run()

    at.selectbox(key="library_delete_choice").set_value(int(first["id"])).run()
    assert at.button(key="library_delete").disabled  # nothing goes without the confirmation
    at.checkbox(key="library_delete_confirm").check().run()
    at.button(key="library_delete").click().run()
    assert not at.exception
    remaining = at.dataframe[0].value
    assert len(remaining) == 2 and first["file"] not in set(remaining["file"])
    with Library(Settings()) as library:
        assert int(first["id"]) not in {r.id for r in library.reports()}
        assert all(h.report_id != int(first["id"]) for h in search(library, "投资评级", k=20))


def test_facts_columns_and_extracting_reports_without_facts(harness, sample_pdfs):
    media = next(p for p in sample_pdfs if p.name.startswith("huajin_media"))
    harness.ingest(media)
    at = harness.page("library").run()
    [row] = at.dataframe[0].value.to_dict("records")
    assert row["rating"].startswith("领先大市") and row["picks"] >= 5  # extracted at ingest
    assert not [b for b in at.button if b.key == "library_extract"]  # nothing left to extract

    with Library(Settings()) as library:  # a report from before extraction existed
        delete_facts(library.store, row["id"])
    at.run()
    [row] = at.dataframe[0].value.to_dict("records")
    assert row["rating"] == "" and row["picks"] is None  # not extracted, which is not "no picks"
    at.button(key="library_extract").click().run()
    assert not at.exception
    [row] = at.dataframe[0].value.to_dict("records")
    assert row["rating"].startswith("领先大市") and row["picks"] >= 5
