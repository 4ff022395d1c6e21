"""Rules learned from real broker reports, each reproduced on text shaped like the real page
(the PDFs themselves are copyrighted and stay out of the repository)."""

from __future__ import annotations

from report_rag.extract import extract_facts
from report_rag.extract.analysts import has_surname
from report_rag.text import canonical_code
from report_rag.types import Page


def _facts(*pages: str):
    return extract_facts([Page(i + 1, text) for i, text in enumerate(pages)])


def test_bare_and_bloomberg_a_share_codes_take_their_exchange() -> None:
    assert canonical_code("300750") == "300750.SZ"
    assert canonical_code("603501 CH") == "603501.SH"
    assert canonical_code("603259.CH") == "603259.SH"
    assert canonical_code("430047") == "430047.BJ"
    assert canonical_code("600519.SS") == "600519.SH"
    assert canonical_code("700 HK") == "0700.HK"
    assert canonical_code("NVDA US") == "NVDA US"
    assert canonical_code("123456") == "123456"  # no exchange starts so: left alone


def test_stock_box_after_the_summary_in_a_two_column_page() -> None:
    # 凯莱英-style: the stock-name box comes after the summary column in the text layer,
    # with a template tag in front of it.
    summary = "\n".join(f"投资要点 第{i}条：凯莱英前三季度营收增长，新兴业务放量。" for i in range(16))
    page = f"{summary}\n[Table_StockNameRptType] 凯莱英（002821）\n公司点评\n凯莱英 沪深300"
    facts = _facts(page)
    assert facts.company is not None and facts.company.value == "凯莱英"
    assert facts.ticker is not None and facts.ticker.value == "002821.SZ"
    assert facts.ticker.evidence.quote == "002821"


def test_industry_page_listing_several_companies_names_none() -> None:
    body = "\n".join(f"行业周报 第{i}段：板块回顾。" for i in range(16))
    page = f"{body}\n宁德时代（300750）业绩稳健\n阳光电源（300274）储能高增\n亿纬锂能（300014）出货提升"
    facts = _facts(page)
    assert facts.company is None and facts.ticker is None


def test_rating_box_glued_to_the_company_name() -> None:
    facts = _facts("优于大市宁德时代（300750.SZ）\n——2026年一季报点评\n证券分析师：王蔚祺")
    assert facts.company is not None and facts.company.value == "宁德时代"
    assert facts.ticker is not None and facts.ticker.value == "300750.SZ"


def test_english_header_with_price_and_a_person_in_brackets() -> None:
    facts = _facts("Netflix, Inc. (NFLX - $88.05)\nTransitioning Coverage with Buy Rating\nJane Doe (UBS)")
    assert facts.company is not None and facts.company.value == "Netflix, Inc."
    assert facts.ticker is not None and facts.ticker.value == "NFLX"
    assert _facts("Jane Doe (UBS)\nSome note").company is None


def test_headline_with_a_bare_symbol_the_note_keeps_returning_to() -> None:
    # Bernstein's layout: "NVIDIA (NVDA): Fine China?" — no corporate suffix, but the note is
    # about NVIDIA and NVDA throughout. A person in brackets is still no company.
    body = "NVIDIA announced H20 licenses. NVIDIA expects deliveries. NVDA suggested lost revenue; NVDA guided."
    facts = _facts(f"15 July 2025\nNVIDIA (NVDA): Fine China?\nStacy Rasgon\n{body}")
    assert facts.company is not None and facts.company.value == "NVIDIA"
    assert facts.ticker is not None and facts.ticker.value == "NVDA"
    assert _facts("Jane Doe (UBS): our view\nSome note on banks.").company is None
    assert _facts("NVIDIA (NVDA): Fine China?\nA note on one other matter.").company is None  # said once only


