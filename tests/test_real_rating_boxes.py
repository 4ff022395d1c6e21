"""Ratings and targets as real notes print them outside a labelled box, each layout
reproduced in a generated PDF and read through parse -> clean -> meta -> extract:

* 东吴证券's industry weeklies: the "增持（维持）" box below the 相关研究 list;
* 太平洋证券: "看好 /" with "维持" on the next line; 爱建证券: "强于大市 投资要点：";
* 中邮证券: "买入 |维持"; 交银国际: "…，维持买入：" in the summary;
* J.P. Morgan: "Overweight" alone under the headline; Loop Capital: "maintaining the previous
  Buy rating"; BofA: "PO: 235.00 USD"; Bernstein: "We rate NVDA Outperform ($185 PT) and AMD
  Market Perform ($95 PT)" — the note's own symbol, not the peer; Wedbush: an industry note's
  rated-companies table printed only among the disclosures.
"""

from __future__ import annotations

from pathlib import Path

from pdf_factory import make_text_pdf

from report_rag.extract import extract_facts
from report_rag.parse import PypdfParser, clean_pages, read_meta


def _facts(tmp_path: Path, *pages: str):
    parsed = PypdfParser(max_pages=100).parse(make_text_pdf(tmp_path / "note.pdf", list(pages)))
    cleaned = clean_pages(parsed.raw_pages)
    return extract_facts(cleaned, read_meta(cleaned, parsed.metadata_title, parsed.first_page_runs))


_ZH_BODY = "本周储能板块景气上行，锂电需求和盈利有望超预期，我们继续看好电池和隔膜环节的龙头企业。"


def _rating(facts) -> tuple:
    rating = facts.rating
    return (rating.raw, rating.normalized, rating.action) if rating is not None else None


def test_rating_box_below_a_related_reports_list(tmp_path: Path) -> None:
    page = "\n".join([
        "证券研究报告·行业跟踪周报·电力设备", "电力设备行业跟踪周报", "储能锂电景气上行，北美缺电持续", "2026 年 04 月 07 日",
        "证券分析师 曾朵红", "执业证书：S0600516080001", "行业走势", "相关研究",
        "《油价高企新能源受益，锂电需求和盈利有望超预期》", "2026-03-29", "增持（维持）", "[Table_Summary]",
        "投资要点", _ZH_BODY,
    ])
    facts = _facts(tmp_path, page)
    assert _rating(facts)[1:] == ("outperform", "maintain")
    assert facts.rating.scope == "industry"
    # the box is not an old report's title
    assert all("增持" not in r.title for r in facts.related_reports)


def test_a_term_with_its_action_on_the_next_line_or_glued_to_a_heading(tmp_path: Path) -> None:
    split = "\n".join(["行业研究 证券研究报告", "2026 年04 月02 日", "看好 /", "维持", "电力设备及新能源",
                       "新能源+AI 展望：重视储能产业链调整带来的机会", _ZH_BODY])
    assert _rating(_facts(tmp_path, split))[1:] == ("outperform", "maintain")
    glued = "\n".join(["证券研究报告", "行业研究 / 行业深度 2026 年 04 月 01 日", "电子",
                       "兼顾周期与成长——2026 年电子行业春季策略报告", "强于大市 投资要点：", _ZH_BODY])
    assert _rating(_facts(tmp_path, glued)) == ("强于大市", "outperform", None)


def test_action_after_a_bar_and_a_rating_stated_in_the_summary(tmp_path: Path) -> None:
    barred = "\n".join(["证券研究报告：医药生物 | 公司点评报告", "股票投资评级", "买入 |维持", "迈普医学（301033）",
                        "业绩稳健增长，新品放量可期", _ZH_BODY])
    assert _rating(_facts(tmp_path, barred))[1:] == ("buy", "maintain")
    summary = "\n".join(["阳光电源（300274.SZ）", "单季承压不改储能业务长期成长逻辑",
                         "• 单季承压不改储能业务长期成长逻辑，维持买入：受新能源渗透率提升以及经济性改善等驱动。", _ZH_BODY])
    assert _rating(_facts(tmp_path, summary))[1:] == ("buy", "maintain")


_EN_BODY = "We see a sufficient ramp in the supply chain for rack volumes to support the revenue implied by the guide."


def test_english_stock_ratings_outside_a_labelled_box(tmp_path: Path) -> None:
    jpm = "\n".join(["28 August 2025", "NVIDIA Corporation", "Blackwell ramp drives solid results", "Overweight",
                     "NVDA, NVDA US", "Price (27 Aug 25):$181.60", "NVIDIA reported solid results; NVIDIA guided up.", _EN_BODY])
    assert _rating(_facts(tmp_path, jpm))[:2] == ("Overweight", "outperform")
    loop = "\n".join(["Media & Internet", "January 15, 2026", "Netflix, Inc. (NFLX - $88.05)", "Transitioning Coverage",
                      "We are transitioning coverage of Netflix, maintaining the previous Buy rating.", _EN_BODY])
    assert _rating(_facts(tmp_path, loop)) == ("Buy", "buy", "maintain")
    # a sector view alone under a company's headline is no stock rating
    view = jpm.replace("\nOverweight\n", "\nPositive\n")
    assert _facts(tmp_path, view).rating is None


