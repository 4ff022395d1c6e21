"""Forecast tables as data: the layouts of real broker notes, reproduced in generated PDFs
and page text (the real PDFs are copyrighted and stay out of the repository)."""

from __future__ import annotations

import pytest
from pdf_factory import make_text_pdf
from scripted_generator import ScriptedGenerator

from report_rag.answer.fact_answers import fact_answer
from report_rag.answer.qa import ask
from report_rag.answer.summarize import summarize_report, summary_markdown
from report_rag.extract import extract_facts, headline_table
from report_rag.parse import PypdfParser, clean_pages
from report_rag.pipeline.ingest import ingest_paths
from report_rag.retrieval import forecast_request
from report_rag.store.facts_tables import load_facts
from report_rag.store.library import Library
from report_rag.types import Page, ReportFacts

# 东吴证券's page-1 box: a template tag before the header, negatives in parentheses.
SUMMARY_BOX = """宁德时代（300750.SZ）
公司点评
投资评级：买入（维持）
[Table_EPS] 盈利预测与估值 2024A 2025A 2026E 2027E 2028E
营业总收入（百万元） 362,013 423,702 640,333 774,153 864,553
同比（%） (9.70) 17.04 51.13 20.90 11.68
归母净利润（百万元） 50,745 72,201 94,035 116,766 142,839
前EPS预测值（元） 19.82 24.11
EPS-最新摊薄（元/股） 11.12 15.82 20.60 25.58 31.30
P/E（现价&最新摊薄） 37.14 26.11 20.04 16.14 13.20

股价走势
2025/3/21 2025/7/20 2025/11/18 2026/3/19
-17% -9% -1% 7%"""

# The appendix: balance sheet and income statement side by side on one text line each, a
# "单位" line above the header, and a label wrapped above its values.
APPENDIX = """资产负债表 单位:百万元 利润表 单位:百万元
会计年度 2024A 2025E 2026E 2027E 会计年度 2024A 2025E 2026E 2027E
流动资产 11050 10861 11841 12910 营业收入 5805 6589 7535 8681
现金 5789 5188 5646 6322 营业成本 3346 3802 4283 4816
重要财务指标 2023A 2024A 2025E 2026E 2027E
营业总收入(百万元) 40,341 39,241 45,124 51,433 57,808
归属母公司净利润
(百万元)
9,607 9,450 14,907 14,093 16,275
ROE% 17.4% 16.1% 20.1% 16.8% 17.0% 筹资活动 现金流"""

# A US broker's quarterly block: quarter rows name the metric, the "FY" row is the year's;
# values carry A/E marks and currency signs; a consensus row is not the broker's forecast.
QUARTERLY = """FY DEC 2025E 2026E 2027E
Revenue ($M) 1Q $3,032.0A $4,189.6 --
2Q $3,284.0A $4,362.5 --
4Q $3,975.1 $4,726.2 --
FY $13,737.1 $17,817.8 $20,956.2
Previous FY $13,700.0 $17,500.0 $20,100.0
Consensus $13,800.0 $17,900.0 $21,000.0
EPS 1Q $0.44A $0.61 --
FY $2.37 $3.61 $5.02"""


def _facts(*pages: str) -> ReportFacts:
    return extract_facts([Page(i + 1, text) for i, text in enumerate(pages)])


def _cells(facts: ReportFacts, metric: str) -> dict[str, float]:
    row = next(row for row in _rows(facts) if row[0].metric == metric)
    return {cell.period: cell.value for cell in row}


def _rows(facts: ReportFacts):
    from report_rag.extract import forecast_rows

    return forecast_rows(facts.forecasts)


def test_summary_box_rows_keep_their_years_units_and_evidence() -> None:
    facts = _facts(SUMMARY_BOX)
    assert _cells(facts, "eps") == {"2024A": 11.12, "2025A": 15.82, "2026E": 20.6, "2027E": 25.58, "2028E": 31.3}
    assert _cells(facts, "revenue_growth")["2024A"] == -9.7  # (9.70) is negative
    profit = [c for c in facts.forecasts if c.metric == "net_profit" and c.year == 2026]
    assert len(profit) == 1 and profit[0].value == 94035 and profit[0].estimate and profit[0].unit == "百万元"
    assert profit[0].evidence.quote.startswith("归母净利润（百万元） 50,745")
    assert profit[0].columns.startswith("[Table_EPS] 盈利预测与估值 2024A")
    # Two values under five columns cannot be placed without geometry: left out, not shifted.
    assert not [c for c in facts.forecasts if "前EPS" in c.label]
    # The price chart's date axis and percentage ticks are not a table.
    assert {c.evidence.page for c in facts.forecasts} == {1}
    assert all(c.period.endswith(("A", "E")) for c in facts.forecasts)


