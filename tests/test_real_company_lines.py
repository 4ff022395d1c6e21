"""Where real notes print the covered company when page 1's header has no "Name (CODE)" line,
each layout reproduced in a generated PDF and run through parse -> clean -> meta -> extract:

* a running header "Company (SYM)" on every page, page 1's copy being the masthead's line
  (Citizens JMP);
* the masthead name alone, the codes in a labelled box ("RIC: NVDA.O BBG: NVDA US", UBS/BofA);
* a sidebar rating the symbol alone ("NVDA OVERWEIGHT"), the name with the symbol only on a
  later financial-summary page (Barclays);
* only the price chart's legend, "成交金额 华润三九 沪深300" (国金证券's company notes).
"""

from __future__ import annotations

from pathlib import Path

from pdf_factory import make_text_pdf

from report_rag.extract import extract_facts
from report_rag.parse import PypdfParser, clean_pages, read_meta


def _facts(tmp_path: Path, pages: list[str]):
    parsed = PypdfParser(max_pages=100).parse(make_text_pdf(tmp_path / "note.pdf", pages))
    cleaned = clean_pages(parsed.raw_pages)
    facts = extract_facts(cleaned, read_meta(cleaned, parsed.metadata_title, parsed.first_page_runs))
    return cleaned, facts


_BODY = [
    "We expect the platform to keep compounding free cash flow over the next three years, and we",
    "see pricing power the market does not yet credit. Margins expand as the marketplace grows.",
    "Our estimates sit above consensus for revenue and EBITDA in each year of the forecast.",
    "Valuation: the shares trade at a discount to peers on our 2027 EBITDA estimate.",
]


def test_page_ones_copy_of_a_running_company_header_names_the_company(tmp_path: Path) -> None:
    head = "Spotify Technology S.A. (SPOT)"
    first = "\n".join(["Internet | Initiating Coverage", "December 17, 2025", head,
                       "Initiating Coverage at MO; the leading audio platform", "MARKET OUTPERFORM",
                       "Price: $579.07", "Price Target: $800.00", *_BODY])
    later = ["\n".join([*_BODY, *_BODY, head, f"December 17, 2025 {n}"]) for n in range(2, 6)]
    pages, facts = _facts(tmp_path, [first, *later])
    assert facts.company is not None and facts.company.value == "Spotify Technology S.A."
    assert facts.ticker is not None and facts.ticker.value == "SPOT"
    assert facts.company.evidence.page == 1 and head in pages[0].text
    # the later pages' copies are still page furniture
    assert all(head not in page.text for page in pages[1:])


def test_labelled_codes_give_the_masthead_company_its_ticker(tmp_path: Path) -> None:
    page = "\n".join([
        "8 July 2025", "Global Research", "NVIDIA Corp", "Taiwan export data above seasonal",
        "NVIDIA Corp keeps its lead; NVIDIA Corp data center demand holds.",
        "12-month rating Buy", "12m price target US$175.00", "RIC: NVDA.O BBG: NVDA US", *_BODY,
    ])
    _, facts = _facts(tmp_path, [page])
    assert facts.company is not None and facts.company.value == "NVIDIA Corp"
    # Bloomberg's exchange-qualified form before Reuters'
    assert facts.ticker is not None and facts.ticker.value == "NVDA US"
    assert facts.ticker.evidence.quote == "NVDA US"


def test_a_symbol_rated_in_the_sidebar_takes_its_name_from_a_later_page(tmp_path: Path) -> None:
    first = "\n".join([
        "U.S. Semiconductors", "Supply chain checks: raising NVDA PT to $200", *_BODY,
        "Equity Research", "17 June 2025", "NVDA OVERWEIGHT", "Unchanged", "Price Target USD 200.00",
    ])
    summary = "\n".join(["NVIDIA Corp. (NVDA)", "Income statement ($mn) 2025A 2026E 2027E", *_BODY])
    _, facts = _facts(tmp_path, [first, "\n".join(_BODY), summary])
    assert facts.company is not None and facts.company.value == "NVIDIA Corp."
    assert facts.company.evidence.page == 3
    assert facts.ticker is not None and facts.ticker.value == "NVDA" and facts.ticker.evidence.page == 1
    # a symbol named nowhere with a corporate name stays unresolved
    _, alone = _facts(tmp_path, [first, "\n".join(_BODY)])
    assert alone.company is None and alone.ticker is None
    # two symbols rated on page 1: an industry list, no company
    two = first.replace("NVDA OVERWEIGHT", "NVDA OVERWEIGHT\nAMD EQUAL WEIGHT")
    _, industry = _facts(tmp_path, [two, "\n".join(_BODY), summary])
    assert industry.company is None


_ZH_BODY = [
    "业绩简评",
    "2025 年 10 月 24 日，公司发布 2025 年第三季度报告，前三季度实现收入 219.9 亿元，同比增长 11.38%。",
    "经营分析",
    "流感高发季到来，全品类链条布局，CHC 业务有望持续向好。",
    "盈利预测、估值与评级",
    "预计公司 25-27 年归母净利润分别为 32.35/36.97/42.01 亿元，维持“买入”评级。",
]


def test_a_company_named_only_in_the_price_charts_legend(tmp_path: Path) -> None:
    chart = ["人民币(元) 成交金额(百万元)", "成交金额 华润三九 沪深300"]
    _, facts = _facts(tmp_path, ["\n".join([*_ZH_BODY, *chart])])
    assert facts.company is not None and facts.company.value == "华润三九"
    assert facts.company.evidence.quote == "华润三九"
    assert facts.ticker is None  # no code is printed in the text: none is guessed


def test_an_industry_legend_or_two_stocks_name_no_company(tmp_path: Path) -> None:
    sector = ["行业周报", *_ZH_BODY[1:], "SW房地产 沪深300"]
    assert _facts(tmp_path, ["\n".join(sector)])[1].company is None
    weekly = ["电子 | 行业周报", *_ZH_BODY[1:], "立讯精密 沪深300"]
    assert _facts(tmp_path, ["\n".join(weekly)])[1].company is None
    two = [*_ZH_BODY, "华润三九 沪深300", "云南白药 沪深300"]
    assert _facts(tmp_path, ["\n".join(two)])[1].company is None
