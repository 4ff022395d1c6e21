"""Report card, Picks and Status pages under AppTest, and the picks downloads."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from report_rag.settings import Settings
from report_rag.store.facts_tables import delete_facts
from report_rag.store.library import Library
from report_rag_app import facts_view

MOUTAI = "kaiyuan_moutai_company_2024-08-09.pdf"
MEDIA = "huajin_media_flash_2024-07-08.pdf"

pytest_plugins = ("app_harness",)  # the `harness` fixture


@pytest.fixture
def samples(harness, sample_pdfs):
    harness.ingest(*[p for p in sample_pdfs if p.name in (MOUTAI, MEDIA)])
    with Library(Settings()) as library:
        ids = {r.file_name: r.id for r in library.reports()}
    return harness, ids


def open_card(harness, report_id: int):
    at = harness.page("report")
    at.session_state["report_card_id"] = report_id
    at.run()
    assert not at.exception, at.exception
    return at


def test_report_card_header_and_page_viewer(samples):
    harness, ids = samples
    at = open_card(harness, ids[MOUTAI])
    assert at.title[0].value == "上半年稳健增长，系列酒表现亮眼"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Broker"] == "开元证券" and metrics["Date"] == "2024-08-09" and metrics["Pages"] == "4"
    assert at.image[0].captions == [f"{MOUTAI} · page 1 of 4"]
    at.number_input(key=f"report_page_{ids[MOUTAI]}").set_value(3).run()
    assert at.image[0].captions == [f"{MOUTAI} · page 3 of 4"]
    with Library(Settings()) as library:
        page_three = library.store.pages(ids[MOUTAI])[2].text
    assert at.expander[0].text[0].value == page_three


def test_report_card_facts_with_evidence_on_the_page(samples):
    harness, ids = samples
    at = open_card(harness, ids[MOUTAI])
    text = "\n".join(m.value for m in at.markdown)
    assert "买入（维持）" in text and "buy" in text
    assert "Target price: **1,880.00" in text
    assert "方嘉禾" in text and "S1670522080003" in text

    at.button(key="ev-Rating").click().run()
    assert not at.exception
    evidence = [m.value for m in at.markdown if m.value.startswith("Evidence on page")]
    assert evidence and "买入" in evidence[0]
    assert at.image[0].captions == [f"{MOUTAI} · page 1"]
    at.button(key="report_view_clear").click().run()
    assert at.image[0].captions == [f"{MOUTAI} · page 1 of 4"]


def test_report_card_without_facts_says_so(samples):
    harness, ids = samples
    with Library(Settings()) as library:
        delete_facts(library.store, ids[MOUTAI])
    at = open_card(harness, ids[MOUTAI])
    assert any(m.value == facts_view.NOT_EXTRACTED for m in at.info)
    assert at.title[0].value == "上半年稳健增长，系列酒表现亮眼"  # the rest of the card still shows


def test_report_card_brief_is_drafted_on_request_and_cited(samples):
    harness, ids = samples
    harness.reply("上半年直销渠道实现收入364.86亿元，同比增长18.6%[1]。")
    at = open_card(harness, ids[MOUTAI])
    assert harness.generators_made == 0  # no model work until asked
    at.button(key="report_brief").click().run()
    assert not at.exception
    assert harness.generators_made == 1
    chips = [b for b in at.button if b.key and b.key.startswith(f"brief-{ids[MOUTAI]}-cite-")]
    assert chips and all(MOUTAI in b.label for b in chips)
    chips[0].click().run()
    assert any(MOUTAI in c for image in at.image for c in image.captions)


def test_picks_table_filters_and_downloads(samples):
    harness, _ = samples
    at = harness.page("picks").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) >= 5 and set(table["file"]) == {MEDIA}  # the Moutai note recommends no list
    first = table.iloc[0]
    at.text_input(key="picks_stock").set_value(first["stock"]).run()
    assert set(at.dataframe[0].value["stock"]) == {first["stock"]}
    at.text_input(key="picks_stock").set_value("").run()
    at.date_input(key="picks_since").set_value(date(2030, 1, 1)).run()
    assert len(at.dataframe[0].value) == 0
    assert {b.label for b in at.get("download_button")} >= {"CSV", "Excel (XLSX)", "Markdown"}


def test_picks_digest_tables_then_the_drafted_summary(samples):
    harness, _ = samples
    harness.reply("NOT_FOUND")
    at = harness.page("picks").run()
    popular = at.table[-1].value
    assert "stock" in popular.columns and len(popular) >= 5
    assert harness.generators_made == 0
    at.button(key="picks_digest").click().run()
    assert not at.exception and harness.generators_made == 1
    assert "No answer from the reports" in at.warning[0].value  # a refusal, shown as one


def test_picks_downloads_hold_the_rows():
    rows = [{"stock": "腾讯控股", "code": "0700.HK", "stock rating": "买入", "report rating": "领先大市-A维持",
             "broker": "华金证券", "date": date(2024, 7, 8), "report": "Gemma 2 | AI", "file": "a.pdf", "page": 1}]
    parsed = list(csv.DictReader(io.StringIO(facts_view.picks_csv(rows).decode("utf-8-sig"))))
    assert parsed[0]["stock"] == "腾讯控股" and parsed[0]["date"] == "2024-07-08"
    markdown = facts_view.picks_markdown(rows).decode()
    assert markdown.splitlines()[2].startswith("| 腾讯控股 | 0700.HK |") and "Gemma 2 \\| AI" in markdown
    sheet = load_workbook(io.BytesIO(facts_view.picks_xlsx(rows))).active
    assert [c.value for c in sheet[1]][:2] == ["stock", "code"] and sheet["A2"].value == "腾讯控股"


def test_status_reports_models_and_library_without_loading_the_answer_model(samples):
    harness, _ = samples
    at = harness.page("status").run()
    assert not at.exception
    tables = [t.value["value"].to_dict() for t in at.table]
    answer, embedder, library = tables
    assert harness.generators_made == 0  # describing the answer model must not load it
    assert answer.get("backend") == "llama.cpp" or "error" in answer
    assert embedder["setting"] == "hashing" and embedder["loaded"] == "True"
    assert library["reports"] == "2" and library["home"] == str(harness.home)
    assert library["database"].startswith("sqlite:///")


FOOD = "huajin_food_flash_2024-09-27.pdf"


def test_stocks_page_joins_two_notes_and_matches_the_cli_field_for_field(harness, sample_pdfs, capsys):
    import json

    from report_rag.cli.main import main
    from report_rag.present.stock import COVERAGE_COLUMNS

    harness.ingest(*[p for p in sample_pdfs if p.name in (MOUTAI, FOOD)])
    at = harness.page("stocks").run()
    assert not at.exception, at.exception
    labels = at.selectbox(key="stock_key").options
    assert any("贵州茅台 (600519.SH) — 2 reports" in label for label in labels)
    at.selectbox(key="stock_key").set_value("600519.SH").run()
    table = at.dataframe[0].value
    assert main(["stock", "600519.SH", "--json"]) == 0
    expected = json.loads(capsys.readouterr().out)["latest"]
    assert len(table) == len(expected) == 2
    for shown, row in zip(table.to_dict("records"), expected, strict=True):
        for column in COVERAGE_COLUMNS:
            a, b = shown[column], row[column]
            assert (a == b) or (a != a and b is None) or (a is None and b is None), (column, a, b)
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")  # the target chart is drawn
