"""Sample reports, part C: 安华证券 计算机行业快报, 泰和证券 中国平安公司点评, 华锦证券 食品饮料行业快报.

Texts are our own writing about public events; figures are approximate and for testing only."""

from __future__ import annotations

from datetime import date

from sample_blocks import Chart, Heading, Para, Table
from sample_brokers import ANHUA, HUAJIN, TAIHE
from sample_spec import (
                         QA,
                         Analyst,
                         Forecast,
                         Money,
                         Perf,
                         Pick,
                         Rating,
                         Related,
                         ReportSpec,
                         picks_para,
                         random_walk,
                         risks_para,
)

# ---------------------------------------------------------------- 安华证券 · 计算机 · 行业快报 (initiation)
_ai_picks = (Pick("海光信息", "688041.SH"), Pick("中科曙光", "603019.SH"), Pick("浪潮信息", "000977.SZ"),
             Pick("金山办公", "688111.SH"), Pick("科大讯飞", "002230.SZ"), Pick("润和软件", "300339.SZ"),
             Pick("软通动力", "301236.SZ"))
_ai_risks = ("AI技术迭代不及预期", "下游应用商业化不及预期", "算力供应链受限", "行业竞争加剧")

ANHUA_AI = ReportSpec(
    file="anhua_computer_flash_2025-02-10.pdf", language="zh", design=ANHUA, date=date(2025, 2, 10),
    title="DeepSeek引爆国产大模型生态，算力与应用双轮驱动", report_type="行业快报", sector="计算机",
    rating=Rating("强于大市（首次）", "outperform", "initiate"),
    analysts=(Analyst("邵博文", "shaobowen@ahsec.com.cn", sac="S1810523040001"),),
    picks=_ai_picks, picks_label="受益标的", risks=_ai_risks,
    chart=Chart("计算机行业指数走势", (("计算机", random_walk(91, 52, 0.4, 2.6)), ("沪深300", random_walk(92, 52, 0.2, 1.4))),
                "资料来源：Wind", ("2024-02", "2024-06", "2024-10", "2025-02")),
    related=(Related("AI应用周报：智能体加速落地，关注办公与编程场景", date(2025, 1, 20)),
             Related("信创行业深度：从党政走向行业，国产化进入深水区", date(2024, 12, 9))),
    pdf_title="DeepSeek引爆国产大模型生态",
    key_points=[
        Heading("投资要点"),
        Para("1月20日，DeepSeek正式发布推理模型DeepSeek-R1，在数学、代码与自然语言推理等任务上的表现与OpenAI o1正式版"
             "相当，并以MIT许可协议开源模型权重。1月27日，DeepSeek应用登顶美国区App Store免费榜。2月以来，华为云、腾讯云、"
             "阿里云、百度智能云等国内主要云厂商相继上线DeepSeek系列模型。", lead="事件：", bullet=True),
        Para("DeepSeek-V3的技术报告显示，其完整训练约消耗278.8万H800 GPU小时，按租赁价格折算的训练成本约557.6万美元，"
             "显著低于海外同级别模型。R1的API定价为每百万输入tokens 1元（缓存命中）/4元（缓存未命中），每百万输出tokens "
             "16元，大幅降低了推理调用门槛。", lead="低成本路线验证，推理价格大幅下探。", bullet=True),
        Para("华为昇腾、海光DCU等国产芯片已完成对DeepSeek系列模型的适配，推理侧需求有望向国产算力倾斜。同时，开源模型"
             "降低了企业私有化部署的门槛，政务、金融、能源等行业的一体机与本地化部署需求快速增长。",
             lead="国产算力适配加速，私有化部署需求爆发。", bullet=True),
        Para("模型能力提升与调用成本下降，将推动AI在办公、编程、客服与教育等场景的渗透，具备场景与数据优势的应用厂商"
             "有望率先实现商业化突破。", lead="应用侧迎来拐点。", bullet=True),
        picks_para(_ai_picks, "受益标的", "投资建议：", "首次覆盖，给予计算机行业“强于大市”评级。"),
        risks_para(_ai_risks),
    ],
    body=[
        Heading("一、DeepSeek-R1：开源推理模型的里程碑"),
        Para("R1在训练中大规模使用强化学习，在仅有少量标注数据的情况下显著提升了模型的推理能力，并通过蒸馏将推理能力迁移到"
             "更小的模型上。开源的1.5B至70B蒸馏模型使得中小企业可以在单机或少量服务器上部署具备较强推理能力的模型。我们认为，"
             "这将改变行业对算力需求的结构：训练侧的边际需求可能放缓，但推理侧需求将随应用普及而快速增长。"),
        Table(("模型", "发布时间", "开源协议", "主要特点"),
              (("DeepSeek-V3", "2024-12", "MIT", "MoE架构，训练成本低"), ("DeepSeek-R1", "2025-01", "MIT", "强化学习推理"),
               ("Janus-Pro", "2025-01", "MIT", "多模态理解与生成")),
              title="表1：DeepSeek近期发布的主要模型", source="资料来源：DeepSeek官网，安华证券研究所", first_col=0.24,
              align="llll"),
        Heading("二、投资观点：算力与应用双轮驱动"),
        Para("算力端，推理需求的增长与国产芯片适配的推进，利好国产AI芯片、服务器与一体机厂商；应用端，模型能力的提升与"
             "成本的下降将加速办公软件、智能客服与行业解决方案的商业化。我们首次覆盖计算机行业，给予“强于大市”评级。"),
    ],
    qa=(QA("DeepSeek-R1是什么时候发布的？", "1月20日，DeepSeek正式发布推理模型DeepSeek-R1"),
        QA("DeepSeek-V3的训练成本是多少？", "约557.6万美元"),
        QA("What rating does Anhua give the computer sector?", "强于大市"),
        QA("安华证券“强于大市”的定义是什么？", "未来6个月内行业指数涨幅高于同期沪深300指数10%以上")),
)