def test_multi_line_analyst_block_with_certificate_after_the_phone() -> None:
    page = "\n".join([
        "证券研究报告·公司点评报告·电池",
        "证券分析师 曾朵红",
        "执业证书：S0600516080001",
        "021-60199793",
        "zengdh@dwzq.com.cn",
        "证券分析师 阮巧燕",
        "执业证书：S0600517120002",
        "ruanqy@dwzq.com.cn",
        "股价走势",
    ])
    people = {(a.name, a.sac) for a in _facts(page).signing_analysts}
    assert people == {("曾朵红", "S0600516080001"), ("阮巧燕", "S0600517120002")}


def test_names_first_certificates_after_pair_in_order() -> None:
    page = "\n".join([
        "证券分析师：王蔚祺 证券分析师：李全",
        "010-88005313 021-60375434",
        "S0980520080003 S0980524070002",
        "基础数据",
    ])
    people = {(a.name, a.sac) for a in _facts(page).analysts}
    assert ("王蔚祺", "S0980520080003") in people and ("李全", "S0980524070002") in people


def test_name_found_by_the_address_that_spells_it() -> None:
    page = "\n".join([
        "研究团队",
        "唐爱金 医药首席分析师",
        "执业编号：S1500523080002",
        "邮 箱：tangaijin@cindasc.com",
        "Andrew Boone, CFA",
        "(415) 835-3957",
        "aboone@jmpsecurities.com",
    ])
    people = {a.name: a for a in _facts(page).analysts}
    assert people["唐爱金"].sac == "S1500523080002"
    assert "邮箱" not in people and "Andrew Boone, CFA" in people


def test_label_words_are_not_people() -> None:
    assert has_surname("曾朵红") and has_surname("宇文甸") and not has_surname("邮箱") and not has_surname("港股")
    page = "证券分析师 程强\n资格编号：S0120523070007\n港股执业证号：非必填\n邮箱：chengqiang@tebon.com.cn"
    assert [a.name for a in _facts(page).analysts] == ["程强"]


def test_recommended_stocks_exclude_mere_beneficiaries() -> None:
    page = ("通信行业周报\n投资建议\n【谷歌链】相关标的：（1）【光模块】推荐标的：中际旭创、新易盛、源杰科技；"
            "受益标的：长芯博创等；（2）【液冷】推荐标的：英维克。\n风险提示：需求不及预期。")
    assert [p.name for p in _facts(page).picks] == ["中际旭创", "新易盛", "源杰科技", "英维克"]
    only_beneficiaries = "计算机行业快报\n受益标的：金山办公、科大讯飞。\n风险提示：技术落地不及预期。"
    assert [p.name for p in _facts(only_beneficiaries).picks] == ["金山办公", "科大讯飞"]


def test_industries_in_a_strategy_list_are_not_stocks() -> None:
    page = "策略周评\n配置建议：重点关注储能、光伏、锂电池、风电。\n风险提示：海外扰动。"
    assert _facts(page).picks == []


def test_a_sector_note_has_no_target_price_of_its_own() -> None:
    body = "Europe Capital Goods\nAI and energy sectors more intertwined than ever\nWe like Schneider and Legrand."
    later = "Siemens Energy: Buy, TP EUR167 on 30x P/E.\nVertiv: Buy, TP USD150."
    facts = _facts(body, later)
    assert facts.target_price is None


def test_field_look_up_answers_only_what_the_fields_cover_whole() -> None:
    from report_rag.answer.fact_answers import fact_answer

    facts = _facts("贵州茅台（600519.SH）\n公司点评\n投资评级：买入（维持）\n目标价：2,150.00元\n证券分析师 张三 S0600516080001")
    both = fact_answer("这篇报告的评级和目标价分别是什么？", facts, "zh")
    assert both is not None and "买入" in both and "2,150.00" in both and both.endswith("[1]。")
    assert fact_answer("评级是什么？2025年EPS预测是多少？", facts, "zh") is None  # EPS is not a field
    assert fact_answer("What is the target price and the valuation method?", facts, "en") is None
    assert fact_answer("推荐了哪些股票？", facts, "zh") is None  # a company note has no picks


