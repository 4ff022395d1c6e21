"""Stock names as brokers print them (the codes' patterns are report_rag.text's).

Names: Chinese short names (贵州茅台, 五粮液, 快手-W, 京东集团-SW, TCL科技, *ST华通), or
English names in capitalised words (Tencent Holdings, DBS Group). A phrase is refused when
it carries words no stock name has (行业, 板块, 指数, 机会 …) — that is what keeps
"建议关注后续政策细节" from becoming a stock.
"""

from __future__ import annotations

import re

from report_rag.text import CJK

_SUFFIX = r"(?:-(?:SW|WR|W|S|B|U|R|X|[A-Z]))?"
_ZH_NAME_RE = re.compile(
    rf"(?:\*?ST|[A-Z]{{2,4}})?[{CJK}]{{2,8}}[A-Z]?{_SUFFIX}"  # 贵州茅台, *ST华通, TCL科技, 快手-W
    rf"|[{CJK}]{{1,4}}[A-Z]{{1,4}}[{CJK}]{{0,3}}{_SUFFIX}"  # 中芯ABC科技
)
_EN_WORD = r"(?:[A-Z][A-Za-z0-9&'.\-]*|&|of|and|de|la|the)"
_EN_NAME_RE = re.compile(rf"[A-Z][A-Za-z0-9&'.\-]*(?:\s{_EN_WORD}){{0,6}}")
_NOT_IN_NAMES = re.compile(
    r"行业|板块|指数|表现|走势|来源|资料|分析师|联系人|研究|报告|评级|收益|升幅|沪深|股价|市值|预测|估值|风险|建议|"
    r"关注|标的|机会|方向|产业链|个股|相关|领域|环节|厂商|企业|政策|需求|进展|节奏|落地|情况|动态|价格|趋势|催化|"
    r"细节|数据来源|公司公告|以及|我们|其中|受益|有望|领先|龙头企业|上市公司|同比|环比|亿元|万元|市场|投资|业绩|"
    r"基本面|盈利|增长|代码|名称|简称"
)
_EN_NOT_NAMES = frozenset(
    "Source Sources Figure Exhibit Table Chart Company Ticker Rating Price Target Risks Key The We Our This "
    "Analyst Analysts Sector Industry Total Note Notes".split()
)


# Industries and themes, as strategy notes name them where a stock would stand (申万 level-1
# industries and the usual themes): never a stock's name.
_SECTORS = frozenset(
    "农林牧渔 基础化工 化工 钢铁 有色金属 有色 色金属 电子 汽车 家用电器 家电 食品饮料 纺织服饰 轻工制造 医药生物 医药 公用事业 交通运输 房地产 "
    "商贸零售 社会服务 银行 非银金融 证券 保险 综合 建筑材料 建材 建筑装饰 电力设备 机械设备 机械 国防军工 军工 计算机 传媒 通信 煤炭 石油石化 环保 "
    "美容护理 光伏 储能 锂电 锂电池 风电 电力 电网 能源 新能源 半导体 芯片 存储 存储芯片 算力 光模块 消费电子 白酒 黄金 稀土 创新药 机器人 "
    "人形机器人 低空经济 数据中心 云计算 人工智能 游戏 影视 出版 航运 港口 航空 物流 养殖 猪肉 高股息 红利 中特估".split()
)


def is_stock_name(text: str) -> bool:
    """Does `text` (folded, trimmed) read as one stock's short name?"""
    name = text.strip()
    if not name or len(name) > 40:
        return False
    if name in _SECTORS:
        return False
    if re.search(f"[{CJK}]", name):
        return _ZH_NAME_RE.fullmatch(name) is not None and _NOT_IN_NAMES.search(name) is None
    if _EN_NAME_RE.fullmatch(name) is None or len(name.split()) > 6:
        return False
    return name.split()[0] not in _EN_NOT_NAMES and not name.isdigit()


_INDEX_FAMILY = re.compile(r"^(?:SW|CS|申万|中信|中证|万得|Wind)")


def is_sector_name(text: str) -> bool:
    """An industry or theme, also as an index family prints it (SW房地产, 申万医药, 中信电子)."""
    name = text.strip()
    return name in _SECTORS or _INDEX_FAMILY.sub("", name) in _SECTORS
