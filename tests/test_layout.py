"""Page-1 headline by type size, on generated PDFs that reproduce real templates: a sidebar
and price box drawn before the headline, a company header in larger type, a series banner at
the headline's size, a headline wrapped over two lines, a headline missing from the text layer."""

from __future__ import annotations

from pathlib import Path

from pdf_factory import make_styled_pdf

from report_rag.parse import PypdfParser, clean_pages, read_meta
from report_rag.parse.layout import TextRun, has_display_type, headline, runs_from_fragments

SIDEBAR = [
    (420, 780, 9, "证券分析师 张三"),
    (420, 766, 9, "执业证书：S0600516080001"),
    (420, 752, 9, "当前价格(元)：413.00 所属行业：电池"),
    (420, 738, 9, "公司主要财务信息"),
]
BODY = [(50, 600 - 14 * i, 9, "投资要点：公司发布一季报，营业收入同比增长，利润率改善，储能出货高增。") for i in range(12)]


def _meta(tmp_path: Path, items: list[tuple[float, float, float, str]]):
    pdf = make_styled_pdf(tmp_path / "r.pdf", [items])
    parsed = PypdfParser(max_pages=10).parse(pdf)
    return read_meta(clean_pages(parsed.raw_pages), parsed.metadata_title, parsed.first_page_runs)


def test_two_line_headline_under_a_company_header_and_beside_a_sidebar(tmp_path: Path) -> None:
    items = [
        *SIDEBAR,
        (50, 800, 14, "证券研究报告·公司点评报告·电池"),
        (50, 770, 20, "宁德时代（300750）"),
        (50, 740, 18, "2026年一季报点评：龙头份额再提升，业绩"),
        (50, 718, 18, "持续超预期"),
        (50, 690, 16, "买入（维持）"),
        *BODY,
    ]
    assert _meta(tmp_path, items).title == "2026年一季报点评：龙头份额再提升，业绩持续超预期"


def test_series_banner_at_the_headline_size_is_not_part_of_it(tmp_path: Path) -> None:
    items = [
        *SIDEBAR,
        (50, 770, 18, "电力设备行业跟踪周报"),
        (50, 745, 18, "油价高锂电需求向好，北美缺电持续高景气"),
        *BODY,
    ]
    assert _meta(tmp_path, items).title == "油价高锂电需求向好，北美缺电持续高景气"


def test_english_note_company_header_then_smaller_headline(tmp_path: Path) -> None:
    body = [(50, 600 - 12 * i, 9, "We initiate coverage with a Market Outperform rating and a price target.") for i in range(15)]
    items = [
        (50, 790, 15, "Spotify Technology S.A. (SPOT)"),
        (50, 770, 10, "Internet | Initiating Coverage"),
        (50, 750, 9.5, "Initiating Coverage at MO; Leading Audio Platform Positioned to Compound FCF"),
        *body,
    ]
    assert _meta(tmp_path, items).title == "Initiating Coverage at MO; Leading Audio Platform Positioned to Compound FCF"


def test_a_colon_headline_takes_its_subtitle(tmp_path: Path) -> None:
    body = [(50, 600 - 12 * i, 10, "Please refer to important disclosures on pages 42 and 43.") for i in range(15)]
    items = [(50, 780, 28, "Cracking the Code:"), (50, 745, 24, "How AI Is Transforming Software Development"), *body]
    assert _meta(tmp_path, items).title == "Cracking the Code: How AI Is Transforming Software Development"


def test_no_headline_in_the_text_layer_leaves_the_title_empty(tmp_path: Path) -> None:
    # Display type exists (section headings) but no run reads as a title: a caption from the
    # text would be wrong, so the title stays empty.
    items = [(50, 780, 12, "盈利预测、估值与评级"), (50, 760, 12, "风险提示"), (420, 780, 7.5, "公司基本情况（人民币）"), *BODY]
    assert _meta(tmp_path, items).title is None


def test_runs_split_at_size_and_line_changes() -> None:
    runs = runs_from_fragments([("龙头份额", 18.0, 700.0), ("再提升", 18.0, 700.0), ("买入", 16.0, 700.0), ("持续超预期", 18.0, 678.0)])
    assert [(r.text, r.size) for r in runs] == [("龙头份额再提升", 18.0), ("买入", 16.0), ("持续超预期", 18.0)]


def test_one_size_page_has_no_display_type() -> None:
    runs = [TextRun("正文第一行", 10.0, 700.0), TextRun("正文第二行", 10.0, 686.0)]
    assert not has_display_type(runs) and headline(runs) is None


def test_a_sidebar_line_between_the_two_lines_of_a_headline_does_not_cut_it() -> None:
    # 中航证券's page 1: the report date in the sidebar sits between the headline's two lines
    # (it is read in that order when the page's lines are pictures read top to bottom).
    runs = [
        TextRun("2024年报点评：在手订单大幅增加，2025", 17.0, 662.0),
        TextRun("2025年03月18日", 11.0, 650.0),
        TextRun("年持续经营业务收入有望双位数增长", 17.0, 630.0),
        *[TextRun("公司实现营业收入392.41亿元，同比减少2.73%，归母净利润94.50亿元。", 11.0, 598.0 - 20 * i) for i in range(8)],
    ]
    assert headline(runs) == "2024年报点评：在手订单大幅增加，2025年持续经营业务收入有望双位数增长"