def test_side_by_side_statements_and_wrapped_labels() -> None:
    facts = _facts(APPENDIX)
    labels = {row[0].label for row in _rows(facts)}
    assert {"流动资产", "营业收入", "现金", "营业成本"} <= labels
    revenue = {c.period: c.value for c in facts.forecasts if c.label == "营业收入"}
    assert revenue == {"2024A": 5805, "2025E": 6589, "2026E": 7535, "2027E": 8681}
    assert {c.unit for c in facts.forecasts if c.label == "营业收入"} == {"百万元"}  # from the 单位 line
    wrapped = [c for c in facts.forecasts if c.label == "归属母公司净利润(百万元)"]
    assert [c.value for c in wrapped] == [9607, 9450, 14907, 14093, 16275]
    # A line where a row runs into the next table's words is not read as a row.
    assert not any("筹资" in c.label or c.metric == "roe" for c in facts.forecasts)


def test_quarterly_block_gives_the_fiscal_year_rows() -> None:
    facts = _facts(QUARTERLY)
    revenue = [c for c in facts.forecasts if c.metric == "revenue"]
    assert [(c.period, c.value) for c in revenue] == [("2025E", 13737.1), ("2026E", 17817.8), ("2027E", 20956.2)]
    assert revenue[0].label == "Revenue ($M)" and revenue[0].unit == "$M"
    assert [c.value for c in facts.forecasts if c.metric == "revenue_previous"] == [13700.0, 17500.0, 20100.0]
    assert [c.value for c in facts.forecasts if c.metric == "eps"] == [2.37, 3.61, 5.02]
    assert not any(c.value == 13800.0 for c in facts.forecasts)  # consensus, not the broker's


def test_fiscal_years_named_by_their_year_end_month() -> None:
    facts = _facts("Highlights (US$m) 01/25 01/26E 01/27E\nEPS (UBS, diluted) (US$) 3.00 4.48 6.05\nP/CEPS 40.1 30.2 22.3")
    eps = [c for c in facts.forecasts if c.metric == "eps"]
    assert [(c.year, c.estimate) for c in eps] == [(2025, False), (2026, True), (2027, True)]
    assert {c.metric for c in facts.forecasts if c.label == "P/CEPS"} == {"price_to_cash_flow"}


def test_forecast_questions_are_read_for_metric_and_year() -> None:
    request = forecast_request("东吴证券预测宁德时代2026年EPS是多少？")
    assert request is not None and request.metrics == ("eps",) and request.years == (2026,)
    assert forecast_request("2025-2027年归母净利润分别为多少").years == (2025, 2026, 2027)
    assert forecast_request("What is the FY27E revenue growth?").metrics == ("revenue_growth",)
    assert forecast_request("公司2025Q3净利润是多少") is None  # a quarter: not in the annual table
    assert forecast_request("目标价是多少？") is None
    # A segment's or a region's figure is not the table's total (real Q&A: "储能系统收入"
    # had been answered with the company's revenue row).
    assert forecast_request("国金证券披露阳光电源2025年储能系统收入和全球发货量分别是多少？") is None
    assert forecast_request("公司2026年海外收入预计是多少") is None
    assert forecast_request("What data center revenue does the bank expect for FY26?") is None
    assert forecast_request("阳光电源2026年营业收入预计是多少") is not None


def test_forecast_look_up_answers_from_the_table_only_when_it_covers_the_question() -> None:
    facts = _facts(SUMMARY_BOX)
    answer = fact_answer("东吴证券预测宁德时代2026年EPS是多少？", facts, "zh")
    assert answer == "EPS-最新摊薄（元/股）：2026E 20.6[1]。"
    both = fact_answer("宁德时代的评级和2027年归母净利润？", facts, "zh")
    assert both is not None and "买入" in both and "116,766" in both
    assert fact_answer("2029年EPS是多少？", facts, "zh") is None  # a year the table lacks
    assert fact_answer("2026年EPS预测的依据是什么？", facts, "zh") is None  # asks beyond the table
    assert fact_answer("2026年ROE是多少？", facts, "zh") is None  # a metric the table lacks


