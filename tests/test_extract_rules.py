"""Extraction rules on hand-made page text: vocabularies, layouts and the issue's bad inputs.

Pages are given as cleaned text (what the store holds), so each test pins one rule.
"""

from __future__ import annotations

import random

import pytest

from report_rag.extract.facts import RULES_VERSION, extract_facts
from report_rag.extract.rating_scale import grade_definition
from report_rag.extract.ratings import normalize_action, normalize_rating, read_rating_value
from report_rag.extract.securities import is_stock_name
from report_rag.text import normalize_code
from report_rag.types import Page, ReportFacts, ReportMeta


def facts_of(*pages: str, meta: ReportMeta | None = None) -> ReportFacts:
    return extract_facts([Page(i + 1, text) for i, text in enumerate(pages)], meta or ReportMeta())


def assert_verbatim(facts: ReportFacts, *pages: str) -> None:
    for path, evidence in facts.evidences():
        assert evidence.quote and evidence.quote in pages[evidence.page - 1], (path, evidence)


# --- vocabulary ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "scope", "expected"),
    [
        ("买入", "company", "buy"), ("强烈推荐", "company", "buy"), ("推荐", "company", "buy"),
        ("谨慎推荐", "company", "outperform"), ("增持", "company", "outperform"), ("优于大市", "company", "outperform"),
        ("跑赢行业", "company", "outperform"), ("中性", "company", "neutral"), ("持有", "company", "neutral"),
        ("减持", "company", "underperform"), ("卖出", "company", "sell"), ("回避", "company", "sell"),
        ("领先大市", "industry", "outperform"), ("同步大市", "industry", "neutral"), ("落后大市", "industry", "underperform"),
        ("强于大市", "industry", "outperform"), ("弱于大市", "industry", "underperform"), ("看好", "industry", "outperform"),
        ("看淡", "industry", "underperform"), ("推荐", "industry", "outperform"), ("回避", "industry", "underperform"),
        ("Buy", "company", "buy"), ("Overweight", "company", "outperform"), ("Outperform", "company", "outperform"),
        ("Accumulate", "company", "outperform"), ("Add", "company", "outperform"), ("Hold", "company", "neutral"),
        ("Neutral", "company", "neutral"), ("Equal-weight", "company", "neutral"), ("Equal Weight", "company", "neutral"),
        ("Market Perform", "company", "neutral"), ("Reduce", "company", "underperform"),
        ("Underweight", "company", "underperform"), ("Underperform", "company", "underperform"), ("SELL", "company", "sell"),
    ],
)
def test_rating_terms_normalise(term: str, scope: str, expected: str) -> None:
    assert normalize_rating(term, scope) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [("首次", "initiate"), ("首次覆盖", "initiate"), ("维持", "maintain"), ("上调", "upgrade"), ("下调", "downgrade"),
     ("Initiate", "initiate"), ("initiating", "initiate"), ("maintained", "maintain"), ("Reiterate", "maintain"),
     ("upgraded", "upgrade"), ("Downgrade", "downgrade"), ("foo", None)],
)
def test_actions_normalise(word: str, expected: str | None) -> None:
    assert normalize_action(word) == expected


@pytest.mark.parametrize(
    ("text", "term", "grade", "action", "raw_end"),
    [
        ("领先大市-A维持", "领先大市", "A", "maintain", 8),
        ("买入（维持）", "买入", None, "maintain", 6),
        ("增持 (首次覆盖)", "增持", None, "initiate", 9),
        ("Buy (on CL)", "Buy", None, None, 11),
        ("OUTPERFORM (upgraded from NEUTRAL)", "OUTPERFORM", None, "upgrade", 34),
        ("Overweight | Target price: US$225.00", "Overweight", None, None, 10),
        ("推荐关注", None, None, None, 0),  # a word that starts with a rating term is not one
    ],
)
def test_read_rating_value(text: str, term: str | None, grade: str | None, action: str | None, raw_end: int) -> None:
    from report_rag.extract.evidence import fold

    reading = read_rating_value(fold(text))
    if term is None:
        assert reading is None
        return
    assert (reading.term, reading.grade, reading.action, reading.end) == (term, grade, action, raw_end)