def test_covered_companies_table_with_rows_run_together() -> None:
    # The text layer joins a forecast table's rows: "… 52.06 买入300433.SZ 蓝思科技 …".
    page = "\n".join([
        "电子行业春季策略",
        "表1：重点公司盈利预测与估值",
        "代码 名称 总市值 EPS（元） PE 评级",
        "2024A 2025E 2026E 2024A 2025E 2026E",
        "301308.SZ 江波龙 1341.39 1.19 2.81 5.05 219.30 93.58 52.06 买入300433.SZ 蓝思科技 1485.36 0.73 1.09 "
        "1.35 40.78 27.25 22.04 增持688981.SH 中芯国际 5000.00 0.62 0.75 0.90 98.1 80.2 66.0 未评级",
        "数据来源：公司公告，聚源数据",
    ])
    picks = {(p.name, p.code, p.rating) for p in _facts(page).picks}
    # the unrated (consensus) row is listed as such, never given a rating it does not print
    assert picks == {("江波龙", "301308.SZ", "买入"), ("蓝思科技", "300433.SZ", "增持"), ("中芯国际", "688981.SH", "未评级")}


def test_a_company_notes_rated_peer_table_adds_no_picks() -> None:
    page = "\n".join([
        "贵州茅台（600519.SH）",
        "公司点评",
        "表2：可比公司估值 EPS PE 评级",
        "000858.SZ 五粮液 5000.00 7.80 8.60 18.0 16.3 买入",
    ])
    assert _facts(page).picks == []


def test_page_ones_dated_running_header_keeps_the_publication_date() -> None:
    from report_rag.parse import clean_pages, read_meta

    header = "Internet | Initiating CoverageDecember 17, 2025INVESTMENT HIGHLIGHTS"
    body = "We initiate coverage with a Market Outperform rating and an $800 price target on the shares."
    raw = [f"{header}\n{body}\n{body}\n{body}\n{body}\n{body}\n1"] + [f"{header}\n{body} {n}\n{body}\n{body}\n{body}\n{n}" for n in range(2, 5)]
    pages = clean_pages(raw)
    assert header in pages[0].text and all(header not in p.text for p in pages[1:])
    assert str(read_meta(pages).date) == "2025-12-17"


def test_english_broker_names_in_a_question_are_not_its_subjects() -> None:
    from report_rag.retrieval.question import question_subjects

    subjects = {name for group in question_subjects("What 2026E EPS does BOCOM International forecast for Sungrow?") for name in group}
    assert "BOCOM" not in subjects and "International" not in subjects
    assert "Sungrow" in subjects  # the company stays a subject
    asked = question_subjects("To what level did Asymchem raise capex, according to Huaan Securities?")
    assert ("Securities",) not in asked


def test_invest_advice_paragraph_names_stocks_with_reasons() -> None:
    # 东吴证券 weekly: "投资建议：" then dozens of "name（reason、reason）、" items.
    names = ["宁德时代", "阳光电源", "思源电气", "科达利", "东方电气", "汇川技术"]
    body = "、".join(f"{n}（全球龙头、增长确定估值低）" for n in names)
    facts = _facts("电力设备行业跟踪周报\n" + f"投资建议：{body}。建议关注：海科新源、石大胜华等。\n风险提示：价格竞争。")
    assert [p.name for p in facts.picks] == [*names, "海科新源", "石大胜华"]
    assert facts.picks[0].evidence.quote.startswith("宁德时代（全球龙头")


def test_a_short_list_of_sector_groups_with_reasons_is_not_stocks() -> None:
    page = "策略专题\n投资建议：电力资本（电力设备、能源金属）、算力资本（存储、半导体、机器人）、平台应用（港股互联网）。"
    assert _facts(page).picks == []
    disclaimer = "本报告中的信息或所表述的意见仅作为投资建议的参考，不构成投资建议。"
    assert _facts("策略周报\n" + disclaimer).picks == []
    prose = "电子行业快报\n投资建议：晶圆代工景气向上，国产设备与封测环节有望同步受益。重点推荐：中芯国际(688981.SH)等。"
    assert [p.name for p in _facts(prose).picks] == ["中芯国际"]