# ---------------------------------------------------------------- 泰和证券 · 中国平安 · 公司点评 (downgrade)
_pa_forecast = Forecast(
    years=("2023A", "2024E", "2025E", "2026E"), revenue=(9137.89, 9326.40, 9702.80, 10105.50),
    net_profit=(856.65, 902.30, 968.10, 1035.40), prev_revenue=8865.60, prev_net_profit=837.74, shares=182.10,
    price_in_reporting_ccy=41.50,
    labels=("营业收入（亿元）", "同比（%）", "归母净利润（亿元）", "EPS（元）", "PE（倍）"),
    title="表2：中国平安盈利预测", source="资料来源：公司公告，泰和证券研究所")
_pa_risks = ("长端利率下行超预期", "权益市场大幅波动", "新业务价值增长不及预期", "资产质量风险")

TAIHE_PINGAN = ReportSpec(
    file="taihe_pingan_company_2024-04-29.pdf", language="zh", design=TAIHE, date=date(2024, 4, 29),
    title="NBV高增但利润承压，下调至中性", report_type="公司点评", sector="非银金融",
    company="中国平安", ticker="601318.SH",
    rating=Rating("中性（下调）", "neutral", "downgrade"),
    target_price=Money(43.00, "CNY"), current_price=Money(41.50, "CNY"),
    analysts=(Analyst("程一帆", "chengyifan@thzq.com.cn", sac="S1830522060002"),
              Analyst("孟琪", "mengqi@thzq.com.cn", sac="S1830524020005")),
    contacts=(Analyst("赵一鸣", "zhaoyiming@thzq.com.cn"),),
    risks=_pa_risks, forecast=_pa_forecast,
    key_data=(("上次评级", "增持"), ("总股本（亿股）", "182.10"), ("A股市值（亿元）", "4,484.57"),
              ("每股内含价值（元）", "76.34"), ("PEV（倍）", "0.54")),
    chart=Chart("股价表现", (("中国平安", random_walk(111, 52, -0.2, 1.7)), ("沪深300", random_walk(112, 52, -0.1, 1.2))),
                "资料来源：Wind", ("2023-04", "2023-08", "2023-12", "2024-04")),
    related=(Related("中国平安2023年报点评：寿险NBV恢复增长，分红稳定", date(2024, 3, 22)),
             Related("保险行业2024年度策略：负债端改善，资产端待修复", date(2023, 12, 4))),
    pdf_title="中国平安(601318)2024年一季报点评",
    key_points=[
        Heading("投资要点"),
        Para("公司发布2024年一季报，实现归母营运利润376.78亿元，同比下降3.0%；归母净利润366.78亿元，同比下降4.3%。"
             "寿险及健康险新业务价值同比增长20.9%，财产险综合成本率为98.2%。", lead="事件：", bullet=True),
        Para("个险渠道代理人产能持续提升，银保渠道在“报行合一”后价值率有所改善，推动新业务价值实现高增。不过，新业务价值"
             "的高增长部分来自去年同期低基数，我们预计后续季度增速将逐步回落。", lead="NBV高增长，负债端延续改善。",
             bullet=True),
        Para("一季度长端利率持续下行，公司投资收益率承压；同时，财险业务受大灾与车险费用率上升影响，承保利润有所减少。"
             "我们认为，在利率下行周期中，利差损风险仍是制约保险公司估值修复的核心因素。", lead="利润端承压，投资收益率下行。",
             bullet=True),
        Para(f"考虑到利率中枢下移对投资收益的影响，我们下调盈利预测，{_pa_forecast.summary_zh(1)}。"
             "给予目标价43.00元，评级由“增持”下调至“中性”。", lead="下调评级：", bullet=True),
        risks_para(_pa_risks),
    ],
    body=[
        Heading("1. 寿险：新业务价值高增，关注持续性"),
        Para("一季度公司寿险及健康险新业务价值按可比口径同比增长20.9%。分渠道看，代理人渠道人均新业务价值同比提升，代理人"
             "规模降幅收窄；银保渠道受“报行合一”影响，新单保费有所下滑，但价值率提升带动新业务价值增长。"),
        Heading("2. 财险：综合成本率小幅上升"),
        Para("一季度平安产险综合成本率为98.2%，同比上升约0.4个百分点，主要受车险费用投入增加与自然灾害赔付影响。保证保险"
             "业务的风险出清已基本完成，对整体承保利润的拖累减轻。"),
        Heading("3. 投资：利率下行压制收益"),
        Para("一季度公司年化净投资收益率与总投资收益率均同比下降。十年期国债收益率在一季度下行至2.3%附近，新增固收资产的"
             "配置收益率面临压力。我们认为，保险公司的资产负债匹配压力将持续存在，估值修复需要等待利率企稳。"),
        _pa_forecast.table(),
    ],
    qa=(QA("中国平安2024年一季度归母净利润是多少？", "归母净利润366.78亿元"),
        QA("泰和证券为什么下调中国平安评级？", "评级由“增持”下调至“中性”"),
        QA("What was Ping An's NBV growth in 1Q24?", "新业务价值同比增长20.9%"),
        QA("泰和证券“中性”评级的定义？", "预期相对涨跌幅介于-5%至5%")),
)

