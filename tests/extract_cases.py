"""Hand-written report pages in layouts the extraction rules were NOT tuned on, with the
facts a careful reader would take from them (same shape as sample_reports/gold.json).

Written before the rules, to keep the sample scores honest (first run, untuned: micro
precision 0.970, recall 0.888 over these seven PDFs; two `rating.raw` entries were later
aligned with gold.json's convention, see below). The tests and
`bench/eval_extract.py --extra` render them to PDF with tests/pdf_factory.py and run the
full parse -> clean -> extract path. Each case also exercises one of the issue's
"bad input" shapes (named in `shape`).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ExtractCase:
    name: str
    shape: str  # what the layout exercises
    pages: list[str]
    gold: dict = field(default_factory=dict)


def _rating(raw: str, normalized: str | None, action: str | None = None, grade: str | None = None) -> dict:
    return {"raw": raw, "normalized": normalized, "action": action, "grade": grade}


def _pick(name: str, code: str | None = None, rating: str | None = None) -> dict:
    return {"name": name, "code": code, "rating": rating}


def _analyst(name: str, sac: str | None = None, email: str | None = None) -> dict:
    return {"name": name, "sac": sac, "email": email}


_EN_DISCLAIMER = (
    "Disclaimer\n"
    "This report is provided for information purposes only and does not constitute an offer to buy or sell any security.\n"
    "Past performance is not a guide to future performance. No part of this report may be reproduced without prior written consent."
)
_ZH_DISCLAIMER = (
    "免责声明\n"
    "本报告仅供{firm}股份有限公司的客户使用。本报告所载资料的来源被认为是可靠的，但本公司不保证其准确性或完整性。\n"
    "风险提示：报告中的内容和意见仅供参考，并不构成对所述证券买卖的出价或询价。投资者据此做出的任何投资决策与本公司无关。\n"
    "未经本公司书面许可，任何机构和个人不得以任何形式翻版、复制、发表或引用本报告的任何部分。"
)

EN_RATING_BOX = ExtractCase(
    name="en_rating_box",
    shape="English rating box with an upgrade and the previous rating; risks in one sentence",
    pages=[
        "Northgate Securities Limited\n"
        "Asia Pacific Equity Research\n"
        "Company Update | Consumer | China\n"
        "12 March 2025\n"
        "Anta Sports Products (2020 HK)\n"
        "Margins hold up as Fila stabilises\n"
        "RATING BOX\n"
        "Recommendation: OUTPERFORM (upgraded from NEUTRAL)\n"
        "12-month target price: HK$105.00\n"
        "Last close (11 Mar 2025): HK$82.40\n"
        "Market cap: HK$232bn\n"
        "Investment summary\n"
        "We upgrade Anta to Outperform from Neutral. Fila retail sales returned to growth in 4Q24 and the\n"
        "group operating margin held at 23%, better than we had feared. Our new target price of HK$105.00\n"
        "is based on 20x FY25E P/E.\n"
        "Key risks: slower sportswear demand in China; execution risk at Amer Sports; inventory build-up in the wholesale channel.\n"
        "Analyst\n"
        "Sarah Wong, CFA\n"
        "+852 2123 4567\n"
        "sarah.wong@northgatesec.com",
        "Valuation\n"
        "Our HK$105.00 target price is based on 20x FY25E P/E, in line with the five-year average multiple.\n"
        "Ratings definitions\n"
        "Outperform: the stock is expected to beat the MSCI China index by more than 10% over the next 12 months.\n"
        "Neutral: the stock is expected to perform within 10% of the MSCI China index over the next 12 months.\n"
        "Underperform: the stock is expected to lag the MSCI China index by more than 10% over the next 12 months.\n"
        + _EN_DISCLAIMER
        + "\nNorthgate Securities Limited accepts no liability for any loss arising from the use of this report.",
    ],
    gold={
        "broker": "Northgate Securities",
        "date": "2025-03-12",
        "title": "Margins hold up as Fila stabilises",
        "report_type": "Company Update",
        "sector": "Consumer",
        "company": "Anta Sports Products",
        "ticker": "2020 HK",
        # raw keeps the printed action, as sample gold does for 买入（维持） (corrected after the
        # first run, which expected "OUTPERFORM").
        "rating": _rating("OUTPERFORM (upgraded from NEUTRAL)", "outperform", "upgrade"),
        "industry_rating": None,
        "previous_rating": "NEUTRAL",
        "target_price": {"value": 105.0, "currency": "HKD"},
        "current_price": {"value": 82.4, "currency": "HKD"},
        "picks": [],
        "analysts": [_analyst("Sarah Wong, CFA", email="sarah.wong@northgatesec.com")],
        "contacts": [],
        "risks": [
            "slower sportswear demand in China",
            "execution risk at Amer Sports",
            "inventory build-up in the wholesale channel",
        ],
        "related_reports": [],
        "performance": None,
    },
)

ZH_RATINGS_TABLE = ExtractCase(
    name="zh_ratings_table",
    shape="industry weekly: a table of ratings across several stocks, numbered risks, inline analyst",
    pages=[
        "宏远证券 证券研究报告\n"
        "有色金属 | 行业周报\n"
        "2024年12月06日\n"
        "铜价震荡上行，资源龙头估值具备吸引力\n"
        "行业评级：推荐（维持）\n"
        "分析师：何俊峰 执业证书编号：S0560521070001\n"
        "邮箱：hejunfeng@hyzq.com.cn\n"
        "联系人：丁可 dingke@hyzq.com.cn\n"
        "本周观点\n"
        "■ 本周LME铜价上涨2.3%，国内库存连续三周下降，冶炼厂加工费维持低位。我们认为，美联储降息预期与国内稳增长\n"
        "政策共同支撑铜价中枢上移，北向资金本周净买入有色板块12亿元。\n"
        "■ 投资建议：资源龙头估值具备吸引力，推荐标的：紫金矿业、洛阳钼业、铜陵有色、江西铜业。\n"
        "■ 风险提示：1）全球经济衰退风险；2）美联储降息节奏不及预期；3）矿山供应超预期释放。",
        "表3：重点公司估值及投资评级\n"
        "股票代码 股票名称 收盘价（元） EPS 2024E EPS 2025E PE 2024E 投资评级\n"
        "601899.SH 紫金矿业 15.32 1.22 1.45 12.6 买入\n"
        "603993.SH 洛阳钼业 6.85 0.52 0.61 13.2 增持\n"
        "000630.SZ 铜陵有色 3.21 0.23 0.27 14.0 增持\n"
        "600362.SH 江西铜业 21.50 1.95 2.20 11.0 中性\n"
        "资料来源：Wind，宏远证券研究所（收盘价截至2024年12月5日）\n"
        "风险提示\n"
        "1）全球经济衰退风险：若全球经济陷入衰退，铜需求将明显下降；\n"
        "2）美联储降息节奏不及预期：美元走强将压制金属价格；\n"
        "3）矿山供应超预期释放：新增产能投放加快将导致供需转向宽松。",
        "投资评级说明\n"
        "行业评级\n"
        "推荐：预期未来6个月内行业指数表现优于市场指数10%以上；\n"
        "中性：预期未来6个月内行业指数表现相对市场指数持平；\n"
        "回避：预期未来6个月内行业指数表现弱于市场指数10%以上。\n"
        "公司评级\n"
        "买入：预期未来6个月内股价相对市场指数涨幅15%以上；\n"
        "增持：预期未来6个月内股价相对市场指数涨幅介于5%-15%之间；\n"
        "中性：预期未来6个月内股价相对市场指数涨幅介于-5%-5%之间；\n"
        "减持：预期未来6个月内股价相对市场指数跌幅5%以上。\n"
        + _ZH_DISCLAIMER.format(firm="宏远证券"),
    ],
    gold={
        "broker": "宏远证券",
        "date": "2024-12-06",
        "title": "铜价震荡上行，资源龙头估值具备吸引力",
        "report_type": "行业周报",
        "sector": "有色金属",
        "company": None,
        "ticker": None,
        "rating": _rating("推荐（维持）", "outperform", "maintain"),
        "industry_rating": None,
        "previous_rating": None,
        "target_price": None,
        "current_price": None,
        "picks": [
            _pick("紫金矿业", "601899.SH", "买入"),
            _pick("洛阳钼业", "603993.SH", "增持"),
            _pick("铜陵有色", "000630.SZ", "增持"),
            _pick("江西铜业", "600362.SH", "中性"),
        ],
        "analysts": [_analyst("何俊峰", "S0560521070001", "hejunfeng@hyzq.com.cn")],
        "contacts": ["丁可"],
        "risks": ["全球经济衰退风险", "美联储降息节奏不及预期", "矿山供应超预期释放"],
        "related_reports": [],
        "performance": None,
    },
)

ZH_TWO_RATINGS_FULLWIDTH = ExtractCase(
    name="zh_two_ratings_fullwidth",
    shape="company and industry rating together; full-width digits, punctuation and spaces",
    pages=[
        "瑞丰证券　公司深度报告　２０２４年０６月１８日\n"
        "比亚迪（００２５９４．ＳＺ）\n"
        "海外放量叠加技术迭代，龙头地位稳固\n"
        "公司评级：　买入　（　首次　）\n"
        "行业评级：　强于大市　（　维持　）\n"
        "目标价：　３２０．００元\n"
        "现价：　２５６．８０元\n"
        "分析师：　孙立　　Ｓ１２３０５２２０１０００２　　sunli@rfzq.com.cn\n"
        "投资要点\n"
        "◆　事件：公司发布５月产销快报，新能源汽车销量３３．２万辆，同比增长３８．１％，其中海外销量３．８万辆。\n"
        "◆　投资建议：首次覆盖，给予“买入”评级，目标价３２０．００元。同时看好产业链相关公司，受益标的：宁德时代（３００７５０．ＳＺ）、　福耀玻璃（６００６６０．ＳＨ）、　拓普集团。\n"
        "◆　风险提示：海外贸易壁垒加剧；　价格竞争超预期；　新车型销量不及预期。",
        "投资评级说明\n"
        "公司评级：买入——预期未来６个月内股价相对沪深３００指数涨幅超过１５％；增持——涨幅介于５％至１５％之间。\n"
        "行业评级：强于大市——预期未来６个月内行业指数涨幅超越沪深３００指数；同步大市——与沪深３００指数持平。\n"
        + _ZH_DISCLAIMER.format(firm="瑞丰证券"),
    ],
    gold={
        "broker": "瑞丰证券",
        "date": "2024-06-18",
        "title": "海外放量叠加技术迭代，龙头地位稳固",
        "report_type": "公司深度报告",
        "sector": None,
        "company": "比亚迪",
        "ticker": "002594.SZ",
        "rating": _rating("买入（首次）", "buy", "initiate"),
        "industry_rating": "强于大市",
        "previous_rating": None,
        "target_price": {"value": 320.0, "currency": "CNY"},
        "current_price": {"value": 256.8, "currency": "CNY"},
        "picks": [
            _pick("宁德时代", "300750.SZ"),
            _pick("福耀玻璃", "600660.SH"),
            _pick("拓普集团"),
        ],
        "analysts": [_analyst("孙立", "S1230522010002", "sunli@rfzq.com.cn")],
        "contacts": [],
        "risks": ["海外贸易壁垒加剧", "价格竞争超预期", "新车型销量不及预期"],
        "related_reports": [],
        "performance": None,
    },
)

ZH_PICKS_PAGE_BREAK = ExtractCase(
    name="zh_picks_page_break",
    shape="picks list across a page break; -W/-S/-SW names; a duplicate name; comma-separated risks",
    pages=[
        "德诚证券 行业点评 2024年03月15日\n"
        "互联网传媒 | 行业点评\n"
        "平台经济回暖，港股互联网估值修复\n"
        "投资评级：看好（首次）\n"
        "投资要点\n"
        "■ 事件：3月5日政府工作报告提出，支持平台企业在引领发展、创造就业、国际竞争中大显身手。\n"
        "■ 投资建议：平台经济政策环境改善，港股互联网龙头估值处于历史低位。重点关注：腾讯控股（0700.HK）、美团-W（3690.HK）、\n"
        "京东集团-SW（9618.HK）、网易-S（9999.HK）、腾讯控股（0700.HK）、快手-W（1024.HK）、",
        "哔哩哔哩-W（9626.HK）、阿里巴巴-SW（9988.HK）等。\n"
        "■ 风险提示：宏观经济复苏不及预期，监管政策变化，行业竞争加剧。\n"
        "分析师 陆雪 S1100522080001 luxue@dczq.com.cn\n"
        "行业评级说明\n"
        "看好：预期未来6个月内行业指数优于沪深300指数；中性：与沪深300指数持平；看淡：弱于沪深300指数。\n"
        + _ZH_DISCLAIMER.format(firm="德诚证券"),
    ],
    gold={
        "broker": "德诚证券",
        "date": "2024-03-15",
        "title": "平台经济回暖，港股互联网估值修复",
        "report_type": "行业点评",
        "sector": "互联网传媒",
        "company": None,
        "ticker": None,
        "rating": _rating("看好（首次）", "outperform", "initiate"),
        "industry_rating": None,
        "previous_rating": None,
        "target_price": None,
        "current_price": None,
        "picks": [
            _pick("腾讯控股", "0700.HK"),
            _pick("美团-W", "3690.HK"),
            _pick("京东集团-SW", "9618.HK"),
            _pick("网易-S", "9999.HK"),
            _pick("快手-W", "1024.HK"),
            _pick("哔哩哔哩-W", "9626.HK"),
            _pick("阿里巴巴-SW", "9988.HK"),
        ],
        "analysts": [_analyst("陆雪", "S1100522080001", "luxue@dczq.com.cn")],
        "contacts": [],
        "risks": ["宏观经济复苏不及预期", "监管政策变化", "行业竞争加剧"],
        "related_reports": [],
        "performance": None,
    },
)

ZH_NO_RATING = ExtractCase(
    name="zh_no_rating",
    shape="macro note: no rating, no picks; rating words and 建议关注 in prose must not count",
    pages=[
        "远航证券 宏观研究 | 宏观点评\n"
        "2024年10月12日\n"
        "财政政策加码，关注增量资金落地节奏\n"
        "分析师：钱程 SAC：S0200519010003 qiancheng@yhzq.com.cn\n"
        "核心观点\n"
        "● 财政部10月12日召开发布会，表示将在近期陆续推出一揽子有针对性的增量政策举措。我们维持对经济温和复苏的判断，\n"
        "市场对政策力度的预期偏中性。本周北向资金净买入A股120亿元，外资对中国资产的配置意愿有所回升。\n"
        "● 建议关注后续人大常委会审议的政策细节，以及特殊国债发行节奏。\n"
        "● 风险提示：政策落地不及预期；海外经济衰退超预期。",
        _ZH_DISCLAIMER.format(firm="远航证券"),
    ],
    gold={
        "broker": "远航证券",
        "date": "2024-10-12",
        "title": "财政政策加码，关注增量资金落地节奏",
        "report_type": "宏观点评",
        "sector": None,
        "company": None,
        "ticker": None,
        "rating": None,
        "industry_rating": None,
        "previous_rating": None,
        "target_price": None,
        "current_price": None,
        "picks": [],
        "analysts": [_analyst("钱程", "S0200519010003", "qiancheng@yhzq.com.cn")],
        "contacts": [],
        "risks": ["政策落地不及预期", "海外经济衰退超预期"],
        "related_reports": [],
        "performance": None,
    },
)

EN_BUY_ON_CL = ExtractCase(
    name="en_buy_on_cl",
    shape='English note rated "Buy (on CL)"; NT$ prices; risks as one prose sentence',
    pages=[
        "Summit Capital Research\n"
        "Asia Pacific | Technology | Company Note\n"
        "2 August 2024\n"
        "MediaTek Inc. (2454 TT)\n"
        "Dimensity 9400 ramps ahead of schedule\n"
        "Rating: Buy (on CL)\n"
        "Price target: NT$1,450\n"
        "Price: NT$1,205 (as of 1 Aug 2024)\n"
        "Analysts\n"
        "Ethan Park\n"
        "ethan.park@summitcap.com\n"
        "Priya Nair\n"
        "priya.nair@summitcap.com\n"
        "Investment view\n"
        "We reiterate our Buy rating. Flagship SoC shipments are tracking ahead of plan and the AI ASIC project\n"
        "with a US hyperscaler should start contributing in 2026. We raise FY25E EPS by 6%.\n"
        "Risks\n"
        "Key downside risks include weaker smartphone demand, share loss to Qualcomm and a slower AI ASIC ramp.",
        "Rating definitions\n"
        "Buy: we expect the stock to outperform the coverage universe over the next 12 months.\n"
        "Neutral: we expect the stock to perform in line with the coverage universe.\n"
        "Sell: we expect the stock to underperform the coverage universe.\n"
        "CL: the stock is on our regional Conviction List.\n" + _EN_DISCLAIMER,
    ],
    gold={
        "broker": "Summit Capital",
        "date": "2024-08-02",
        "title": "Dimensity 9400 ramps ahead of schedule",
        "report_type": "Company Note",
        "sector": "Technology",
        "company": "MediaTek Inc.",
        "ticker": "2454 TT",
        "rating": _rating("Buy (on CL)", "buy", "maintain"),
        "industry_rating": None,
        "previous_rating": None,
        "target_price": {"value": 1450.0, "currency": "TWD"},
        "current_price": {"value": 1205.0, "currency": "TWD"},
        "picks": [],
        "analysts": [
            _analyst("Ethan Park", email="ethan.park@summitcap.com"),
            _analyst("Priya Nair", email="priya.nair@summitcap.com"),
        ],
        "contacts": [],
        "risks": ["weaker smartphone demand", "share loss to Qualcomm", "a slower AI ASIC ramp"],
        "related_reports": [],
        "performance": None,
    },
)

EN_SECTOR_TABLE = ExtractCase(
    name="en_sector_table",
    shape="English sector note: coverage table with per-stock ratings, top picks in prose",
    pages=[
        "Eastwind Securities\n"
        "Asia Pacific Equity Research | Industry Update | Banks\n"
        "18 November 2024\n"
        "ASEAN banks: margins peak, asset quality holds\n"
        "Sector rating: Overweight (maintained)\n"
        "Analyst: Lim Wei Ming | weiming.lim@eastwindsec.com | +65 6220 1188\n"
        "Key takeaways\n"
        "Net interest margins of the Singapore banks peaked in 3Q24, but fee income and benign credit costs keep\n"
        "returns high. Top picks: DBS Group (D05 SP) and UOB (U11 SP).\n"
        "Figure 4: Our coverage\n"
        "Company Ticker Rating Price Target price\n"
        "DBS Group D05 SP Buy S$38.10 S$44.00\n"
        "OCBC O39 SP Hold S$15.20 S$15.80\n"
        "UOB U11 SP Buy S$34.00 S$39.50\n"
        "Bank Central Asia BBCA IJ Hold Rp10,150 Rp10,800\n"
        "Source: Bloomberg, Eastwind Securities estimates\n"
        "Risks\n"
        "Faster rate cuts by the Fed; A sharper slowdown in China; Rising credit costs in the SME book.",
        "Rating definitions\n"
        "Buy: total return expected above 10% over 12 months. Hold: between -10% and 10%. Sell: below -10%.\n"
        "Sector ratings: Overweight: the sector is expected to outperform the MSCI Asia ex-Japan index.\n"
        + _EN_DISCLAIMER,
    ],
    gold={
        "broker": "Eastwind Securities",
        "date": "2024-11-18",
        "title": "ASEAN banks: margins peak, asset quality holds",
        "report_type": "Industry Update",
        "sector": "Banks",
        "company": None,
        "ticker": None,
        "rating": _rating("Overweight (maintained)", "outperform", "maintain"),  # see en_rating_box
        "industry_rating": None,
        "previous_rating": None,
        "target_price": None,
        "current_price": None,
        "picks": [_pick("DBS Group", "D05 SP", "Buy"), _pick("UOB", "U11 SP", "Buy")],
        "analysts": [_analyst("Lim Wei Ming", email="weiming.lim@eastwindsec.com")],
        "contacts": [],
        "risks": ["Faster rate cuts by the Fed", "A sharper slowdown in China", "Rising credit costs in the SME book"],
        "related_reports": [],
        "performance": None,
    },
)

CASES: list[ExtractCase] = [
    EN_RATING_BOX,
    ZH_RATINGS_TABLE,
    ZH_TWO_RATINGS_FULLWIDTH,
    ZH_PICKS_PAGE_BREAK,
    ZH_NO_RATING,
    EN_BUY_ON_CL,
    EN_SECTOR_TABLE,
]


# The text of a real 华金证券 行业快报 (markdown from another converter, one page, no date),
# when the shared seed folder is present. Facts read off it by hand.
SEED_GOLD = {
    "broker": "华金证券",
    "date": None,
    "title": "Gemma 2 发布，降本提效延展 AI 生态",
    "report_type": "行业快报",
    "sector": "传媒",
    "company": None,
    "ticker": None,
    "rating": _rating("领先大市-A维持", "outperform", "maintain", "A"),
    "industry_rating": None,
    "previous_rating": None,
    "target_price": None,
    "current_price": None,
    "picks": [
        _pick(name)
        for name in (
            "腾讯控股 网易-S 美图公司 汤姆猫 昆仑万维 恺英网络 巨人网络 世纪天鸿 蓝色光标 南方传媒 天娱数科 引力传媒 "
            "捷成股份 视觉中国 华策影视 因赛集团 天下秀 上海电影 华扬联众 掌阅科技 顺网科技 中广天择 万兴科技"
        ).split()
    ],
    "analysts": [_analyst("倪爽", "S0910523020003", "nishuang@huajinsec.cn")],
    "contacts": [],
    "risks": ["政策不确定性", "AI 落地不及预期", "宏观环境波动风险"],
    "related_reports": [
        {"title": "钉钉举办重磅会议, 构建开放 AI 生态", "date": "2024-06-27"},
        {"title": "OpenAI 禁令发布, 国产大模型或迎发展机遇", "date": "2024-06-27"},
        {"title": "Claude 3.5 Sonnet 发布, AI 应用场景持续拓展", "date": "2024-06-23"},
        {"title": "视频生成赛道火热, 下游产业有望受益", "date": "2024-06-16"},
        {"title": "Apple 携手 OpenAI, 端侧 AI 迎重磅催化", "date": "2024-06-11"},
        {"title": "微短剧新规生效, 助力优质内容稳健发展", "date": "2024-06-04"},
        {"title": "影视产业持续回暖, 关注档期潜在爆款", "date": "2024-06-02"},
    ],
    "performance": {"relative": [-4.21, -16.44, -24.01], "absolute": [-9.2, -17.82, -34.18]},
}