def test_rating_box_on_two_lines_and_stock_ratings_deep_in_an_industry_note() -> None:
    # Korea Investment's sector note: "Overweight" above "(Maintain)" on page 1, and a table of
    # "Recommendation BUY" per stock on page 8 that is not the sector's rating.
    first = "Internet\nKorean internet: holistic view\nOverweight\n(Maintain)\nCompany Rating TP (KRW)\nNAVER BUY 300,000"
    later = "NAVER Recommendation BUY 2023A 9,671 1,489"
    rating = _facts(first, later).rating
    assert rating is not None and (rating.raw, rating.action, rating.scope) == ("Overweight", "maintain", "industry")
    assert rating.evidence.page == 1
    # Wedbush's list: each stock's rating, and no rating of the note's own.
    body = "Software sell-off: the AI armageddon is overdone\nWe like these names."
    table = "Company Rating Price Target\nSalesforce.com OUTPERFORM $196.38 $375.00\nMicrosoft OUTPERFORM $411.21 $575.00"
    assert _facts(body, "MSFT - we believe cloud monetization accelerates.", table).rating is None


def test_english_masthead_names_the_issuer_and_its_tickers() -> None:
    # J.P. Morgan / UBS / BofA notes: the issuer on a line of its own under the letterhead.
    page = ("28 August 2025\nJ P M O R G A N\nNVIDIA Corporation\nBlackwell Ultra ramp on track\nOverweight\n"
            "NVDA, NVDA US\nPrice (27 Aug 25): $181.60\nNVIDIA reported a strong quarter.")
    facts = _facts(page)
    assert facts.company is not None and facts.company.value == "NVIDIA Corporation"
    assert facts.ticker is not None and facts.ticker.value == "NVDA US"
    # The publisher's own entity and a company named once are not the covered company.
    letterhead = "Global Research\nCitizens JMP Securities, LLC\nSoftware outlook 2026\nWe see a strong year."
    assert _facts(letterhead).company is None
    once = "Global Research\nApple Inc.\nSector outlook for hardware\nWe cover many names here."
    assert _facts(once).company is None


def test_hong_kong_analyst_boxes_and_glued_labels() -> None:
    # 交银国际 / 浦银国际: a name (a credential or title beside it) over an address spelled with
    # an English given name and the surname in pinyin or Cantonese.
    box = ("阳光电源 (300274 CH)\n文昊, CPA\nbob.wen@bocomgroup.com\n(86) 21 6065 3667\n郑民康\n"
           "wallace.cheng@bocomgroup.com\n胡泽宇，CFA医药分析师\nryan_hu@spdbi.com\n赖烨烨\n首席策略分析师\nMelody_lai@spdbi.com")
    people = {a.name: a.email for a in _facts(box).analysts}
    assert people == {"文昊": "bob.wen@bocomgroup.com", "郑民康": "wallace.cheng@bocomgroup.com",
                      "胡泽宇": "ryan_hu@spdbi.com", "赖烨烨": "Melody_lai@spdbi.com"}
    # A name whose address does not spell its surname is not paired with it.
    assert _facts("公司点评\n王小明\nbob.wen@bocomgroup.com").analysts == []
    # 太平洋证券: the phone label glued to the name, the next label glued to a certificate.
    block = ("证券分析师：周豫电话：\nE-MAIL：zhouyua@tpyzq.com\n分析师登记编号：S1190523060002证券分析师：张崴\n"
             "电话：\nE-MAIL：zhangwei@tpyzq.com\n分析师登记编号：S1190523070001")
    analysts = {a.name: (a.sac, a.email) for a in _facts(block).analysts}
    assert analysts["周豫"] == ("S1190523060002", "zhouyua@tpyzq.com")
    assert analysts["张崴"][0] == "S1190523070001"