@pytest.mark.parametrize(
    ("text", "code"),
    [("600519.SH", "600519.SH"), ("000858.sz", "000858.SZ"), ("0700.HK", "0700.HK"), ("TSM US", "TSM US"),
     ("2330 TT", "2330 TT"), ("６００５１９．ＳＨ", None), ("in US", None), ("2024年", None)],
)
def test_codes(text: str, code: str | None) -> None:
    assert normalize_code(text) == code  # full-width is folded by the caller, not here


@pytest.mark.parametrize(
    ("name", "ok"),
    [("贵州茅台", True), ("快手-W", True), ("京东集团-SW", True), ("网易-S", True), ("TCL科技", True), ("*ST华通", True),
     ("五粮液", True), ("Tencent Holdings", True), ("DBS Group", True), ("一年行业表现", False),
     ("后续人大常委会审议的政策细节", False), ("国产设备厂商订单兑现", False), ("Source", False), ("政策变化", False)],
)
def test_stock_names(name: str, ok: bool) -> None:
    assert is_stock_name(name) is ok


# --- ratings in reports --------------------------------------------------------------------


def test_sidebar_label_above_its_value() -> None:
    facts = facts_of("某某证券 行业点评\n汽车 | 行业点评\n投资评级\n增持（维持）\n投资要点\n◆ 正文。")
    assert facts.rating is not None
    assert (facts.rating.raw, facts.rating.normalized, facts.rating.action, facts.rating.scope) == (
        "增持（维持）", "outperform", "maintain", "industry")


def test_two_ratings_company_and_industry() -> None:
    page = (
        "某某证券 公司点评\n比亚迪（002594.SZ）| 公司点评\n行业评级：强于大市（维持）\n公司评级：买入（首次）\n"
        "投资要点\n◆ 首次覆盖，给予“买入”评级。"
    )
    facts = facts_of(page)
    assert facts.rating.raw == "买入（首次）" and facts.rating.scope == "company"
    assert facts.industry_rating.raw == "强于大市（维持）" and facts.industry_rating.scope == "industry"
    assert facts.industry_rating.normalized == "outperform" and facts.industry_rating.action == "maintain"


def test_action_and_previous_rating_from_prose() -> None:
    page = (
        "宁德时代（300750.SZ）| 公司点评\n投资评级 买入\n原评级 增持\n投资要点\n"
        "■ 上调评级：给予目标价320.00元，评级由“增持”上调至“买入”。"
    )
    facts = facts_of(page)
    assert (facts.rating.raw, facts.rating.action, facts.rating.previous) == ("买入", "upgrade", "增持")
    assert facts.target_price.value == 320.0 and facts.target_price.currency == "CNY"


def test_english_rating_box_buy_on_cl() -> None:
    page = (
        "Acme Securities | Company Note\nMediaTek Inc. (2454 TT)\nRating: Buy (on CL)\n"
        "Price target: NT$1,450\nPrice: NT$1,205 (as of 1 Aug 2024)\nInvestment view\nWe reiterate our Buy rating."
    )
    facts = facts_of(page)
    assert (facts.rating.raw, facts.rating.normalized, facts.rating.action) == ("Buy (on CL)", "buy", "maintain")
    assert (facts.company.value, facts.ticker.value) == ("MediaTek Inc.", "2454 TT")
    assert (facts.target_price.value, facts.target_price.currency) == (1450.0, "TWD")
    assert (facts.current_price.value, facts.current_price.currency) == (1205.0, "TWD")


def test_no_rating_means_none_even_with_rating_words_in_prose() -> None:
    page = (
        "远航证券 宏观点评\n财政政策加码\n核心观点\n● 我们维持对经济温和复苏的判断，市场预期偏中性。北向资金净买入120亿元。\n"
        "● 建议关注后续政策细节。\n● We remain neutral on the market and keep our buy-side survey unchanged."
    )
    facts = facts_of(page)
    assert facts.rating is None and facts.industry_rating is None
    assert facts.picks == []
    assert facts.target_price is None and facts.current_price is None