# ---------------------------------------------------------------- 华锦证券 · 食品饮料 · 行业快报 (two pages)
_food_picks = (Pick("贵州茅台", "600519.SH", "买入"), Pick("五粮液", "000858.SZ", "买入"),
               Pick("山西汾酒", "600809.SH", "买入"), Pick("泸州老窖", "000568.SZ", "增持"),
               Pick("东鹏饮料", None, "增持"), Pick("盐津铺子"))
_food_risks = ("宏观经济复苏不及预期", "消费需求恢复不及预期", "食品安全风险", "原材料价格波动风险")

HUAJIN_FOOD = ReportSpec(
    file="huajin_food_flash_2024-09-27.pdf", language="zh", design=HUAJIN, date=date(2024, 9, 27),
    title="政策组合拳密集落地，食品饮料估值修复可期", report_type="行业快报", sector="食品饮料",
    rating=Rating("同步大市-A维持", "neutral", "maintain", "A"),
    analysts=(Analyst("周启航", "zhouqihang@hjsec.com.cn", sac="S1250521090002"),),
    contacts=(Analyst("宋雨桐", "songyutong@hjsec.com.cn"),),
    picks=_food_picks, picks_label="建议关注", sidebar_picks=True, risks=_food_risks,
    perf=Perf((9.34, 2.18, -6.75), (14.06, -1.95, -15.40)),
    chart=Chart("一年行业表现", (("食品饮料", random_walk(131, 52, -0.4, 1.6)), ("沪深300", random_walk(132, 52, -0.15, 1.2))),
                "资料来源：聚源", ("2023-09", "2024-01", "2024-05", "2024-09")),
    related=(Related("白酒中秋动销平淡，关注国庆旺季表现", date(2024, 9, 18)),
             Related("中报总结：大众品分化，白酒稳健", date(2024, 9, 3)),
             Related("8月社零数据点评：餐饮增速放缓", date(2024, 9, 14))),
    pdf_title="",
    key_points=[
        Heading("投资要点"),
        Para("9月24日，国新办举行新闻发布会，中国人民银行宣布降低存款准备金率0.5个百分点、下调政策利率0.2个百分点，并"
             "引导商业银行将存量房贷利率平均下调约0.5个百分点；9月26日，中央政治局会议提出要努力提振资本市场，促进房地产"
             "市场止跌回稳，并强调要把促消费和惠民生结合起来。", lead="热点事件：", bullet=True),
        Para("政策组合拳超出市场预期，风险偏好快速修复。9月24日至27日，食品饮料板块累计涨幅居前，白酒、啤酒与休闲零食"
             "等顺周期子行业表现突出。我们认为，此前市场对消费需求的悲观预期已充分反映在估值中，板块估值处于近十年低位。",
             lead="消费板块估值修复。", bullet=True),
        Para("存量房贷利率下调将直接减轻居民利息支出，叠加资本市场回暖带来的财富效应，居民消费意愿有望逐步修复。高端白酒"
             "的商务宴请需求对经济预期较为敏感，有望率先受益；大众品中，具备渠道扩张能力与新品周期的公司成长性更强。",
             lead="需求端有望逐步改善。", bullet=True),
        Para("中秋期间高端白酒动销表现平淡，飞天茅台批价有所回落，渠道库存处于偏高水平，酒企普遍将经营重心转向控货稳价。"
             "我们认为，在需求预期改善之前，行业仍处于去库存阶段，但政策转向有望缩短这一过程。国庆旺季的动销表现与春节前的"
             "打款进度，将是验证需求修复的关键指标。头部酒企品牌力与渠道掌控力更强，有望在本轮调整中进一步提升市场份额。",
             lead="白酒：库存去化仍需时间，龙头韧性更强。", bullet=True),
        Para("大众品方面，成本端原奶、大麦与包材价格整体处于下行通道，为啤酒、乳制品与软饮料企业的毛利率改善提供支撑。"
             "能量饮料、量贩零食等细分赛道保持较高景气，具备全国化渠道扩张能力与新品储备的公司有望保持较快增长；餐饮供应链"
             "相关公司则有望受益于餐饮需求的逐步回暖。", lead="大众品：成本红利延续，关注渠道扩张与新品周期。", bullet=True),
        picks_para(_food_picks, "建议关注", "投资建议：", "政策托底叠加低估值，建议把握板块修复机会。"),
        risks_para(_food_risks),
    ],
    body=[],
    qa=(QA("央行宣布降准多少？", "降低存款准备金率0.5个百分点"),
        QA("华锦证券对食品饮料行业的评级是什么？", "同步大市-A维持"),
        QA("What are Huajin's picks in food and beverage?", "五粮液(000858.SZ)"),
        QA("华锦证券风险评级A的含义？", "正常风险，未来6个月投资收益率的波动小于等于沪深300指数波动")),
)

REPORTS = [ANHUA_AI, TAIHE_PINGAN, HUAJIN_FOOD]