def test_english_name_with_a_generational_suffix() -> None:
    facts = _facts("Software outlook\nAnalysts\nFrederick Gooding III\nfgooding@williamblair.com")
    assert [a.name for a in facts.analysts] == ["Frederick Gooding III"]


def test_a_trigger_alone_on_its_line_with_one_list_per_group_below() -> None:
    # 太平洋证券: "产业链相关公司：" over "a）上游：…等；" "b）中游：…" "c）下游：…".
    page = ("储能行业点评\n3）产业链相关公司：\na）上游：赣锋锂业、天齐锂业、盐湖股份等；\n"
            "b）中游：天赐材料、湖南裕能等；\nc）下游：宁德时代、阳光电源等。\n风险提示：需求不及预期。")
    assert [p.name for p in _facts(page).picks] == ["赣锋锂业", "天齐锂业", "盐湖股份", "天赐材料", "湖南裕能", "宁德时代", "阳光电源"]


def test_a_rating_adjective_before_a_pick_is_not_part_of_its_name() -> None:
    page = "Capital Goods\nOur top picks are Schneider, Legrand and Buy-rated Siemens Energy."
    assert [p.name for p in _facts(page).picks] == ["Schneider", "Legrand", "Siemens Energy"]


def test_bulleted_attribute_lines_and_contacts_without_certificates() -> None:
    # 中国银河证券: "•：phone" and "•：e-mail" lines under the name.
    block = "分析师\n杨超\n•：010-80927696\n•：yangchao_yj@chinastock.com.cn\n分析师登记编码：S0130522030004"
    analysts = _facts("策略周报\n" + block).analysts
    assert [(a.name, a.sac, a.email) for a in analysts] == [("杨超", "S0130522030004", "yangchao_yj@chinastock.com.cn")]
    # 国信证券: names first, certificates in a row after them, a contact below with none.
    page = ("电力设备·电池\n证券分析师：王蔚祺 证券分析师：李全\n010-88005313 021-60375434\n"
            "S0980520080003 S0980524070002\n联系人：王喆萱\nwangzhexuan@guosen.com.cn")
    sacs = {a.name: a.sac for a in _facts(page).analysts}
    assert sacs == {"王蔚祺": "S0980520080003", "李全": "S0980524070002", "王喆萱": None}


def test_a_data_date_is_not_the_publication_date() -> None:
    from report_rag.parse.meta import find_date

    page = "公司研究公司简评医药生物\n[Table_Reportdate] 2025年05月09日\n[Table_cominfo] 数据日期 2025/05/08\n收盘价 84.00"
    assert find_date([Page(1, page)]).isoformat() == "2025-05-09"


def test_an_english_industry_notes_rated_companies_table_lists_its_stocks() -> None:
    # Roth: rows run together after the header; Canaccord: the ticker on the line above.
    roth = ("Internet\nAI debates for 2026\nCovered companies mentioned in this report:\n"
            "Company Name Ticker Rating Price Amazon.com, Inc. AMZN BUY $226.50 Meta Platforms, Inc. META BUY $650.41")
    assert [(p.name, p.code, p.rating) for p in _facts(roth).picks] == [
        ("Amazon.com, Inc.", "AMZN", "BUY"), ("Meta Platforms, Inc.", "META", "BUY")]
    canaccord = "Industry Update\nCompany Rating Price Target\nInternet\nABNB-NASDAQ\nBuy US$138.02 US$180.00\nBARK-NYSE Hold US$0.56 US$2.00"
    assert [(p.name, p.code, p.rating) for p in _facts(canaccord).picks] == [("ABNB", "ABNB", "Buy"), ("BARK", "BARK", "Hold")]
    # A company note's table of rated peers is a comparison, not picks.
    company = "Apple Inc. (AAPL)\nRating: Buy\nPeers\nCompany Rating Price Target\nDell Technologies Buy $120.00 $150.00"
    assert _facts(company).picks == []
