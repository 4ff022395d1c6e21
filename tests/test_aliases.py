"""Cross-lingual query expansion and name matching."""

from report_rag.retrieval.aliases import company_aliases, expand_query, mentions_broker, pinyin_name
from report_rag.retrieval.question import asks_for_definition, scope_question
from report_rag.types import Report, ReportMeta, ReportStatus


def test_glossary_expands_both_ways():
    assert "目标价" in expand_query("What is the target price?")
    english = expand_query("腾讯二季度国内游戏收入是多少？")
    assert "revenue" in english and "2Q" in english and "Tencent" in english
    assert "三季度" in expand_query("What was the 3Q24 gross margin?")
    # scoped to the company's own reports, its other names add nothing but the header chunks
    scoped = expand_query("What capex guidance does Asymchem give?", with_companies=False)
    assert "凯莱英" not in scoped and "凯莱英" in expand_query("What capex guidance does Asymchem give?")
    # Words inside other words do not trigger ("rate" in "separate").
    assert "评级" not in expand_query("a separate issue")


def test_company_aliases_cover_names_and_tickers():
    assert any("宁德时代" in a for a in company_aliases("CATL net profit"))
    assert any("Kweichow Moutai" in a for a in company_aliases("贵州茅台的目标价"))
    assert any("Tencent" in a for a in company_aliases("0700.HK rating"))
    assert company_aliases("what about the weather") == []


def test_broker_named_in_full_short_or_pinyin():
    assert pinyin_name("华泰证券") == "huatai"
    assert mentions_broker("华泰证券的观点", "华泰证券")
    assert mentions_broker("华泰怎么看", "华泰证券")
    assert mentions_broker("What does Huatai say?", "华泰证券")
    assert mentions_broker("Guotai Junan's view", "国泰君安证券")
    assert not mentions_broker("What does Huatai say?", "海通证券")
    assert mentions_broker("Harbourline's target", "Harbourline Securities")
    # global banks by the names Chinese readers use; their letterheads print English only
    assert mentions_broker("巴克莱供应链调研显示", "Barclays") and mentions_broker("大摩怎么看英伟达", "Morgan Stanley")
    assert not mentions_broker("高盛怎么看", "Barclays")


def _report(rid: int, broker: str, title: str) -> Report:
    return Report(rid, f"{rid}.pdf", "/x", str(rid), ReportStatus.READY, meta=ReportMeta(title=title, broker=broker))


def test_scope_by_company_on_page_one_and_by_pinyin_broker():
    reports = [_report(1, "华泰证券", "2Q24: margins expand"), _report(2, "海通证券", "白酒行业周报")]
    heads = {1: "tencent holdings (0700.hk)\n2q24: margins expand", 2: "食品饮料 行业周报"}  # lower-cased
    assert scope_question("What was Tencent's revenue?", reports, heads).report_ids == (1,)
    assert scope_question("腾讯的收入是多少", reports, heads).report_ids == (1,)
    assert scope_question("What does Haitong think about liquor?", reports, heads).report_ids == (2,)
    assert scope_question("该报告的评级", reports, heads).single_report
    assert scope_question("What rating?", reports, heads).report_ids is None


def test_a_question_naming_the_kind_of_report_is_about_one_of_that_kind():
    # "该周报给出的宁德时代目标价": the weekly, not a company note on 宁德时代 (real corpus: a
    # company note's target was given for the weekly's)
    reports = [_report(1, "东吴证券", "宁德时代深度报告：储能龙头"), _report(2, "东吴证券", "电力设备行业跟踪周报"),
               _report(3, "国金证券", "渐行渐近的衰退交易")]
    heads = {1: "宁德时代（300750.sz）\n深度报告", 2: "证券研究报告·行业跟踪周报·电力设备", 3: "宏观点评"}
    scope = scope_question("该周报给出的宁德时代目标价是多少？", reports, heads)
    assert scope.report_ids == (2,) and scope.single_report
    assert scope_question("这篇深度报告预计宁德时代储能出货多少？", reports, heads).report_ids == (1,)
    assert scope_question("What does the weekly say about storage?", reports, heads).report_ids == (2,)
    # "本周" is this week, not a report; an unknown kind restricts nothing
    assert scope_question("本周报价如何？", reports, heads).report_ids is None
    assert scope_question("该月报怎么看？", reports, heads).report_ids is None


def test_definition_questions():
    assert asks_for_definition("“领先大市”是什么意思？")
    assert asks_for_definition("What does Overweight mean at Meridian?")
    assert not asks_for_definition("贵州茅台的目标价是多少？")


def test_sector_narrows_a_broker_with_several_reports():
    reports = [_report(1, "华锦证券", "WAIC 落幕"), _report(2, "华锦证券", "政策组合拳"), _report(3, "开元证券", "x")]
    sectors = {1: "传媒", 2: "食品饮料", 3: "食品饮料"}
    assert scope_question("华锦证券对传媒行业的评级？", reports, {}, sectors).report_ids == (1,)
    assert scope_question("食品饮料行业的评级？", reports, {}, sectors).report_ids == (2, 3)
    assert scope_question("华锦证券怎么看汽车？", reports, {}, sectors).report_ids == (1, 2)


def test_a_question_names_a_broker_by_its_registry_english_name() -> None:
    from report_rag.retrieval.aliases import mentions_broker

    assert mentions_broker("Which asset class does Sinolink Securities' macro comment favour?", "国金证券")
    assert mentions_broker("Per figures cited by Pacific Securities, what was storage capacity?", "太平洋证券")
    # A registry English name counts only whole: a place or a word is not the broker.
    assert not mentions_broker("How fast is Asia Pacific data-centre demand growing?", "太平洋证券")
    assert not mentions_broker("What do Western investors think of Chinese EVs?", "西部证券")
