"""Realistic cleaned report pages (the shape clean_pages produces) for chunking/meta tests.

Blocks are separated by a blank line, lines inside a block (table rows, sidebar key/value
lines) by a newline. Brokers and companies in the invented reports are fictitious.
"""

from __future__ import annotations

from report_rag.types import Page

# A 行业快报 shaped like /work/shared/seed: 投资要点 bullets, a sidebar with a rating, a
# table and a 相关报告 list with other dates, then the rating system and disclaimer tail.
ZH_FLASH_PAGE_1 = """证券研究报告

传媒 | 行业快报

2024年06月28日

Gemma 2 发布，降本提效延展 AI 生态

投资要点

◆ 热点事件：6月27日，Google 面向全球研究人员和开发人员发布 Gemma 2 大语言模型，目前有 90 亿参数（9B）和 270 亿参数（27B）两种大小，并将在未来几个月发布参数为 26 亿的 Gemma 2 模型，更适合智能手机的人工智能应用场景。大语言模型持续迭代，降本增效有望加速 AI 赋能 B 端和 C 端应用和生产。

◆ Gemma 2 带来效率和性能的提升。目前，Gemma 2 共推出 9B 和 27B 两种参数，与上一代相比性能大幅度提升，但部署要求大幅度下降，只需一块 NVIDIA H100 Tensor Core GPU 或 TPU 主机就能使用。架构方面：基于上一代进行了全方位改良，使用局部滑动窗口注意力和全局注意力，其中局部注意力层的滑动窗口大小设置为 4096 个 tokens，全局注意力层的跨度设置为 8192 个 tokens。训练数据方面：Gemma 2 的 27B 模型使用了 13 万亿 tokens 的英文数据进行训练，9B 模型使用了 8 万亿 tokens 数据，这些数据包括网页文档、代码、论文和科学文章等。训练策略方面：Gemma 2 使用了知识蒸馏方法，通过学习大型教师模型给出的输出概率进行训练，以较小规模复制卓越性能。Gemma 2 在 MMLU 5-shot 中得分 75.2%，显著高于 Gemma-1 的 42.3%。

◆ 投资建议：优质模型持续迭代，降本增效，有望拓展 AI 生态，多元赋能千行百业发展。建议关注：腾讯控股、网易-S、美图公司、汤姆猫、昆仑万维、恺英网络、巨人网络等。

◆ 风险提示：政策不确定性、AI 落地不及预期、宏观环境波动风险等。

投资评级 领先大市-A维持

一年行业表现

资料来源：聚源

升幅% 1M 3M 12M
相对收益 -4.21 -16.44 -24.01
绝对收益 -9.2 -17.82 -34.18

分析师

倪爽
SAC 执业证书编号：S0910523020003
nishuang@huajinsec.cn

相关报告

传媒：钉钉举办重磅会议，构建开放 AI 生态-华金证券-传媒-行业快报 2024.6.27

传媒：Claude 3.5 Sonnet 发布，AI 应用场景持续拓展-华金证券-传媒-行业快报 2024.6.23"""

ZH_FLASH_PAGE_2 = """行业评级体系

收益评级：

领先大市—未来 6 个月的投资收益率领先沪深 300 指数 10%以上；

落后大市—未来 6 个月的投资收益率落后沪深 300 指数 10%以上；

分析师声明

倪爽声明，本人具有中国证券业协会授予的证券投资咨询执业资格，勤勉尽责、诚实守信。本人对本报告的内容和观点负责，特此声明。

免责声明：

本报告仅供华金证券股份有限公司（以下简称“本公司”）的客户使用。本公司不会因为任何机构或个人接收到本报告而视其为本公司的当然客户。

本报告版权仅为本公司所有，未经事先书面许可，任何机构和个人不得以任何形式翻版、复制、发表、转发、篡改或引用本报告的任何部分。如征得本公司同意进行引用、刊发的，需注明出处为“华金证券股份有限公司研究所”。

风险提示：

报告中的内容和意见仅供参考，并不构成对所述证券买卖的出价或询价。投资者对其投资行为负完全责任，我公司及其雇员对使用本报告及其内容所引发的任何直接或间接损失概不负责。

华金证券股份有限公司

办公地址：

上海市浦东新区杨高南路 759 号陆家嘴世纪金融广场 30 层

电话：021-20655588

网址：www.huajinsec.cn"""

ZH_FLASH = [Page(1, ZH_FLASH_PAGE_1), Page(2, ZH_FLASH_PAGE_2)]

