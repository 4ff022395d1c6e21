"""Industry notes' stock lists as real notes print them, reproduced in generated PDFs and read
through parse -> clean -> meta -> extract: a described group before its examples (华金证券:
"建议关注智驾能力领先和强产品周期的主机厂，如小鹏汽车、…等"), and a covered-companies table
whose consensus rows are starred and marked 未评级 (爱建证券) or whose consensus figures are
starred (中国银河证券)."""

from __future__ import annotations

from pathlib import Path

from pdf_factory import make_text_pdf

from report_rag.extract import extract_facts
from report_rag.parse import PypdfParser, clean_pages, read_meta


def _picks(tmp_path: Path, *lines: str) -> set[tuple]:
    return _picks_of_pages(tmp_path, ["\n".join(lines)])


def _picks_of_pages(tmp_path: Path, pages: list[str]) -> set[tuple]:
    parsed = PypdfParser(max_pages=10).parse(make_text_pdf(tmp_path / "note.pdf", pages))
    cleaned = clean_pages(parsed.raw_pages)
    facts = extract_facts(cleaned, read_meta(cleaned, parsed.metadata_title, parsed.first_page_runs))
    return {(p.name, p.code, p.rating) for p in facts.picks}


def test_a_described_group_before_its_examples(tmp_path: Path) -> None:
    picks = _picks(
        tmp_path, "汽车行业深度报告", "高阶智驾迎来拐点",
        "投资建议：智驾政策加速完善，我们认为高阶智驾发展迎来拐点。建议关注智驾能力领先和强产品周期的主机厂，"
        "如小鹏汽车、小米集团、赛力斯、理想汽车等；",
    )
    assert {name for name, _, _ in picks} == {"小鹏汽车", "小米集团", "赛力斯", "理想汽车"}
    # the description itself is no stock
    assert not any("主机厂" in name for name, _, _ in picks)


def test_starred_unrated_rows_of_a_covered_companies_table(tmp_path: Path) -> None:
    picks = _picks(
        tmp_path, "电子行业春季策略报告", "重点公司盈利预测与评级",
        "代码 名称 总市值 EPS 2025E 2026E 2027E PE 2025E 2026E 2027E 评级",
        "300433.SZ 蓝思科技 1485.36 0.73 1.09 1.35 40.78 27.25 22.04 买入",
        "688234.SH 天岳先进* 359.14 0.42 - 0.29 122.89 - 273.77 未评级",
        "0981.HK 中芯国际* 4733.82 0.45 0.60 1.96 66.27 107.20 52.81 未评级",
        "001979.SZ 招商蛇口 0.45 0.11* 0.14 0.19 18.69 76.45 60.07 44.26 推荐",
        "数据来源：公司公告，聚源数据，*为市场一致预期",
    )
    assert picks == {("蓝思科技", "300433.SZ", "买入"), ("天岳先进", "688234.SH", "未评级"), ("中芯国际", "0981.HK", "未评级"),
                     ("招商蛇口", "001979.SZ", "推荐")}  # its starred figure is a consensus one


def test_an_english_pick_takes_the_rating_printed_beside_its_name_elsewhere(tmp_path: Path) -> None:
    # Deutsche Bank: "Our top picks are Siemens Energy, Schneider …" on page 1, "Legrand (BUY, TP €145)"
    # in the contents.
    picks = _picks(
        tmp_path, "Capital goods: AI energy demand",
        "Our top picks are Schneider, Legrand and Prysmian.",
        "Contents", "Legrand (BUY, TP €145) .......... 36", "Schneider (BUY, TP €250) .......... 37",
    )
    # no rating printed beside Prysmian: none is given
    assert picks == {("Schneider", None, "BUY"), ("Legrand", None, "BUY"), ("Prysmian", None, None)}


def test_an_english_outlook_names_its_favourites_in_prose(tmp_path: Path) -> None:
    # BMO's software outlook, William Blair's AI software note and Citi's internet outlook:
    # "Our top … idea is X", "ideas also include A, B, and C", "X is / remains our top pick".
    picks = _picks(
        tmp_path, "Software 2026 Outlook: Waiting for Clarity", "December 15, 2025",
        "Entering the year we prefer vertical software generally. Our top large cap idea is Intuit ahead of",
        "what we anticipate will be a second consecutive solid tax season. Our Tier 1 outperform ideas also",
        "include Procore, ServiceTitan, and Samsara.",
        "Our top idea in the HCM group is Paylocity and in the other group is another name.",
        "JFrog is our top pick in the dev tools market, we believe.",
        "J&T Express remains our Top Pick in the logistics sector; J&T remains our Top Pick on volumes.",
        "Our global top picks are BUY-rated Siemens Energy, Schneider and Legrand.",
        "We think the market is too focused on seat-based pricing.",
        "Our top ideas for 1H26 are Software and China, and our top pick is AI infrastructure.",  # no stocks
    )
    assert {name for name, _, _ in picks} == {
        "Intuit", "Procore", "ServiceTitan", "Samsara", "Paylocity", "JFrog", "J&T Express",
        "Siemens Energy", "Schneider", "Legrand",
    }


def test_a_company_note_s_top_pick_line_is_not_a_pick_list(tmp_path: Path) -> None:
    picks = _picks(
        tmp_path, "NVIDIA Corp. (NVDA.O, NVDA US)", "Stock Rating Overweight  Price target $170",
        "Stay OW, NVDA remains our Top Pick in semis as enthusiasm for large language models grows.",
    )
    assert picks == set()


def test_a_prose_pick_takes_its_code_and_rating_from_brackets_beside_its_name(tmp_path: Path) -> None:
    pages = [
        "\n".join(["China Internet 1H26 Outlook", "December 1, 2025",
                   "Our top picks are Paylocity, J&T Express, Siemens Energy, Kakao, Procore and JFrog."]),
        "\n".join([
            "Paylocity (PCTY): Best Name in a Somber HCM Market",
            "Procore (PCOR): Greater Optimism",
            "Procore PCOR Outperform 1 $72.35 $87 20% $103 $55",
            "JFrog, Ltd. (Outperform) $58.87",
            "J&T Express (1519.HK; Buy; TP HK$12): cross-border exposure.",
            "Siemens Energy (BUY, TP EUR110) and its AI exposure.",
            "Kakao (035720) is cheap on our numbers.",
        ]),
    ]
    picks = _picks_of_pages(tmp_path, pages)
    assert picks == {
        ("Paylocity", "PCTY", None),
        ("J&T Express", "1519.HK", "Buy"),
        ("Siemens Energy", None, "BUY"),  # a rating is not a symbol
        ("Kakao", None, None),  # bare digits could be any market's code
        ("Procore", "PCOR", "Outperform"),  # the rating from its coverage-table row
        ("JFrog", None, "Outperform"),
    }