def test_picks_are_named_with_their_codes_where_printed() -> None:
    from report_rag.types import Evidence, StockPick

    facts = ReportFacts(picks=[
        StockPick("Microsoft", "MSFT US", "OUTPERFORM", Evidence(1, "Microsoft (MSFT) OUTPERFORM")),
        StockPick("Snowflake", None, None, Evidence(1, "Snowflake")),
    ])
    assert fact_answer("Which names does Wedbush recommend owning?", facts, "en") == (
        "Recommended stocks: Microsoft (MSFT US), Snowflake [1]."
    )
    assert fact_answer("推荐关注哪些标的？", facts, "zh") == "推荐关注：Microsoft（MSFT US）、Snowflake[1]。"


@pytest.fixture
def forecast_library(settings, tmp_path):
    pages = [SUMMARY_BOX + "\n\n东吴证券研究所 证券分析师 曾朵红 执业证书编号：S0600516080001", APPENDIX]
    make_text_pdf(tmp_path / "catl_note.pdf", pages, title="宁德时代：技术迭代引领行业")
    with Library(settings) as library:
        summary = ingest_paths(library, [str(tmp_path / "catl_note.pdf")])
        assert not summary.failed
        yield library


def test_forecasts_are_stored_summarised_and_cited_in_answers(forecast_library) -> None:
    report = forecast_library.reports()[0]
    stored = load_facts(forecast_library.store, report.id)
    assert stored is not None and stored.forecasts
    first_table = headline_table(stored.forecasts)
    assert [row[0].metric for row in first_table][:2] == ["revenue", "revenue_growth"]

    summary = summarize_report(forecast_library, None, report.file_name)
    eps = next(row for row in summary["forecasts"] if row["metric"] == "eps")
    assert eps["values"]["2026E"] == 20.6 and eps["evidence"]["page"] == 1
    assert "| EPS-最新摊薄（元/股） | 11.12 | 15.82 | 20.6 | 25.58 | 31.3 | 1 |" in summary_markdown(summary)

    generator = ScriptedGenerator("should not be asked")
    answer = ask(forecast_library, generator, "宁德时代2026年EPS预测是多少？")
    assert generator.seen_messages == [] and not answer.refused
    assert "20.6" in answer.answer
    citation = answer.citations[0]
    assert citation.page == 1 and "EPS-最新摊薄" in citation.quote
    page_text = {p.number: p.text for p in forecast_library.store.pages(citation.report_id)}[1]
    assert page_text[citation.start : citation.end] == citation.quote


def test_a_question_the_table_cannot_answer_gives_the_model_the_rows_with_their_header(forecast_library) -> None:
    generator = ScriptedGenerator("NOT_FOUND")
    ask(forecast_library, generator, "宁德时代2026年EPS预测的依据是什么？")
    prompt = "\n".join(message.content for message in generator.seen_messages)
    header = prompt.index("[Table_EPS] 盈利预测与估值 2024A 2025A 2026E")
    assert prompt.index("EPS-最新摊薄（元/股） 11.12") > header


def test_parsed_pdf_table_reads_the_same_as_the_page_text(tmp_path) -> None:
    path = make_text_pdf(tmp_path / "box.pdf", [SUMMARY_BOX])
    pages = clean_pages(PypdfParser(max_pages=50).parse(path).raw_pages)
    assert _cells(extract_facts(pages), "eps")["2026E"] == 20.6


def test_metric_names_from_real_row_labels() -> None:
    from report_rag.extract import metric_of

    assert metric_of("EBITDA y/y Growth", "revenue") == "ebitda_growth"  # its own metric, not the row above's
    assert metric_of("同比（%）", "net_profit") == "net_profit_growth"
    assert metric_of("EV/Revenue") == "ev_sales" and metric_of("EBITDA Margin (%)") == "margin"
    assert metric_of("营业外收入") is None and metric_of("PER(x)") == "pe" and metric_of("Revenue per user") == "revenue"


