"""Small realistic report texts for pipeline tests (drawn into PDFs by pdf_factory)."""

from __future__ import annotations

from pathlib import Path

from pdf_factory import make_text_pdf

MEDIA_REPORT = [
    "传媒 行业快报\n2024年06月28日\nGemma 2 发布，降本提效延展 AI 生态\n投资要点\n"
    "◆ 热点事件：6月27日，Google 面向全球研究人员和开发人员发布 Gemma 2 大语言模型，目前有\n"
    "90 亿参数和 270 亿参数两种大小。\n"
    "◆ 投资建议：建议关注腾讯控股、网易-S、美图公司、汤姆猫、昆仑万维。\n"
    "◆ 风险提示：政策不确定性、AI 落地不及预期、宏观环境波动风险等。\n"
    "投资评级 领先大市-A 维持\n分析师 倪爽\nSAC 执业证书编号：S0910523020003",
    "行业评级体系\n领先大市—未来 6 个月的投资收益率领先沪深 300 指数 10%以上；\n"
    "免责声明\n本报告仅供华金证券股份有限公司的客户使用。本公司不会因为任何机构或个人接收到本报告而视其为本公司的当然客户。",
]

LIQUOR_REPORT = [
    "食品饮料 公司点评\n2024年08月12日\n贵州茅台（600519.SH）：业绩稳健增长，维持买入评级\n"
    "◆ 公司上半年实现营业收入 834.51 亿元，同比增长 17.76%，归母净利润 416.96 亿元。\n"
    "◆ 直销渠道占比提升，i茅台 平台收入持续增长。\n"
    "◆ 目标价 2,100 元，维持买入评级。\n"
    "◆ 风险提示：需求复苏不及预期、食品安全风险。",
    "免责声明\n本报告仅供示例证券股份有限公司的客户使用。",
]

ENGLISH_NOTE = [
    "Tencent Holdings (0700.HK)\n28 June 2024\nRating: Buy | Target price: HK$520.00\n"
    "Key points\n"
    "Games revenue grew 8% year on year, led by domestic evergreen titles.\n"
    "Advertising revenue rose 22% on video accounts and mini programs.\n"
    "Risks: regulatory tightening in gaming, slower advertising recovery.",
    "Important Disclosures\nThis report is for information only and does not constitute an offer to buy or sell securities.",
]


def write_corpus(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "media": make_text_pdf(folder / "media flash 传媒 快报.pdf", MEDIA_REPORT),
        "liquor": make_text_pdf(folder / "moutai.pdf", LIQUOR_REPORT),
        "english": make_text_pdf(folder / "tencent_note.pdf", ENGLISH_NOTE),
    }
