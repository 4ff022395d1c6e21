"""Cheap metadata: title, broker, date, language; None whenever the text does not say."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from gold import gold_reports
from report_fixtures import EN_NOTE, ZH_COMPANY, ZH_FLASH

from report_rag.parse.meta import detect_language, find_broker, find_date, find_title, plausible_pdf_title, read_meta
from report_rag.types import Page, ReportMeta

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_reports"


def test_realistic_chinese_industry_flash() -> None:
    meta = read_meta(ZH_FLASH, pdf_title="H3_AP202406281637801355_1")
    # 2024.6.27 / 2024.6.23 are dates of *other* reports in the 相关报告 list.
    assert meta == ReportMeta(
        title="Gemma 2 发布，降本提效延展 AI 生态", broker="华金证券", date=date(2024, 6, 28), language="zh"
    )


def test_realistic_chinese_company_note() -> None:
    meta = read_meta(ZH_COMPANY)
    assert meta.title == "星河电子（688123）：二季度业绩超预期，AI 服务器电源放量"
    assert meta.broker == "东海岸证券"  # a three-character name, not 海岸证券
    assert meta.date == date(2024, 8, 30)
    assert meta.language == "zh"


def test_realistic_english_note() -> None:
    meta = read_meta(EN_NOTE)
    assert meta.title == "Upgrade to Buy: AI server cycle has further to run"
    assert meta.broker == "Harbourview Securities"
    assert meta.date == date(2024, 6, 28)  # not the "as of 27 Jun 2024" price date
    assert meta.language == "en"


def test_nothing_to_read_gives_nothing() -> None:
    assert read_meta([]) == ReportMeta()
    assert read_meta([Page(1, ""), Page(2, "  ")]) == ReportMeta()
    numbers_only = [Page(1, "12.5 13.8 14.1\n2023A 2024E 2025E")]
    assert read_meta(numbers_only) == ReportMeta()


@pytest.mark.parametrize(
    "printed",
    ["2024年06月28日", "2024年6月28日", "2024 年 6 月 28 日", "2024-06-28", "2024.06.28", "2024/6/28",
     "28 June 2024", "June 28, 2024", "28 Jun 2024", "Jun. 28, 2024", "28th June 2024", "28-Jun-2024"],
)
def test_date_formats(printed: str) -> None:
    pages = [Page(1, f"Research Note\n\n{printed}\n\nThe company reported strong results.")]
    assert find_date(pages) == date(2024, 6, 28)


def test_date_prefers_labelled_and_top_dates_over_lists_tables_and_data_dates() -> None:
    page = (
        "相关报告\n\n《AI 应用加速落地》2024-06-20\n\n《端侧 AI 迎来催化》2024-06-11\n\n"
        "投资要点\n\n截至 2024年6月27日，板块年内下跌 12%，估值处于历史低位。\n\n"
        "报告日期：2024年6月28日"
    )
    assert find_date([Page(1, page)]) == date(2024, 6, 28)
    top = [Page(1, "2024年07月08日\n\n标题\n\n正文提到 2024年5月1日 的政策。"), Page(2, "发布日期：2023-01-01")]
    assert find_date(top) == date(2024, 7, 8)


def test_date_never_guessed_from_other_reports_or_invalid_dates() -> None:
    related_only = [Page(1, "相关报告\n\n传媒：钉钉举办重磅会议，构建开放 AI 生态-华金证券-传媒-行业快报 2024.6.27")]
    assert find_date(related_only) is None
    assert find_date([Page(1, "2024-13-45 2024年2月30日")]) is None
    assert find_date([Page(1, "Related research\n\nAI capex: still early (12 May 2024)")]) is None
    data_dates = [Page(1, "Price (27 Jun 2024): US$121.37\n\n截至 2024年6月27日，板块年内下跌 12%。")]
    assert find_date(data_dates) is None
    event_in_prose = "投资要点\n\n◆ 热点事件：2024年7月4日至6日，世界人工智能大会在上海举办，参展企业超过500家，展品数量超过1500项，首发新品超过50款。"
    assert find_date([Page(1, event_in_prose)]) is None


def test_broker_short_name_from_disclaimer_and_related_list() -> None:
    pages = [
        Page(1, "行业快报\n\n传媒：AI 生态持续拓展-华金证券-传媒-行业快报 2024.6.27"),
        Page(2, "免责声明：本报告仅供华金证券股份有限公司（以下简称“本公司”）的客户使用。\n\n华金证券研究所"),
    ]
    assert find_broker(pages) == "华金证券"
    four = [Page(1, "本报告由申万宏源证券研究所发布。\n\n申万宏源证券股份有限公司版权所有。")]
    assert find_broker(four) == "申万宏源证券"


def test_broker_is_not_a_common_noun_or_a_single_citation() -> None:
    generic = [
        Page(1, "本人具有中国证券业协会授予的证券投资咨询执业资格。经中国证券监督管理委员会核准。"
                "本公司可能持有所述证券。证券研究报告。相关证券市场波动。"),
        Page(2, "The Securities and Futures Commission regulates it. Working Capital improved. Equity Research."),
    ]
    assert find_broker(generic) is None
    cited_once = [Page(1, "据中信证券统计，上半年行业出货量同比增长 20%。")]
    assert find_broker(cited_once) is None


def test_english_broker_names() -> None:
    pages = [
        Page(1, "Northwind Capital Limited | Asia Equity Research\n\nAcme Corp (ACME US)\n\nWorking capital improved."),
        Page(2, "This report is issued by Northwind Capital Limited for information purposes only. "
                "Northwind Capital is regulated by the Securities and Futures Commission."),
    ]
    assert find_broker(pages) == "Northwind Capital"
    research = [Page(1, "Prepared by Bluefin Research Limited.\n\nBluefin Research Limited accepts no liability.")]
    assert find_broker(research) == "Bluefin Research"


def test_letterhead_brand_wins_over_legal_entity() -> None:
    pages = [
        Page(1, "Meridian Capital Research | Semiconductors | July 19, 2024\n\nTSMC (TSM US)\n\n"
                "Source: Company reports, Meridian Capital Research estimates"),
        Page(2, "Important Disclosures\n\nThis report is distributed by Meridian Capital Markets LLC. "
                "Copyright 2024 Meridian Capital Markets LLC. All rights reserved."),
    ]
    assert find_broker(pages) == "Meridian Capital Research"


def test_title_skips_sector_type_broker_date_rating_and_section_lines() -> None:
    page = (
        "证券研究报告\n\n华金证券 | 传媒 | 行业快报\n\n2024年06月28日\n\n投资评级 领先大市-A维持\n\n"
        "公司评级\n买入（维持）\n\nGemma 2 发布，降本提效延展 AI 生态\n\n投资要点\n\n"
        "◆ 热点事件：6月27日，Google 面向全球研究人员和开发人员发布 Gemma 2 大语言模型，性能大幅提升。"
    )
    assert find_title([Page(1, page)], broker="华金证券") == "Gemma 2 发布，降本提效延展 AI 生态"


def test_title_survives_glued_headings_and_rating_strips() -> None:
    glued = [Page(1, "传媒 | 行业快报\n\nWAIC 2024落幕，大模型与AI应用多点开花投资要点\n\n◆ 热点事件：大会在上海举办。")]
    assert find_title(glued) == "WAIC 2024落幕，大模型与AI应用多点开花"
    headline = "2Q24: margins expand; games pipeline supports 2H"
    strip = [Page(1, f"Tencent (0700.HK)\n\n{headline} Rating: Buy | Target price: HK$480")]
    assert find_title(strip) == headline


def test_title_ignores_related_reports_and_table_rows() -> None:
    page = (
        "相关报告\n\n《贵州茅台（600519.SH）：一季度开门红，全年目标稳步推进》2024-04-27\n\n"
        "上半年稳健增长，系列酒表现亮眼\n\n投资要点\n\n"
        "DeepSeek-V3 2024-12 MIT MoE架构，训练成本低 DeepSeek-R1 2025-01 MIT 强化学习推理"
    )
    assert find_title([Page(1, page)]) == "上半年稳健增长，系列酒表现亮眼"


def test_title_falls_back_to_a_real_pdf_title_only() -> None:
    no_headline = [Page(1, "投资要点\n\n公司二季度收入同比增长 27%，毛利率提升。")]
    assert read_meta(no_headline, pdf_title="恒瑞医药2024年报点评").title == "恒瑞医药2024年报点评"
    for junk in ("Microsoft Word - 20240628 传媒行业快报.docx", "H3_AP202406281637801355_1", "untitled", "", None, "123"):
        assert read_meta(no_headline, pdf_title=junk).title is None, junk
    assert plausible_pdf_title("  Tencent Holdings (0700.HK) - 2Q24   results review ") == (
        "Tencent Holdings (0700.HK) - 2Q24 results review"
    )
    # A template that fills "{title}：{subtitle}" from one field (国金证券's macro comment).
    assert plausible_pdf_title("渐行渐近的衰退交易：渐行渐近的衰退交易") == "渐行渐近的衰退交易"
    assert plausible_pdf_title("Rates: rates and more rates") == "Rates: rates and more rates"


def test_language_by_share_of_cjk() -> None:
    assert detect_language([Page(1, "Gemma 2 发布，降本提效延展 AI 生态。大语言模型持续迭代。")]) == "zh"
    assert detect_language([Page(1, "Tencent (腾讯) reported strong 2Q24 results, beating consensus.")]) == "en"
    assert detect_language([Page(1, "12.5 13.8")]) is None


@pytest.mark.parametrize("report", gold_reports(), ids=lambda r: r["file"])
def test_sample_pdfs_match_gold_metadata(report: dict) -> None:
    from report_rag.parse.clean import clean_pages
    from report_rag.parse.pdf import PypdfParser

    path = SAMPLES / report["file"]
    if not path.exists():
        pytest.skip(f"{path.name} not generated: run python sample_reports/make_samples.py")
    parsed = PypdfParser(max_pages=500).parse(path)
    meta = read_meta(clean_pages(parsed.raw_pages), parsed.metadata_title)
    assert meta.broker == report["broker"]
    assert meta.date == date.fromisoformat(report["date"])
    assert meta.title == report["title"]
    assert meta.language == report["language"]


def test_seed_report_text() -> None:
    """The text of a real 华金证券 行业快报 (markdown-ish extraction, no page header)."""
    seeds = sorted((ROOT.parent / "shared" / "seed").glob("*.txt"))
    if not seeds:
        pytest.skip("shared/seed is not beside this checkout")
    meta = read_meta([Page(1, seeds[0].read_text(encoding="utf-8"))])
    assert meta.title == "Gemma 2 发布，降本提效延展 AI 生态"
    assert meta.broker == "华金证券"
    assert meta.language == "zh"
    assert meta.date is None  # its only dates belong to the 相关报告 list