def test_a_row_of_years_is_a_repeated_header_not_values() -> None:
    page = "装机容量（GW） 2025E 2026E\n贝克休斯 2025 2028\n西门子能源 1.3 3.6\n市盈率（倍） 20.1 16.5"
    facts = _facts(page)
    assert [row[0].label for row in _rows(facts)] == ["西门子能源", "市盈率（倍）"]
    assert {c.unit for c in facts.forecasts if c.metric == "pe"} == {"倍"}


# 爱建证券 / 东吴证券 industry notes: metric names above, periods repeated once per metric, and
# rows the text layer runs together ("… 买入300433.SZ 蓝思科技 …").
COVERED = """电子行业春季策略
表3：重点公司盈利预测
代码 名称 市值（亿元）
EPS（元） PE
评级
2024A 2025E 2026E 2024A 2025E 2026E
301308.SZ 江波龙 1341.39 1.19 2.81 5.05 219.30 93.58 52.06 买入300433.SZ 蓝思科技 1485.36 0.73 1.09 1.35 40.78 27.25 22.04 买入
688234.SH 天岳先进 359.14 0.42 NA
资料来源：Wind"""


def test_covered_companies_table_gives_each_stocks_figures_by_metric_and_year() -> None:
    facts = _facts(COVERED)
    jiangbolong = {(c.metric, c.period): c.value for c in facts.forecasts if c.security == "江波龙"}
    assert jiangbolong[("eps", "2026E")] == 5.05 and jiangbolong[("pe", "2026E")] == 52.06
    assert jiangbolong[("eps", "2024A")] == 1.19 and len(jiangbolong) == 6  # the market cap is no column of theirs
    lens = [c for c in facts.forecasts if c.security == "蓝思科技"]
    assert {c.security_code for c in lens} == {"300433.SZ"} and lens[0].evidence.quote.startswith("300433.SZ 蓝思科技")
    assert not [c for c in facts.forecasts if c.security == "天岳先进"]  # too few figures to align
    # The look-up answers for the one stock the question names.
    answer = fact_answer("江波龙2026E EPS和PE分别是多少？", facts, "zh")
    assert answer == "江波龙 EPS（元）：2026E 5.05；江波龙 PE：2026E 52.06[1]。"
    assert fact_answer("2026E EPS是多少？", facts, "zh") is None  # which stock? not the note's own


def test_covered_forecasts_survive_the_store(tmp_path) -> None:
    from report_rag.store.facts_tables import save_facts
    from report_rag.store.migrations import migrate
    from report_rag.store.sql import Store

    store = Store(f"sqlite:///{tmp_path / 'lib.sqlite3'}")
    migrate(store)
    from report_rag.types import ReportStatus

    report_id, _ = store.add_report(file_name="covered.pdf", path="/x/covered.pdf", content_hash="c",
                                    status=ReportStatus.READY, pages=[Page(1, COVERED)], meta=None)
    facts = _facts(COVERED)
    save_facts(store, report_id, facts)
    loaded = load_facts(store, report_id)
    assert loaded is not None and loaded.forecasts == facts.forecasts
    store.close()


# A global bank's valuation comps (Citi's layout): the name opens the row, the code follows,
# then the analyst column — the analyst is never the stock.
COMPS = """China Internet 1H26 Outlook
Figure 23. Valuation comp of preferred picks
Company Name Reuters Analyst Price Price Mkt Cap Risk/ Target ETR P/E P/S
Ticker Currency HKD$'M USD$'m Rating Price % 2025E 2026E 2027E 2025E 2026E 2027E
Tencent 0700.HK Alicia Yap, CFA HKD 611.50 5,592,088 718,237 1 751.00 23.6% 19.6 17.4 15.9 6.8 6.3 5.8
Century Huatong 002602.SZ Nelson Cheung CNY 17.99 147,052 18,887 1 22.00 22.3% 24.8 16.3 15.2 3.5 2.9 2.8
Source: Citi Research"""


def test_a_row_that_opens_with_the_name_keeps_it_and_not_the_analyst_after_the_code() -> None:
    facts = _facts(COMPS)
    named = {(c.security, c.security_code) for c in facts.forecasts}
    assert named == {("Tencent", "0700.HK"), ("Century Huatong", "002602.SZ")}
    tencent = {(c.metric, c.period): c.value for c in facts.forecasts if c.security == "Tencent"}
    assert tencent[("pe", "2025E")] == 19.6 and tencent[("pe", "2027E")] == 15.9
