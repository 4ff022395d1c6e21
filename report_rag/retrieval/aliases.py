"""Cross-lingual names and terms: an English question must find a Chinese report and back.

Three sources, all general rather than tuned to one document:
* a finance glossary (target price <-> 目标价, net profit <-> 净利润 …) used to expand the
  lexical query, since BM25 cannot match across scripts on its own;
* aliases of widely covered listed companies (English name, Chinese name, tickers);
* broker names in pinyin: most Chinese brokers' English names are the pinyin of their
  Chinese names (华泰 Huatai, 国泰君安 Guotai Junan, 海通 Haitong), computed, not listed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from report_rag.parse.brokers import broker_named

# English phrase (lower case) -> Chinese terms as reports print them.
GLOSSARY: dict[str, tuple[str, ...]] = {
    "target price": ("目标价", "目标价格"),
    "price target": ("目标价", "目标价格"),
    "current price": ("当前股价", "收盘价"),
    "rating": ("评级", "投资评级"),
    "rate": ("评级",),
    "upgrade": ("上调",),
    "downgrade": ("下调",),
    "initiate": ("首次覆盖", "首次"),
    "maintain": ("维持",),
    "buy": ("买入",),
    "overweight": ("增持",),
    "outperform": ("强于大市", "领先大市", "跑赢"),
    "neutral": ("中性",),
    "underperform": ("落后大市", "弱于大市"),
    "sell": ("卖出",),
    "risk": ("风险提示", "风险"),
    "risks": ("风险提示", "风险"),
    "pick": ("推荐", "建议关注", "首选股票", "重点推荐", "受益标的"),
    "picks": ("推荐", "建议关注", "首选股票", "重点推荐", "受益标的"),
    "recommend": ("推荐", "建议关注"),
    "recommended": ("推荐", "建议关注"),
    "stocks": ("股票", "标的"),
    "analyst": ("分析师",),
    "revenue": ("营业收入", "收入", "营收"),
    "sales": ("销售收入", "收入"),
    "net profit": ("净利润", "归母净利润"),
    "earnings": ("净利润", "盈利"),
    "profit": ("利润", "净利润"),
    "gross margin": ("毛利率",),
    "margin": ("利润率", "毛利率"),
    "growth": ("增长", "同比增长"),
    "year on year": ("同比",),
    "yoy": ("同比",),
    "quarter": ("季度",),
    "guidance": ("指引",),
    "capacity utilisation": ("产能利用率",),
    "capacity utilization": ("产能利用率",),
    "utilisation": ("利用率",),
    "utilization": ("利用率",),
    "dividend": ("分红", "股息"),
    "valuation": ("估值",),
    "forecast": ("预测", "盈利预测"),
    "eps": ("每股收益", "EPS"),
    "market share": ("市场份额", "市占率"),
    "loans": ("贷款",),
    "deposit": ("存款",),
    "reserve requirement": ("存款准备金率", "降准"),
    "games": ("游戏",),
    "advertising": ("广告",),
    "training cost": ("训练成本",),
    "new business value": ("新业务价值", "NBV"),
    "nbv": ("新业务价值",),
    "upfront": ("首付款",),
    "innovative drugs": ("创新药",),
    "sector": ("行业",),
    "industry": ("行业",),
    "media": ("传媒",),
    "food and beverage": ("食品饮料",),
    "banks": ("银行",),
    "computer": ("计算机",),
    "electronics": ("电子",),
    "semiconductor": ("半导体", "晶圆代工"),
    "liquor": ("白酒",),
    "insurance": ("保险",),
    "pharmaceutical": ("医药",),
    "battery": ("电池", "动力电池"),
    "definition": ("定义", "评级说明"),
    "mean": ("定义", "评级说明"),
    # markets and macro
    "asset class": ("大类资产", "资产"),
    "bond": ("债券", "债市"),
    "bonds": ("债券", "债市"),
    "equities": ("权益", "股市"),
    "commodities": ("商品", "大宗商品"),
    "interest rate": ("利率",),
    "interest rates": ("利率",),
    "rate cut": ("降息",),
    "rate hike": ("加息",),
    "oil price": ("油价",),
    "inflation": ("通胀",),
    "recession": ("衰退",),
    "stagflation": ("滞胀",),
    "bottom": ("见底", "筑底", "底部"),
    "exports": ("出口",),
    "tariff": ("关税",),
    "consumption": ("消费",),
    "manufacturing": ("制造业",),
    "five-year plan": ("五年规划", "十五五"),
    "property": ("房地产", "地产"),
    "real estate": ("房地产", "地产"),
    # company figures
    "shipments": ("出货量", "出货"),
    "orders": ("订单",),
    "installed": ("装机",),
    "operating cash flow": ("经营现金流", "经营性现金流"),
    "free cash flow": ("自由现金流",),
    "net margin": ("净利率",),
    "gross profit": ("毛利",),
    "expense ratio": ("费用率",),
    "r&d": ("研发",),
    "wafer": ("晶圆",),
    "wafers": ("晶圆",),
    # sectors and themes
    "energy storage": ("储能",),
    "storage": ("储能", "存储"),
    "solar": ("光伏",),
    "wind power": ("风电",),
    "inverter": ("逆变器",),
    "lithium": ("锂", "锂电"),
    "power grid": ("电网",),
    "data center": ("数据中心", "IDC"),
    "computing power": ("算力",),
    "optical module": ("光模块",),
    "robot": ("机器人",),
    "robots": ("机器人",),
    "electric vehicle": ("电动车", "新能源汽车"),
    "healthcare": ("医疗健康", "医疗"),
    "consumer health": ("消费健康",),
    "medical device": ("医疗器械",),
    "cdmo": ("CDMO", "外包"),
}

# Widely covered listed companies: (Chinese names, English names, tickers).
COMPANIES: tuple[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = (
    (("腾讯控股", "腾讯"), ("Tencent",), ("0700.HK", "TCEHY")),
    (("阿里巴巴",), ("Alibaba",), ("9988.HK", "BABA")),
    (("美团",), ("Meituan",), ("3690.HK",)),
    (("京东",), ("JD.com", "JD"), ("9618.HK",)),
    (("拼多多",), ("PDD", "Pinduoduo"), ("PDD",)),
    (("百度",), ("Baidu",), ("9888.HK", "BIDU")),
    (("网易",), ("NetEase",), ("9999.HK", "NTES")),
    (("快手",), ("Kuaishou",), ("1024.HK",)),
    (("小米集团", "小米"), ("Xiaomi",), ("1810.HK",)),
    (("贵州茅台", "茅台"), ("Kweichow Moutai", "Moutai"), ("600519.SH",)),
    (("五粮液",), ("Wuliangye",), ("000858.SZ",)),
    (("泸州老窖",), ("Luzhou Laojiao",), ("000568.SZ",)),
    (("山西汾酒", "汾酒"), ("Shanxi Fenjiu", "Fenjiu"), ("600809.SH",)),
    (("宁德时代",), ("CATL", "Contemporary Amperex"), ("300750.SZ", "3750.HK")),
    (("比亚迪",), ("BYD",), ("002594.SZ", "1211.HK")),
    (("隆基绿能",), ("LONGi",), ("601012.SH",)),
    (("中芯国际",), ("SMIC", "Semiconductor Manufacturing International"), ("688981.SH", "0981.HK")),
    (("华虹公司", "华虹半导体", "华虹"), ("Hua Hong",), ("688347.SH", "1347.HK")),
    (("台积电",), ("TSMC", "Taiwan Semiconductor"), ("2330.TW", "TSM")),
    (("中国平安", "平安"), ("Ping An",), ("601318.SH", "2318.HK")),
    (("中国人寿",), ("China Life",), ("601628.SH", "2628.HK")),
    (("招商银行", "招行"), ("China Merchants Bank", "CMB"), ("600036.SH", "3968.HK")),
    (("工商银行",), ("ICBC",), ("601398.SH", "1398.HK")),
    (("建设银行",), ("CCB", "China Construction Bank"), ("601939.SH", "0939.HK")),
    (("宁波银行",), ("Bank of Ningbo",), ("002142.SZ",)),
    (("中国移动",), ("China Mobile",), ("600941.SH", "0941.HK")),
    (("恒瑞医药", "恒瑞"), ("Hengrui", "Jiangsu Hengrui"), ("600276.SH",)),
    (("药明康德",), ("WuXi AppTec",), ("603259.SH", "2359.HK")),
    (("美的集团", "美的"), ("Midea",), ("000333.SZ",)),
    (("海天味业",), ("Haitian",), ("603288.SH",)),
    (("伊利股份", "伊利"), ("Yili",), ("600887.SH",)),
    (("中国神华",), ("China Shenhua",), ("601088.SH",)),
    (("长江电力",), ("Yangtze Power",), ("600900.SH",)),
    (("商汤", "商汤科技"), ("SenseTime",), ("0020.HK",)),
    (("科大讯飞",), ("iFlytek",), ("002230.SZ",)),
    (("海康威视",), ("Hikvision",), ("002415.SZ",)),
    (("东方财富",), ("East Money",), ("300059.SZ",)),
    (("中信证券",), ("CITIC Securities",), ("600030.SH",)),
    (("阳光电源",), ("Sungrow", "Sungrow Power"), ("300274.SZ",)),
    (("华润三九",), ("China Resources Sanjiu", "CR Sanjiu"), ("000999.SZ",)),
    (("凯莱英",), ("Asymchem",), ("002821.SZ", "6821.HK")),
    (("药明生物",), ("WuXi Biologics",), ("2269.HK",)),
    (("迈瑞医疗",), ("Mindray",), ("300760.SZ",)),
    (("豪威集团", "韦尔股份"), ("OmniVision", "Will Semiconductor"), ("603501.SH",)),
    (("中际旭创",), ("Innolight", "Zhongji Innolight"), ("300308.SZ",)),
    (("新易盛",), ("Eoptolink",), ("300502.SZ",)),
    (("工业富联",), ("Foxconn Industrial Internet", "FII"), ("601138.SH",)),
    (("立讯精密",), ("Luxshare",), ("002475.SZ",)),
    (("汇川技术",), ("Inovance",), ("300124.SZ",)),
    (("亿纬锂能",), ("EVE Energy",), ("300014.SZ",)),
    (("通威股份",), ("Tongwei",), ("600438.SH",)),
    (("紫金矿业",), ("Zijin Mining", "Zijin"), ("601899.SH", "2899.HK")),
    (("中国海油",), ("CNOOC",), ("600938.SH", "0883.HK")),
    (("格力电器",), ("Gree", "Gree Electric"), ("000651.SZ",)),
    (("理想汽车",), ("Li Auto",), ("2015.HK", "LI")),
    (("小鹏汽车",), ("XPeng", "Xpeng"), ("9868.HK", "XPEV")),
    (("蔚来",), ("NIO",), ("9866.HK", "NIO")),
    (("吉利汽车",), ("Geely",), ("0175.HK",)),
    (("携程集团", "携程"), ("Trip.com",), ("9961.HK", "TCOM")),
    (("中通快递",), ("ZTO Express", "ZTO"), ("2057.HK", "ZTO")),
    (("英伟达",), ("Nvidia", "NVIDIA"), ("NVDA",)),
    (("苹果公司", "苹果"), ("Apple",), ("AAPL",)),
    (("微软",), ("Microsoft",), ("MSFT",)),
    (("亚马逊",), ("Amazon",), ("AMZN",)),
    (("谷歌", "Alphabet"), ("Google", "Alphabet"), ("GOOGL",)),
    (("特斯拉",), ("Tesla",), ("TSLA",)),
    (("博通",), ("Broadcom",), ("AVGO",)),
    (("超微半导体", "AMD"), ("AMD", "Advanced Micro Devices"), ("AMD",)),
)

_WORD_RE = re.compile(r"[A-Za-z][A-Za-z.&\-]*(?:\s+[A-Za-z][A-Za-z.&\-]*)*")


def _contains_word(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![A-Za-z]){re.escape(phrase)}(?![A-Za-z])", text, re.IGNORECASE) is not None


_QUARTERS = {"一季度": "1Q", "二季度": "2Q", "三季度": "3Q", "四季度": "4Q", "上半年": "1H", "下半年": "2H"}


def glossary_terms(question: str) -> list[str]:
    """Other-language equivalents of the finance terms in the question, both ways."""
    terms: list[str] = []
    for english, chinese in GLOSSARY.items():
        if _contains_word(question, english):
            terms.extend(chinese)
        elif any(term in question for term in chinese):
            terms.append(english)
    for quarter_zh, quarter_en in _QUARTERS.items():
        if quarter_zh in question:
            terms.append(quarter_en)
        elif re.search(rf"\b{quarter_en[0]}Q\d\d\b|\b{quarter_en}\b", question):
            terms.append(quarter_zh)
    return [t for t in dict.fromkeys(terms) if t.lower() not in question.lower()]


@lru_cache(maxsize=256)
def company_aliases(question: str) -> list[tuple[str, ...]]:
    """Alias sets (all names and tickers) of the companies the question names."""
    found = []
    for zh, en, tickers in COMPANIES:
        if any(name in question for name in zh) or any(_contains_word(question, n) for n in en + tickers):
            found.append(zh + en + tickers)
    return found


@lru_cache(maxsize=4096)
def expand_query(question: str, with_companies: bool = True) -> str:
    """The question plus the other-language names of its terms and (`with_companies`) companies."""
    extra = glossary_terms(question)
    for aliases in company_aliases(question) if with_companies else []:
        extra.extend(a for a in aliases if a not in question)
    return question if not extra else question + " " + " ".join(dict.fromkeys(extra))


@lru_cache(maxsize=512)
def pinyin_name(chinese: str) -> str | None:
    """华泰证券 -> "huatai" (the part before 证券/证券股份有限公司), or None if unavailable."""
    try:
        from pypinyin import lazy_pinyin
    except ImportError:  # optional: only cross-lingual broker matching needs it
        return None
    core = re.sub(r"(证券|证券股份有限公司|股份有限公司|有限公司|研究所|研究院)+$", "", chinese)
    if not core or not re.fullmatch(r"[\u4e00-\u9fff]+", core):
        return None
    return "".join(lazy_pinyin(core)).lower()


# What Chinese readers call the global banks (their notes print English names only): for
# questions such as "巴克莱供应链调研显示…", never for reading a report's letterhead.
_CHINESE_NAMES_OF_BANKS = {
    "Morgan Stanley": ("摩根士丹利", "大摩"), "J.P. Morgan": ("摩根大通", "小摩"), "Goldman Sachs": ("高盛",),
    "BofA Securities": ("美银", "美国银行", "美银证券"), "Citi": ("花旗",), "UBS": ("瑞银",), "Barclays": ("巴克莱",),
    "Deutsche Bank": ("德意志银行", "德银"), "Bernstein": ("伯恩斯坦",), "Jefferies": ("杰富瑞",),
    "Wells Fargo Securities": ("富国银行",), "Mizuho": ("瑞穗",), "Nomura": ("野村",), "Daiwa": ("大和",),
    "Macquarie": ("麦格理",), "CLSA": ("里昂证券",), "HSBC": ("汇丰",), "BNP Paribas Exane": ("法国巴黎银行", "法巴"),
}


def mentions_broker(question: str, broker: str) -> bool:
    """Whether the question names this broker: in full, short (华金 for 华金证券), by any
    name the broker registry knows for it (Sinolink Securities for 国金证券, SPDBI), or in
    pinyin (Huajin) — letters only, so "Guotai Junan" matches 国泰君安."""
    lowered = question.lower()
    known = broker_named(broker)
    forms = (broker, *(known.printed_names() if known else ()))
    if known is not None and known.en in _CHINESE_NAMES_OF_BANKS:
        forms = (*forms, *_CHINESE_NAMES_OF_BANKS[known.en])
    names: set[str] = set()
    for form in forms:
        names.add(form.lower())
        if form == broker:
            # The short form of the name the report uses ("华金" for 华金证券). Registry English
            # names count only whole: "Western", "Pacific", "Shanghai" alone name other things.
            short = re.sub(r"(证券|securities|capital|research|limited|ltd\.?|markets)(\s.*)?$", "", form.strip(), flags=re.I)
            names.add(short.strip().lower())
    if any(len(n) >= 2 and _names_in(n, lowered) for n in names):
        return True
    spelled = pinyin_name(broker)
    return bool(spelled and len(spelled) >= 5 and spelled in re.sub(r"[^a-z]", "", lowered))


def _names_in(name: str, text: str) -> bool:
    """`name` in `text`; a Latin name only as whole words ("Pacific" is not in "specific")."""
    if re.search(r"[\u4e00-\u9fff]", name):
        return name in text
    return re.search(rf"(?<![a-z]){re.escape(name)}(?![a-z])", text) is not None