def test_rating_definitions_attach_to_the_right_scale() -> None:
    pages = (
        "电子 | 行业快报\n投资评级 增持（维持）\n投资要点\n◆ 正文。",
        "投资评级说明\n行业投资评级：\n增持 —未来6个月内行业指数相对沪深300指数涨幅超过10%；\n"
        "中性 —未来6个月内行业指数相对沪深300指数涨跌幅介于-10%至10%之间；\n公司投资评级：\n"
        "买入 —未来6个月内股价相对沪深300指数涨幅超过15%；\n增持 —相对涨幅介于5%至15%之间；\n"
        "免责声明\n本报告仅供某某证券股份有限公司的客户使用。",
    )
    facts = facts_of(*pages)
    assert facts.rating.definition is not None
    assert facts.rating.definition.scale == "industry"
    assert facts.rating.definition.definition.startswith("未来6个月内行业指数")
    scales = {(d.term, d.scale) for d in facts.rating_definitions}
    assert {("增持", "industry"), ("中性", "industry"), ("买入", "company"), ("增持", "company")} <= scales
    assert_verbatim(facts, *pages)


def test_risk_grade_definitions() -> None:
    page = (
        "行业评级体系\n收益评级：\n领先大市 —未来6个月的投资收益率领先沪深300指数10%以上；\n风险评级：\n"
        "A —正常风险，未来6个月投资收益率的波动小于等于沪深300指数波动；\nB —较高风险，波动大于沪深300指数波动；"
    )
    facts = facts_of("传媒 | 行业快报\n投资评级 领先大市-A维持", page)
    assert {("领先大市", None), ("A", "risk"), ("B", "risk")} <= {(d.term, d.scale) for d in facts.rating_definitions}
    grade = grade_definition(facts.rating_definitions, facts.rating.grade)
    assert grade is not None and grade.definition.startswith("正常风险")


# --- picks --------------------------------------------------------------------------------


def test_picks_with_suffixes_duplicates_and_codes() -> None:
    page = (
        "传媒 | 行业快报\n投资要点\n◆ 投资建议：建议关注：腾讯控股（0700.HK）、网易-S、京东集团-SW（9618.HK）、腾讯控股、"
        "美团-W、寒武纪-U等。\n◆ 风险提示：政策风险。"
    )
    facts = facts_of(page)
    assert [(p.name, p.code) for p in facts.picks] == [
        ("腾讯控股", "0700.HK"), ("网易-S", None), ("京东集团-SW", "9618.HK"), ("美团-W", None), ("寒武纪-U", None)]
    assert facts.picks[0].evidence.quote == "腾讯控股（0700.HK）"
    assert_verbatim(facts, page)


def test_picks_list_across_a_page_break() -> None:
    pages = ("行业点评\n投资要点\n■ 重点推荐：比亚迪(002594.SZ)、长城汽车(601633.SH)、", "理想汽车-W(2015.HK)、小鹏汽车-W等。\n■ 其他。")
    facts = facts_of(*pages)
    assert [p.name for p in facts.picks] == ["比亚迪", "长城汽车", "理想汽车-W", "小鹏汽车-W"]
    assert [p.evidence.page for p in facts.picks] == [1, 1, 2, 2]
    assert_verbatim(facts, *pages)


def test_picks_grouped_and_rated_in_brackets() -> None:
    page = "投资建议：建议关注：1）算力：海光信息（买入）、寒武纪-U；2）应用：金山办公(688111.SH，增持)。"
    facts = facts_of(page)
    assert [(p.name, p.code, p.rating) for p in facts.picks] == [
        ("海光信息", None, "买入"), ("寒武纪-U", None, None), ("金山办公", "688111.SH", "增持")]


