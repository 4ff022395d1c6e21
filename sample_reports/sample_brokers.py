"""The (fictional) brokers behind the samples and their house styles."""

from __future__ import annotations

from sample_designs import Design

HUAJIN = Design(
    key="huajin", broker="华锦证券", broker_full="华锦证券股份有限公司", url="www.hjsec.com.cn", lang="zh",
    font="ZH", bold_font=None, accent=(0.78, 0.12, 0.16), bullet="◆", bullet_font="ZH",
    header_left="{sector} | {report_type}", header_right="{broker}研究所",
    footer_left="请务必阅读正文之后的免责条款部分", page_format="{page}/{total}", date_style="zh",
    band_right="证券研究报告·{report_type}", related_format="{sector}：{title}-{broker}-{sector}-{report_type} {date}",
    sidebar_order=("rating", "picks", "chart", "perf", "analysts", "related"),
)

KAIYUAN = Design(
    key="kaiyuan", broker="开元证券", broker_full="开元证券股份有限公司", url="www.kysec-research.cn", lang="zh",
    font="ZHM", bold_font=None, accent=(0.0, 0.32, 0.6), bullet="⚫", bullet_font="SYM",
    header_left="{company}（{ticker}）", header_right="公司研究·{report_type}",
    footer_left="请务必参阅正文后面的信息披露和法律声明", page_format="第 {page} 页 共 {total} 页", date_style="iso",
    band_right="公司研究 | {sector}", related_format="《{title}》{iso}", sidebar_side="left", sidebar_first=True,
    vertical_text="开元证券", side_title_bar=True, sidebar_width=150.0,
    sidebar_order=("rating", "key_data", "chart", "analysts", "related"),
)

MINGCHENG = Design(
    key="mingcheng", broker="明诚证券", broker_full="明诚证券股份有限公司", url="www.mcsec.com.cn", lang="zh",
    font="ZH", bold_font=None, accent=(0.05, 0.45, 0.35), bullet="❑", bullet_font="SYM",
    header_left="证券研究报告·{report_type}", header_right="{sector}",
    footer_left="敬请参阅最后一页特别声明", page_format="- {page} -", date_style="dots",
    band_right="{report_type} | {sector}", related_format="{title}（{iso}）", sidebar_side="left",
    first_columns=2, body_columns=2, boiler_columns=2, body_size=9.0, sidebar_width=150.0,
    sidebar_order=("rating", "picks", "perf", "chart", "analysts", "related"),
)

GUODING = Design(
    key="guoding", broker="国鼎证券", broker_full="国鼎证券股份有限公司", url="www.gdzq-research.com", lang="zh",
    font="ZH", bold_font=None, accent=(0.45, 0.12, 0.42), bullet="●", bullet_font="ZH",
    header_left="{company}（{ticker}）", header_right="{broker}·{report_type}",
    footer_left="敬请阅读末页的重要说明", page_format="{page}", date_style="zh",
    band_right="证券研究报告 | {report_type}", related_format="《{title}》{iso}",
    sidebar_order=("rating", "key_data", "chart", "analysts", "related"),
)

XINHE = Design(
    key="xinhe", broker="信和证券", broker_full="信和证券股份有限公司", url="www.xhsec.com", lang="zh",
    font="ZHM", bold_font=None, accent=(0.66, 0.42, 0.0), bullet="■", bullet_font="ZH",
    header_left="{company}（{ticker}）", header_right="{report_type}",
    footer_left="请仔细阅读本报告末页声明", page_format="{page}/{total}", date_style="zh",
    band_right="证券研究报告——{report_type}", related_format="《{title}》（{iso}）", sidebar_first=True,
    side_title_bar=True, sidebar_order=("rating", "key_data", "chart", "analysts", "related"),
)

DEYUAN = Design(
    key="deyuan", broker="德源证券", broker_full="德源证券股份有限公司", url="www.dysec.com.cn", lang="zh",
    font="ZH", bold_font=None, accent=(0.1, 0.2, 0.5), bullet="•", bullet_font="SYM",
    header_left="行业研究·{sector}", header_right="{report_type}",
    footer_left="请务必阅读正文之后的信息披露和重要声明", page_format="{page} / {total}", date_style="iso",
    band_right="行业研究 | {report_type}", related_format="{iso} {title}", sidebar_side="left",
    boiler_columns=2, sidebar_order=("rating", "picks", "perf", "chart", "analysts", "related"),
)

ANHUA = Design(
    key="anhua", broker="安华证券", broker_full="安华证券股份有限公司", url="www.ahsec.com.cn", lang="zh",
    font="ZHM", bold_font=None, accent=(0.8, 0.32, 0.05), bullet="➢", bullet_font="SYM",
    header_left="{sector}{report_type}", header_right="{broker}",
    footer_left="本报告仅供参考，请阅读最后一页的免责声明", page_format="第{page}页/共{total}页", date_style="zh",
    band_right="{sector} | {report_type}", related_format="《{title}》{date}", boiler_new_page=False,
    furniture_first=False, sidebar_order=("rating", "chart", "analysts", "related"),
)

TAIHE = Design(
    key="taihe", broker="泰和证券", broker_full="泰和证券股份有限公司", url="www.thzq.com.cn", lang="zh",
    font="ZH", bold_font=None, accent=(0.0, 0.4, 0.55), bullet="▪", bullet_font="SYM",
    header_left="{company}({ticker})", header_right="{broker}·公司研究",
    footer_left="请务必阅读正文之后的免责条款部分", page_format="{page}/{total}", date_style="zh",
    band_right="{report_type} | {sector}", related_format="{title} {iso}",
    sidebar_order=("rating", "key_data", "chart", "analysts", "related"),
)

HARBOURLINE = Design(
    key="harbourline", broker="Harbourline Securities", broker_full="Harbourline Securities Limited",
    url="www.harbourlinesec.com", lang="en", font="Helvetica", bold_font="Helvetica-Bold",
    accent=(0.0, 0.23, 0.45), bullet="•", bullet_font="Helvetica",
    header_left="{company} ({ticker})", header_right="{broker} | Equity Research",
    footer_left="See the last page for important disclosures and analyst certification",
    page_format="Page {page} of {total}", date_style="en_dmy", band_right="Equity Research | Hong Kong | {sector}",
    related_format="{title} ({en})", body_size=9.0, sidebar_width=165.0,
    sidebar_order=("key_data", "chart", "analysts", "related"),
)

MERIDIAN = Design(
    key="meridian", broker="Meridian Capital Research", broker_full="Meridian Capital Markets LLC",
    url="www.meridiancap-research.com", lang="en", font="DV", bold_font="DVB",
    accent=(0.45, 0.0, 0.1), bullet="■", bullet_font="DV",
    header_left="{company}", header_right="{broker}",
    footer_left="Please see important disclosures at the end of this report.", page_format="{page}",
    date_style="en_mdy", band_right="Equity Research | {sector} | United States", related_format="{en}: {title}",
    sidebar_side="left", sidebar_first=True, body_columns=2, boiler_new_page=False, body_size=8.6,
    sidebar_width=150.0, sidebar_order=("key_data", "chart", "analysts", "related"),
)