# A 公司点评 with numbered sections, a paragraph running over a page break, a heading at a
# page end, a sidebar "公司评级 / 买入（维持）" and a 3-character broker name.
ZH_COMPANY_PAGE_1 = """公司研究 | 公司点评

东海岸证券研究所

星河电子（688123）：二季度业绩超预期，AI 服务器电源放量

发布日期：2024年8月30日

公司评级
买入（维持）

核心观点

事件：公司发布 2024 年半年报，上半年实现营业收入 38.6 亿元，同比增长 27.4%；实现归母净利润 4.12 亿元，同比增长 41.8%。其中第二季度实现营业收入 21.3 亿元，环比增长 23.1%，业绩超出市场预期。

一、服务器电源放量，盈利能力持续提升

上半年公司服务器电源业务收入 15.2 亿元，同比增长 86%，占营业收入比重提升至 39%。受益于高功率 AI 服务器电源产品出货，公司综合毛利率提升 2.3 个百分点至 24.8%，其中第二季度毛利率达到 25.6%，创上市以来新高。我们认为随着海外云厂商资本开支继续上行，公司在 3kW 以上高功率电源领域的份额有望进一步提升，带动"""

ZH_COMPANY_PAGE_2 = """产品结构持续优化，盈利能力仍有提升空间。

二、盈利预测与投资建议

我们上调公司 2024-2026 年归母净利润预测至 8.6/11.2/14.0 亿元，对应 EPS 分别为 1.08/1.40/1.75 元，当前股价对应 PE 分别为 28/21/17 倍，维持“买入”评级。

三、风险提示"""

ZH_COMPANY_PAGE_3 = """下游需求不及预期；新产品导入进度不及预期；原材料价格大幅波动；行业竞争加剧。

分析师承诺

作者具有中国证券业协会授予的证券投资咨询执业资格，以勤勉的职业态度，独立、客观地出具本报告。

投资评级说明

买入：相对强于市场表现 20%以上；
增持：相对强于市场表现 5%～20%；

免责声明：本报告仅供东海岸证券股份有限公司的客户使用，本公司不会因接收人收到本报告而视其为客户。本报告版权归东海岸证券股份有限公司所有，未经书面许可不得翻版、复制或引用。

风险提示：市场有风险，投资需谨慎。本报告中的信息和意见仅供参考，不构成投资建议。

东海岸证券股份有限公司
地址：深圳市福田区福华一路 88 号
邮编：518048"""

ZH_COMPANY = [Page(1, ZH_COMPANY_PAGE_1), Page(2, ZH_COMPANY_PAGE_2), Page(3, ZH_COMPANY_PAGE_3)]

EN_NOTE_PAGE_1 = """Harbourview Securities Limited | Equity Research | Technology Hardware

June 28, 2024

Contoso Corp (CTSO US)

Upgrade to Buy: AI server cycle has further to run

Rating: Buy (from Hold)
Target price: US$145.00 (from US$118.00)
Share price (as of 27 Jun 2024): US$121.37

Key points

• Server revenue beat. Contoso reported fiscal Q4 revenue of US$12.4bn, up 18% year-on-year and 4% above consensus, driven by AI-optimised servers, which now account for 31% of the mix.

• Margins inflect. Gross margin expanded 120bp quarter-on-quarter to 24.6% as component costs eased and the higher-value liquid-cooled racks ramped; management guided to a further 50-80bp of expansion in FY25.

• We raise FY25-26E EPS by 9-12%. Our new estimates assume 22% server growth in FY25, still below the 30%+ implied by hyperscaler capex plans.

Valuation

Our US$145 target price is based on 18x FY25E EPS of US$8.05, a 10% premium to the stock's five-year average forward P/E, which we think is justified by the faster growth and higher return on invested capital. The stock trades at 15x, a discount to peers at 19x."""

EN_NOTE_PAGE_2 = """Key risks

Downside risks include a slowdown in hyperscaler capital expenditure, delays to next-generation GPU shipments, and share losses to original design manufacturers in the white-box market.

Financial summary
FY Dec (US$m) 2023A 2024E 2025E 2026E
Revenue 41,200 46,900 57,200 63,400
EBIT 2,310 2,980 3,870 4,410
EPS (US$) 5.61 6.90 8.05 9.12

Analyst Certification

I, Jane Doe, certify that the views expressed in this report accurately reflect my personal views about the subject securities and issuers, and that no part of my compensation was, is or will be directly related to the specific recommendations.

Important Disclosures

This report has been prepared by Harbourview Securities Limited for information purposes only and does not constitute an offer to sell or a solicitation of an offer to buy any security. Past performance is not indicative of future results.

Ratings definitions

Buy: the stock is expected to outperform the relevant benchmark by 10% or more over the next 12 months.
Hold: the stock is expected to perform in line with the benchmark over the next 12 months.

Risks

Investing in equities involves risk. This document may not be reproduced without the prior written consent of Harbourview Securities Limited.

Harbourview Securities Limited, 1 Harbour Road, Hong Kong. Tel: +852 2000 0000"""

EN_NOTE = [Page(1, EN_NOTE_PAGE_1), Page(2, EN_NOTE_PAGE_2)]