def test_pick_table_rows_and_a_rating_table_filling_in() -> None:
    page = (
        "投资建议：建议关注贵州茅台和五粮液。\n表3：重点公司估值\n股票代码 股票名称 收盘价（元） 投资评级\n"
        "600519.SH 贵州茅台 1426.00 买入\n000858.SZ 五粮液 128.50 增持\n600809.SH 山西汾酒 180.20 增持\n"
        "资料来源：Wind"
    )
    facts = facts_of(page)
    assert [(p.name, p.code, p.rating) for p in facts.picks] == [
        ("贵州茅台", "600519.SH", "买入"), ("五粮液", "000858.SZ", "增持"), ("山西汾酒", "600809.SH", "增持")]


def test_coverage_table_does_not_add_picks() -> None:
    page = (
        "Top picks: DBS Group (D05 SP) and UOB (U11 SP).\nFigure 4: Our coverage\nCompany Ticker Rating Price\n"
        "DBS Group D05 SP Buy S$38.10\nOCBC O39 SP Hold S$15.20\nUOB U11 SP Buy S$34.00\nSource: Bloomberg"
    )
    facts = facts_of(page)
    assert [(p.name, p.code, p.rating) for p in facts.picks] == [("DBS Group", "D05 SP", "Buy"), ("UOB", "U11 SP", "Buy")]


def test_full_width_punctuation_digits_and_spaces() -> None:
    page = (
        "比亚迪（００２５９４．ＳＺ）\n公司评级：　买入　（　首次　）\n目标价：　３２０．００元\n"
        "受益标的：宁德时代（３００７５０．ＳＺ）、　福耀玻璃（６００６６０．ＳＨ）、　拓普集团。\n"
        "分析师：　孙立　　Ｓ１２３０５２２０１０００２　　sunli@rfzq.com.cn"
    )
    facts = facts_of(page)
    assert facts.ticker.value == "002594.SZ"
    assert (facts.rating.raw, facts.rating.action) == ("买入（首次）", "initiate")
    assert facts.target_price.value == 320.0
    assert [(p.name, p.code) for p in facts.picks] == [("宁德时代", "300750.SZ"), ("福耀玻璃", "600660.SH"), ("拓普集团", None)]
    assert [(a.name, a.sac) for a in facts.analysts] == [("孙立", "S1230522010002")]
    assert_verbatim(facts, page)


# --- analysts ------------------------------------------------------------------------------


def test_analysts_and_contacts_kept_apart() -> None:
    page = (
        "分析师\n沈逸舟\nSAC 执业证书编号：S1720523110005\nshenyizhou@mcsec.com.cn\n许嘉宁\n"
        "SAC 执业证书编号：S1720524070002\n联系人\n陈卓\n020-38296123\nchenzhuo@mcsec.com.cn\n相关报告\n某报告 2024-10-21"
    )
    facts = facts_of(page)
    assert [(a.name, a.sac, a.email) for a in facts.signing_analysts] == [
        ("沈逸舟", "S1720523110005", "shenyizhou@mcsec.com.cn"), ("许嘉宁", "S1720524070002", None)]
    assert [(a.name, a.email) for a in facts.contacts] == [("陈卓", "chenzhuo@mcsec.com.cn")]


def test_english_analysts_with_licence() -> None:
    page = "Analysts\nJonathan Lam, CFA\nSFC CE No. BQK472\n+852 3958 2210\njonathan.lam@acme.com\nRelated research"
    (analyst,) = facts_of(page).analysts
    assert (analyst.name, analyst.licence, analyst.email, analyst.role) == (
        "Jonathan Lam, CFA", "BQK472", "jonathan.lam@acme.com", "analyst")


# --- risks ---------------------------------------------------------------------------------


def test_report_risks_not_the_disclaimer_risk_warning() -> None:
    pages = (
        "投资要点\n◆ 风险提示：政策不确定性、AI 落地不及预期、宏观环境波动风险等。",
        "免责声明\n本报告仅供某某证券股份有限公司的客户使用。本公司不保证信息的准确性。\n"
        "风险提示：\n报告中的内容和意见仅供参考，并不构成对所述证券买卖的出价或询价。投资者对其投资行为负完全责任。",
    )
    assert [r.text for r in facts_of(*pages).risks] == ["政策不确定性", "AI 落地不及预期", "宏观环境波动风险"]


