"""The legal back matter of each sample broker: rating definitions, analyst certification,
disclaimers, addresses. Wording is ours; the structure follows what Chinese and Hong Kong /
US sell-side reports carry, with each broker's own rating vocabulary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sample_blocks import Block, Break, Heading, Kind, Para

if TYPE_CHECKING:
    from sample_spec import ReportSpec

Defs = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


@dataclass(frozen=True)
class LegalProfile:
    rating_heading: str
    ratings: Defs  # (group title, ((label, definition), ...))
    benchmark: str
    addresses: tuple[str, ...]
    phone: str
    variant: int  # picks order/subset of the disclaimer paragraphs, so brokers differ


def _company6(buy: str, out_: str, neu: str, under: str, sell: str | None = None) -> tuple[tuple[str, str], ...]:
    rows = [("买入", buy), ("增持", out_), ("中性", neu), ("减持", under)]
    return tuple(rows + ([("卖出", sell)] if sell else []))


PROFILES: dict[str, LegalProfile] = {
    "huajin": LegalProfile(
        "行业评级体系",
        (("收益评级", (("领先大市", "未来6个月的投资收益率领先沪深300指数10%以上"),
                      ("同步大市", "未来6个月的投资收益率与沪深300指数的变动幅度相差-10%至10%"),
                      ("落后大市", "未来6个月的投资收益率落后沪深300指数10%以上"))),
         ("风险评级", (("A", "正常风险，未来6个月投资收益率的波动小于等于沪深300指数波动"),
                      ("B", "较高风险，未来6个月投资收益率的波动大于沪深300指数波动"))),
         ("公司评级", _company6("未来6个月的投资收益率领先沪深300指数15%以上", "领先沪深300指数5%至15%",
                               "与沪深300指数的变动幅度相差-5%至5%", "落后沪深300指数5%至15%",
                               "落后沪深300指数15%以上"))),
        "", ("上海市浦东新区滨江大道2288号华锦金融中心21层", "北京市西城区金融大街27号投资广场B座9层",
             "深圳市福田区福华三路168号国际商会中心32层"), "021-61986600", 0),
    "kaiyuan": LegalProfile(
        "分析师承诺及投资评级说明",
        (("证券评级", (("买入（Buy）", "预计相对强于市场表现20%以上"), ("增持（Outperform）", "预计相对强于市场表现5%～20%"),
                      ("中性（Neutral）", "预计相对市场表现在-5%～+5%之间波动"),
                      ("减持（Underperform）", "预计相对弱于市场表现5%以下"))),
         ("行业评级", (("看好（overweight）", "预计行业超越整体市场表现"), ("中性（Neutral）", "预计行业与整体市场表现基本持平"),
                      ("看淡（underperform）", "预计行业弱于整体市场表现")))),
        "备注：评级标准为以报告日后的6～12个月内，证券相对于市场基准指数的涨跌幅表现，其中A股基准指数为沪深300指数、"
        "港股基准指数为恒生指数、美股基准指数为标普500或纳斯达克综合指数。投资者应阅读整篇报告，以获取比较完整的观点与信息，"
        "不应仅仅依靠投资评级来推断结论。",
        ("西安市高新区锦业路1号都市之门B座8层", "上海市浦东新区银城中路200号中银大厦35层"), "029-88365800", 1),
    "mingcheng": LegalProfile(
        "投资评级说明",
        (("行业投资评级", (("增持", "未来6个月内行业指数相对沪深300指数涨幅超过10%"),
                        ("中性", "未来6个月内行业指数相对沪深300指数涨跌幅介于-10%至10%之间"),
                        ("减持", "未来6个月内行业指数相对沪深300指数跌幅超过10%"))),
         ("公司投资评级", _company6("未来6个月内股价相对沪深300指数涨幅超过15%", "相对涨幅介于5%至15%之间",
                                   "相对涨跌幅介于-5%至5%之间", "相对跌幅超过5%"))),
        "", ("广州市天河区珠江东路11号明诚证券大厦18层",), "020-38296000", 2),
    "guoding": LegalProfile(
        "国鼎证券投资评级标准",
        (("股票投资评级", (("推荐", "预期未来6个月内股价相对沪深300指数涨幅超过20%"),
                        ("谨慎推荐", "预期未来6个月内股价相对沪深300指数涨幅介于10%至20%之间"),
                        ("中性", "预期未来6个月内股价相对沪深300指数变动幅度介于-10%至10%之间"),
                        ("回避", "预期未来6个月内股价相对沪深300指数跌幅超过10%"))),
         ("行业投资评级", (("推荐", "行业基本面向好，预期行业指数超越沪深300指数"),
                        ("中性", "行业基本面稳定，预期行业指数与沪深300指数表现持平"),
                        ("回避", "行业基本面转弱，预期行业指数弱于沪深300指数")))),
        "", ("深圳市南山区科苑南路2666号国鼎大厦26层",), "0755-82130800", 3),
    "xinhe": LegalProfile(
        "披露声明",
        (("公司投资评级", (("买入", "预计该公司股价在未来6-12个月内超越基准指数20%以上"),
                        ("增持", "预计该公司股价在未来6-12个月内超越基准指数10%-20%"),
                        ("中性", "预计该公司股价在未来6-12个月内相对基准指数变动幅度在-10%-10%之间"),
                        ("减持", "预计该公司股价在未来6-12个月内相对基准指数跌幅在10%以上"),
                        ("未有评级", "因无法获取必要的资料或者其他原因，未能给出明确的投资评级"))),
         ("行业投资评级", (("强于大市", "预计该行业指数在未来6-12个月内表现强于基准指数"),
                        ("中性", "预计该行业指数在未来6-12个月内表现基本与基准指数持平"),
                        ("弱于大市", "预计该行业指数在未来6-12个月内表现弱于基准指数")))),
        "沪深市场基准指数为沪深300指数；新三板市场基准指数为三板成指或三板做市指数；香港市场基准指数为恒生指数；"
        "美国市场基准指数为纳斯达克综合指数或标普500指数。",
        ("上海市浦东新区陆家嘴环路1200号信和大厦27层", "北京市东城区朝阳门北大街8号富华大厦E座5层"), "021-68604866", 0),
    "deyuan": LegalProfile(
        "评级说明",
        (("行业评级", (("看好", "未来6个月内行业指数跑赢沪深300指数"), ("中性", "未来6个月内行业指数与沪深300指数持平"),
                      ("看淡", "未来6个月内行业指数跑输沪深300指数"))),
         ("公司评级", (("买入", "未来6个月内股价跑赢沪深300指数15%以上"), ("增持", "未来6个月内股价跑赢沪深300指数5%-15%"),
                      ("持有", "未来6个月内股价相对沪深300指数变动在-5%至5%之间"),
                      ("减持", "未来6个月内股价跑输沪深300指数5%以上")))),
        "", ("杭州市上城区新业路228号德源证券大厦12层",), "0571-87901888", 1),
    "anhua": LegalProfile(
        "行业及公司评级体系",
        (("行业评级", (("强于大市", "未来6个月内行业指数涨幅高于同期沪深300指数10%以上"),
                      ("同步大市", "未来6个月内行业指数与同期沪深300指数涨跌幅相差在-10%至10%之间"),
                      ("弱于大市", "未来6个月内行业指数涨幅低于同期沪深300指数10%以上"))),
         ("公司评级", _company6("未来6个月内股价涨幅高于同期沪深300指数15%以上", "高于沪深300指数5%至15%",
                               "相对沪深300指数涨跌幅在-5%至5%之间", "低于沪深300指数5%以上"))),
        "", ("合肥市蜀山区梅山路18号安华金融广场A座10层", "上海市虹口区东大名路638号7层"), "0551-65161600", 2),
    "taihe": LegalProfile(
        "投资评级说明",
        (("公司评级", _company6("预期未来6个月内相对沪深300指数涨幅15%以上", "预期相对涨幅介于5%至15%",
                               "预期相对涨跌幅介于-5%至5%", "预期相对跌幅5%以上")),
         ("行业评级", (("增持", "预期未来6个月内行业指数涨幅超越沪深300指数5%以上"),
                      ("中性", "预期未来6个月内行业指数与沪深300指数相差-5%至5%"),
                      ("减持", "预期未来6个月内行业指数落后沪深300指数5%以上")))),
        "", ("成都市高新区天府大道北段966号泰和金融港3号楼15层",), "028-86690000", 3),
}


def _disclaimers(full: str) -> list[str]:
    return [
        f"本报告仅供{full}（以下简称“本公司”）的客户使用。本公司不会因任何机构或个人接收到本报告而视其为本公司的当然客户。"
        "本报告仅在相关法律许可的情况下发放，并仅为提供信息而发放，不构成任何广告或要约。",
        "本报告所依据的信息均来源于已公开的资料，本公司对这些信息的准确性、完整性和及时性不作任何保证。报告所载的资料、意见"
        "及推测仅反映本公司于发布本报告当日的判断，报告中证券或投资标的的价格、价值及投资收入可升可跌，过往表现不应作为日后"
        "表现的依据。在不同时期，本公司可发出与本报告所载资料、意见及推测不一致的报告，且不保证及时公开发布更新。",
        "本报告中的信息或所表述的意见均不构成对任何人的投资建议，也未考虑到个别客户特殊的投资目标、财务状况或需要。客户应当"
        "考虑本报告中的任何意见或建议是否符合其特定状况，不应将本报告作为作出投资决策的惟一参考因素。在任何情况下，本公司"
        "不对任何人因使用本报告中的任何内容所引致的任何损失负任何责任。",
        "在法律许可的情况下，本公司及所属关联机构可能会持有报告中提到的公司所发行的证券并进行交易，还可能为这些公司提供或者"
        "争取提供投资银行、财务顾问或者金融产品等相关服务，提请客户充分注意可能存在的利益冲突。",
    ]


def _copyright(full: str) -> str:
    return (f"本报告版权仅为{full}所有。未经本公司事先书面许可，任何机构和个人不得以任何形式翻版、复制、发表、转发或引用本报告"
            f"的任何部分。如征得本公司同意进行引用、刊发的，需在允许的范围内使用，并注明出处为“{full}研究所”，且不得对本报告"
            "进行任何有悖原意的引用、删节和修改。")


def boilerplate_zh(spec: ReportSpec) -> list[Block]:
    d = spec.design
    p = PROFILES[d.key]
    full = d.broker_full
    out: list[Block] = [Kind("boilerplate")]
    if d.boiler_new_page:
        out.append(Break("boilerplate"))
    out.append(Heading(p.rating_heading))
    for group, defs in p.ratings:
        out.append(Para(f"{group}：", small=True))
        out += [Para(f"{label} —{definition}；", small=True) for label, definition in defs]
    if p.benchmark:
        out.append(Para(p.benchmark, small=True))
    names = "、".join(a.name for a in spec.analysts)
    out += [Heading("分析师声明"),
            Para(f"{names}声明，本人具有中国证券业协会授予的证券投资咨询执业资格并注册为证券分析师，以勤勉尽责的职业态度，"
                 "独立、客观地出具本报告。本报告清晰、准确地反映了本人的研究观点，结论不受任何第三方的授意或影响。本人薪酬的任何"
                 "部分过去不曾与、现在不与、未来也将不会与本报告中的具体投资建议或观点直接或间接相关，特此声明。", small=True)]
    if p.variant in (0, 2):
        out += [Heading("本公司具备证券投资咨询业务资格的说明"),
                Para(f"{full}经中国证券监督管理委员会核准，取得证券投资咨询业务许可。发布证券研究报告是证券投资咨询业务的一种基本"
                     "形式，本公司可以对证券及证券相关产品的价值、市场走势或者相关影响因素进行分析，形成证券估值、投资评级等投资"
                     "分析意见，制作证券研究报告，并向本公司的客户发布。", small=True)]
    paras = _disclaimers(full)
    order = [paras[k] for k in ((0, 1, 2, 3), (1, 2, 0), (0, 2, 3, 1), (2, 1, 3))[p.variant]]
    out.append(Heading("免责声明" if p.variant != 3 else "特别声明"))
    out += [Para(t, small=True) for t in order]
    out += [Heading("法律声明" if p.variant != 1 else "版权声明"), Para(_copyright(full), small=True),
            Para("市场有风险，投资需谨慎。", small=True)]
    contact = "\n".join((full, *(f"地址：{a}" for a in p.addresses), f"电话：{p.phone}", f"网址：{d.url}"))
    out.append(Para(contact, small=True))
    return out


EN_RATINGS = {
    "harbourline": ("Rating definitions",
                    (("Buy", "expected total return > 15% over the next 12 months"),
                     ("Hold", "expected total return between -5% and 15% over the next 12 months"),
                     ("Sell", "expected total return < -5% over the next 12 months")),
                    "Total return is price change plus expected dividends; benchmarks are not used for "
                    "Hong Kong-listed stocks."),
    "meridian": ("Stock rating definitions",
                 (("Overweight (OW)", "the stock's total return is expected to exceed the average total return "
                                      "of the analyst's coverage universe over the next 12-18 months"),
                  ("Equal-weight (EW)", "total return expected in line with the coverage universe average"),
                  ("Underweight (UW)", "total return expected below the coverage universe average"),
                  ("Not Rated (NR)", "no rating or target price is currently assigned")),
                 "Ratings distribution (30 June 2024): Overweight 52%, Equal-weight 38%, Underweight 10%."),
}


def boilerplate_en(spec: ReportSpec) -> list[Block]:
    d = spec.design
    heading, defs, note = EN_RATINGS[d.key]
    names = " and ".join(a.name for a in spec.analysts)
    out: list[Block] = [Kind("boilerplate")]
    if d.boiler_new_page:
        out.append(Break("boilerplate"))
    out += [
        Heading("Analyst Certification"),
        Para(f"The research analyst(s) primarily responsible for this report, {names}, certify that the views "
             "expressed herein accurately reflect their personal views about the subject securities and issuers, "
             "and that no part of their compensation was, is or will be directly or indirectly related to the "
             "specific recommendations or views contained in this report.", small=True),
        Heading("Important Disclosures"),
        Para(f"{d.broker_full} and/or its affiliates may hold a position in, act as market maker for, or seek "
             f"investment banking business from {spec.company}. Investors should be aware that the firm may have a "
             "conflict of interest that could affect the objectivity of this report, and should consider this "
             "report as only a single factor in making their investment decision.", small=True),
        Para("Prices in this report are as of the close of the previous trading day unless otherwise stated. "
             "Past performance is not necessarily a guide to future performance.", small=True),
        Heading(heading),
        *[Para(f"{label}: {text}.", small=True) for label, text in defs],
        Para(note, small=True),
        Heading("Disclaimer"),
        Para("This report is provided for information purposes only. It is not an offer to buy or sell, or a "
             "solicitation of an offer to buy or sell, any security. The information herein has been obtained "
             "from sources believed to be reliable, but its accuracy and completeness are not guaranteed. "
             "Opinions and estimates are subject to change without notice. The securities discussed may not "
             "be suitable for all investors.", small=True),
    ]
    if d.key == "harbourline":
        out.append(Para(f"Hong Kong: this report is distributed by {d.broker_full}, a corporation licensed by the "
                        "Securities and Futures Commission for Type 4 (advising on securities) regulated activity. "
                        "Analysts named with an SFC CE number are licensed representatives.", small=True))
    else:
        out.append(Para(f"United States: this report is distributed by {d.broker_full}, a member of FINRA and "
                        "SIPC. Non-US analysts may not be registered or qualified with FINRA and may not be "
                        "subject to its restrictions on communications with subject companies.", small=True))
    out.append(Para(f"Copyright {spec.date.year} {d.broker_full}. All rights reserved. {d.url}", small=True))
    return out