def test_price_objective_and_a_target_beside_the_symbols_rating(tmp_path: Path) -> None:
    bofa = "\n".join(["NVIDIA Corporation", "OpenAI investment: potential for 4x+ ROI",
                      "Reiterate Rating: BUY | PO: 235.00 USD | Price: 182.88 USD", "NVIDIA leads; NVIDIA invests.", _EN_BODY])
    facts = _facts(tmp_path, bofa)
    assert (facts.target_price.value, facts.target_price.currency) == (235.0, "USD")
    assert (facts.current_price.value, facts.current_price.currency) == (182.88, "USD")
    body = "NVIDIA announced H20 licenses. NVIDIA expects deliveries. NVDA suggested lost revenue; NVDA guided."
    bernstein = "\n".join(["15 July 2025", "NVIDIA (NVDA): Fine China?", "Stacy A. Rasgon, Ph.D.", body,
                           "We rate NVDA Outperform ($185 PT) and AMD Market Perform ($95 PT)."])
    facts = _facts(tmp_path, bernstein)
    assert _rating(facts)[:2] == ("Outperform", "outperform")
    assert (facts.target_price.value, facts.target_price.currency) == (185.0, "USD")
    # the peer rated first: still the note's own symbol's rating and target
    peer_first = bernstein.replace("We rate NVDA Outperform ($185 PT) and AMD Market Perform ($95 PT).",
                                   "We rate AMD Market Perform ($95 PT); NVDA (Outperform, $185) stays our pick.")
    facts = _facts(tmp_path, peer_first)
    assert _rating(facts)[:2] == ("Outperform", "outperform")
    assert facts.target_price.value == 185.0


def test_an_industry_notes_rated_table_printed_only_among_the_disclosures(tmp_path: Path) -> None:
    from report_rag.extract.evidence import read_document

    body = "\n".join(["Industry Note", "February 4, 2026", "Software sell-off: the AI armageddon is overdone",
                      "These are the top names to own in this software sell-off: MSFT, PLTR, CRWD.", _EN_BODY])
    disclosures = "\n".join([
        "Analyst Certification",
        "The analysts certify that the views expressed in this report accurately reflect their personal views "
        "about the subject securities and issuers, and that no part of their compensation was related to the "
        "specific recommendations or views contained in this report.",
        "Mentioned Companies", "Company Rating Price Target",
        "Microsoft OUTPERFORM $411.21 $575.00", "Palantir Technologies Inc. OUTPERFORM $157.88 $230.00",
        "Crowdstrike Holdings, Inc. OUTPERFORM $421.73 $600.00",
        "Investment Rating System:",
        "OUTPERFORM: Expect the total return of the stock to outperform relative to the median total return of "
        "the analyst's coverage universe over the next 6-12 months.",
    ])
    parsed = PypdfParser(max_pages=100).parse(make_text_pdf(tmp_path / "note.pdf", [body, disclosures]))
    cleaned = clean_pages(parsed.raw_pages)
    rows = [line for line in read_document(cleaned).lines if "OUTPERFORM $" in line.folded]
    assert rows and all(line.boilerplate for line in rows)  # the table sits in the disclosures
    facts = extract_facts(cleaned, read_meta(cleaned, parsed.metadata_title, parsed.first_page_runs))
    assert {(p.name, p.rating) for p in facts.picks} == {
        ("Microsoft", "OUTPERFORM"), ("Palantir Technologies Inc.", "OUTPERFORM"), ("Crowdstrike Holdings, Inc.", "OUTPERFORM"),
    }
    assert all(p.evidence.page == 2 for p in facts.picks)


def test_a_rated_table_whose_header_gives_the_currency(tmp_path: Path) -> None:
    # Korea Investment & Securities: "Company Rating TP (KRW)" over "SAMSUNG SDS BUY 230,000".
    page = "\n".join(["Internet", "A holistic view of Korean internet", "Overweight", "(Maintain)",
                      "Company Rating TP (KRW)", "NAVER BUY 300,000", "Kakao BUY 75,000", "SAMSUNG SDS BUY 230,000",
                      "Valuation", _EN_BODY])
    facts = _facts(tmp_path, page)
    assert {(p.name, p.code, p.rating) for p in facts.picks} == {
        ("NAVER", None, "BUY"), ("Kakao", None, "BUY"), ("SAMSUNG SDS", None, "BUY"),
    }
    # without the currency in the header, bare numbers after a rating are no price column
    plain = page.replace("Company Rating TP (KRW)", "Company Rating TP")
    assert _facts(tmp_path, plain).picks == []