def test_numbered_risk_section_uses_item_titles_and_dedupes() -> None:
    page = (
        "■ 风险提示：1）全球经济衰退风险；2）美联储降息节奏不及预期。\n风险提示\n"
        "1）全球经济衰退风险：若全球经济陷入衰退，铜需求将明显下降；\n2）矿山供应超预期释放：新增产能投放加快。"
    )
    assert [r.text for r in facts_of(page).risks] == ["全球经济衰退风险", "美联储降息节奏不及预期", "矿山供应超预期释放"]


def test_english_risk_sentence() -> None:
    page = "Risks\nKey downside risks include weaker smartphone demand, share loss to Qualcomm and a slower AI ASIC ramp."
    assert [r.text for r in facts_of(page).risks] == [
        "weaker smartphone demand", "share loss to Qualcomm", "a slower AI ASIC ramp"]


# --- related reports and performance ------------------------------------------------------


def test_related_reports_in_several_styles() -> None:
    page = (
        "相关报告\n《贵州茅台（600519.SH）：一季度开门红》2024-04-27\n存储价格阶段性回调，关注国产存储\n突破（2024-09-23）\n"
        "传媒：暑期档开启，关注优质内容供给-华锦证券-传媒-行业快报 2024.7.2\n投资要点\n◆ 正文 2024-01-01。"
    )
    facts = facts_of(page)
    assert [(r.title, r.date.isoformat()) for r in facts.related_reports] == [
        ("贵州茅台（600519.SH）：一季度开门红", "2024-04-27"),
        ("存储价格阶段性回调，关注国产存储突破", "2024-09-23"),
        ("暑期档开启，关注优质内容供给", "2024-07-02"),
    ]
    assert_verbatim(facts, page)


def test_related_reports_date_first_english() -> None:
    page = "Related research\n24 June 2024: Foundry pricing: increases look likely 19 April 2024: 1Q24 review: AI strength\nKey takeaways"
    titles = [(r.title, r.date.isoformat()) for r in facts_of(page).related_reports]
    assert titles == [("Foundry pricing: increases look likely", "2024-06-24"), ("1Q24 review: AI strength", "2024-04-19")]


def test_performance_table() -> None:
    page = "股价表现\n涨跌幅(%) 1个月 3个月 12个月\n绝对收益 -2.10 5.30 18.00\n相对收益 -1.00 2.20 9.40"
    performance = facts_of(page).performance
    assert performance.periods == ["1M", "3M", "12M"]
    assert performance.absolute == [-2.1, 5.3, 18.0] and performance.relative == [-1.0, 2.2, 9.4]


# --- robustness ----------------------------------------------------------------------------


def test_empty_and_blank_pages() -> None:
    assert extract_facts([]) == ReportFacts(rules_version=RULES_VERSION)
    facts = facts_of("", "   \n\n")
    assert facts.rating is None and facts.picks == [] and facts.analysts == []


def test_meta_values_need_text_evidence() -> None:
    facts = facts_of("Some report text\nAcme Securities", meta=ReportMeta(title="Not In The Text", broker="Acme Securities"))
    assert facts.title is None
    assert facts.broker.value == "Acme Securities" and facts.broker.evidence.quote == "Acme Securities"


def test_random_text_never_crashes_and_quotes_stay_verbatim() -> None:
    alphabet = list("投资评级买入增持维持首次风险提示建议关注：:、，。（）()|-AaBS0123456789 \n.%$元") + [
        "腾讯控股", "0700.HK", "Rating", "Buy", "相关报告", "2024-01-02", "分析师", "S1250523060004", "a@b.cn"]
    rng = random.Random(7)
    for _ in range(150):
        pages = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300))) for _ in range(rng.randint(1, 3))]
        facts = facts_of(*pages)
        assert_verbatim(facts, *pages)


def test_deterministic_and_json_round_trip() -> None:
    page = "传媒 | 行业快报\n投资评级 领先大市-A维持\n建议关注：快手-W(1024.HK)、腾讯控股。\n风险提示：政策风险；竞争加剧。"
    first, second = facts_of(page), facts_of(page)
    assert first == second
    assert ReportFacts.from_json(first.to_json()) == first
