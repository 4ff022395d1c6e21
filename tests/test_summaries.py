"""summarize / picks / digest over the sample reports, and facts feeding Q&A."""

from __future__ import annotations

import csv
import io
import json

import pytest
from scripted_generator import ScriptedGenerator

from report_rag.answer.digest import build_digest, digest_markdown
from report_rag.answer.qa import PassagesFound, ask, ask_stream
from report_rag.answer.summarize import summarize_report, summary_markdown
from report_rag.cli.main import main
from report_rag.pipeline.ingest import ingest_paths
from report_rag.settings import Settings
from report_rag.store.library import Library

MEDIA = "huajin_media_flash_2024-07-08.pdf"


@pytest.fixture(scope="module")
def home(tmp_path_factory, sample_pdfs):
    home = tmp_path_factory.mktemp("home")
    with Library(Settings.for_tests(home)) as library:
        summary = ingest_paths(library, [str(p) for p in sample_pdfs])
        assert not summary.failed
    return home


@pytest.fixture
def library(home):
    with Library(Settings.for_tests(home)) as lib:
        yield lib


def test_summary_json_has_facts_with_evidence_and_a_checked_brief(library):
    brief = "华锦证券维持传媒行业领先大市-A评级[1]。建议关注快手-W、腾讯控股等[1]。"
    summary = summarize_report(library, ScriptedGenerator(brief), MEDIA)
    assert summary["file"] == MEDIA and summary["broker"] == "华锦证券"
    assert summary["rating"]["raw"] == "领先大市-A维持" and summary["rating"]["normalized"] == "outperform"
    assert summary["rating"]["action"] == "maintain" and summary["rating"]["grade"] == "A"
    assert {"快手-W", "腾讯控股"} <= {p["name"] for p in summary["picks"]}
    assert summary["analysts"][0]["sac"].startswith("S") and len(summary["analysts"][0]["sac"]) == 14
    pages = {p.number: p.text for p in library.store.pages(summary["report_id"])}
    assert summary["rating"]["evidence"]["quote"] in pages[summary["rating"]["evidence"]["page"]]
    assert summary["summary"] == brief and summary["citations"] and summary["unsupported"] == []
    assert "## Picks" in summary_markdown(summary)


def test_summary_brief_with_invented_picks_is_flagged(library):
    summary = summarize_report(library, ScriptedGenerator("建议关注贵州茅台、苹果公司[1]。"), MEDIA)
    assert summary["summary"] == "" and summary["unsupported"]


def test_summary_without_model_is_facts_only(library):
    summary = summarize_report(library, None, "kaiyuan_moutai_company_2024-08-09.pdf")
    assert summary["company"] == "贵州茅台" and summary["target_price"]["value"] == 1880.0
    assert summary["target_price"]["currency"] == "CNY"
    assert summary["summary"] == "" and summary["citations"] == []


def test_fact_questions_see_the_scoped_reports_facts_first(library):
    events = list(ask_stream(library, ScriptedGenerator("NOT_FOUND"), "华锦证券传媒行业快报建议关注哪些股票？"))
    found = next(e for e in events if isinstance(e, PassagesFound)).passages
    assert found[0].chunk.section == "extracted facts" and found[0].report.file_name.startswith("huajin")
    answer = ask(library, ScriptedGenerator("建议关注快手-W、腾讯控股、美图公司[1]。"), "华锦证券传媒行业快报建议关注哪些股票？")
    assert not answer.refused and answer.unsupported == []
    assert answer.citations[0].page == 1


def test_digest_tables_and_checked_prose(library):
    digest = build_digest(library, ScriptedGenerator("信和证券将宁德时代评级上调至买入[1]。"))
    changes = {(r.company, r.action) for r in digest.rating_changes}
    assert ("宁德时代", "upgrade") in changes and ("中国平安", "downgrade") in changes
    assert all(s.mentions >= 1 for s in digest.most_recommended)
    assert digest.brief is not None and not digest.brief.refused
    text = digest_markdown(digest)
    assert "## Rating changes" in text and "上调" in text or "upgrade" in text


def test_picks_cli_filters_and_exports(home, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("REPORT_RAG_EMBEDDER", "hashing")
    assert main(["picks", "--stock", "腾讯", "--json", "--home", str(home)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(r["stock"].startswith("腾讯") or r["code"] == "0700.HK" for r in rows)
    assert main(["picks", "--broker", "明诚", "--csv", "--home", str(home)]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert table and {r["broker"] for r in table} == {"明诚证券"}
    target = tmp_path / "picks.xlsx"
    assert main(["picks", "--since", "2025-01-01", "--xlsx", str(target), "--home", str(home)]) == 0
    assert capsys.readouterr().out.startswith("Wrote ")
    from openpyxl import load_workbook

    sheet = load_workbook(target).active
    dates = [row[7] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert dates and all(d >= "2025-01-01" for d in dates)
    assert main(["summarize", MEDIA, "--json", "--no-llm", "--home", str(home)]) == 0
    assert json.loads(capsys.readouterr().out)["rating"]["raw"] == "领先大市-A维持"
    assert main(["digest", "--no-llm", "--home", str(home)]) == 0
    assert "Most recommended" in capsys.readouterr().out
    assert main(["reextract", "--home", str(home)]) == 0


def test_look_up_of_one_reports_field_is_answered_from_the_facts(library):
    generator = ScriptedGenerator("should not be asked")
    answer = ask(library, generator, "开元证券给贵州茅台的目标价是多少？")
    assert generator.seen_messages == []
    assert "1880" in answer.answer.replace(",", "") and not answer.refused
    assert answer.citations and answer.citations[0].file.startswith("kaiyuan")
    english = ask(library, generator, "What rating does Xinhe give CATL?")
    assert english.answer.startswith("The rating is 买入") and english.citations
    # Why- and definition questions still go to the model.
    for question in ("信和证券为什么上调宁德时代评级？", "明诚证券行业“增持”评级的标准是什么？"):
        model = ScriptedGenerator("NOT_FOUND")
        assert ask(library, model, question).refused and model.seen_messages


def test_a_question_about_two_brokers_is_not_answered_from_one_reports_fields(library):
    model = ScriptedGenerator("NOT_FOUND")
    ask(library, model, "开元证券和中国银河证券分别给贵州茅台的目标价是多少？")
    assert model.seen_messages  # the fields of one report cannot answer for the other broker
