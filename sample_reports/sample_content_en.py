"""Sample reports, English: Harbourline (HK) note on Tencent, Meridian (US) note on TSMC.

The layout hyphenates long words at line ends (see sample_layout.HYPHENATION), so extracted
text has "semi-\\nconductor"-style breaks for cleaning tests.
Texts are our own writing; figures are approximate and for testing only."""

from __future__ import annotations

from datetime import date

from sample_blocks import Chart, Heading, Para, Table
from sample_brokers import HARBOURLINE, MERIDIAN
from sample_spec import (
    QA,
    Analyst,
    Forecast,
    Money,
    Rating,
    Related,
    ReportSpec,
    random_walk,
    risks_para,
)


def _yoy_rows(rows: tuple[tuple[str, float, float], ...]) -> tuple[tuple[str, ...], ...]:
    return tuple((name, f"{a:.1f}", f"{b:.1f}", f"{(b / a - 1) * 100:.0f}") for name, a, b in rows)


# ---------------------------------------------------------------- Harbourline · Tencent · Buy
HKD_TO_RMB = 0.915
_tc_price = 375.80
_tc_forecast = Forecast(
    years=("FY23A", "FY24E", "FY25E", "FY26E"), revenue=(609.02, 661.80, 722.40, 786.50),
    net_profit=(157.69, 218.40, 247.60, 276.90), prev_revenue=554.55, prev_net_profit=115.65, shares=9.40,
    price_in_reporting_ccy=_tc_price * HKD_TO_RMB,
    labels=("Revenue (RMB bn)", "YoY (%)", "Non-IFRS net profit (RMB bn)", "Non-IFRS EPS (RMB)", "P/E (x)"),
    title="Figure 2: Financial summary", source="Source: Company data, Harbourline Securities estimates")
_tc_risks = ("regulatory tightening on games or online content",
             "weaker consumer spending hurting advertising and payments",
             "slower-than-expected ramp of new game titles",
             "geopolitical tension affecting overseas investments")

HARBOURLINE_TENCENT = ReportSpec(
    file="harbourline_tencent_note_2024-08-15.pdf", language="en", design=HARBOURLINE, date=date(2024, 8, 15),
    title="2Q24: margin expansion outpaces revenue; games pipeline supports 2H",
    report_type="company note", sector="Internet", company="Tencent Holdings", ticker="0700.HK",
    rating=Rating("Buy", "buy", "maintain"),
    target_price=Money(480.00, "HKD"), current_price=Money(_tc_price, "HKD"),
    analysts=(Analyst("Jonathan Lam, CFA", "jonathan.lam@harbourlinesec.com", sfc_ce="BQK472", phone="+852 3958 2210"),
              Analyst("Vivian Cheung", "vivian.cheung@harbourlinesec.com", sfc_ce="BRT615", phone="+852 3958 2237")),
    risks=_tc_risks, forecast=_tc_forecast,
    key_data=(("Rating", "Buy (maintained)"), ("Target price", "HK$480.00"), ("Price (14 Aug 2024)", "HK$375.80"),
              ("Market cap", f"HK${_tc_price * 9.40:,.0f}bn"), ("Shares out.", "9.40bn"),
              ("52-week range", "HK$260.20-405.00"), ("Free float", "71%")),
    chart=Chart("Share price vs HSI (12M)", (("0700.HK", random_walk(151, 52, 0.3, 2.2)), ("HSI", random_walk(152, 52, -0.2, 1.6))),
                "Source: Bloomberg", ("Aug-23", "Dec-23", "Apr-24", "Aug-24")),
    related=(Related("1Q24: Video Accounts ads and Mini Games lead the recovery", date(2024, 5, 15)),
             Related("China Internet: games approvals normalise", date(2024, 7, 3))),
    pdf_title="Tencent Holdings (0700.HK) - 2Q24 results review",
    key_points=[
        Heading("Key points"),
        Para("2Q24 revenue rose 8% year-on-year to RMB161.1bn, in line with consensus, while non-IFRS operating "
             "profit grew 27% to RMB59.0bn, about 4% above our estimate. Gross margin expanded to 53.4% (2Q23: "
             "47.6%) on a richer mix of high-margin Video Accounts advertising, Mini Games and wealth-"
             "management services.", lead="Profit beat on mix. ", bullet=True),
        Para("Domestic games revenue rose 9% YoY to RMB34.6bn, helped by Dungeon & Fighter Mobile (launched 21 May) "
             "and a stabilising Honor of Kings; international games grew 9% YoY to RMB13.9bn. Deferred revenue "
             "growth points to a solid 2H pipeline.", lead="Games back to growth. ", bullet=True),
        Para("Marketing services revenue grew 19% YoY to RMB29.9bn, driven by Video Accounts, Mini Programs and "
             "Weixin Search. Ad load in Video Accounts remains low versus peers, leaving room for further "
             "monetization without hurting user engagement.", lead="Advertising remains the engine. ",
             bullet=True),
        Para("FinTech and Business Services rose 4% YoY to RMB50.4bn as payment volumes slowed with consumer "
             "spending, partly offset by cloud services and wealth-management fees.", lead="FinTech softer. ",
             bullet=True),
        Para("We raise FY24-26E non-IFRS EPS by 2-4% and lift our SOTP-based target price to HK$480.00 (from "
             "HK$455.00), implying c.17x FY25E non-IFRS P/E. Reiterate Buy.", lead="Valuation. ", bullet=True),
    ],
    body=[
        Heading("Results summary"),
        Table(("RMB bn", "2Q23", "2Q24", "YoY %"),
              _yoy_rows((("Revenue", 149.21, 161.12), ("Domestic games", 31.8, 34.6), ("International games", 12.7, 13.9),
                         ("Marketing services", 25.1, 29.9), ("FinTech & business services", 48.6, 50.4),
                         ("Non-IFRS operating profit", 46.5, 59.0))),
              title="Figure 1: 2Q24 results vs 2Q23", source="Source: Company data, Harbourline Securities",
              first_col=0.46),
        Heading("Segment review"),
        Para("Social networks revenue was broadly flat as growth in Mini Games platform "
             "service fees offset weaker live-streaming. We expect domestic games to grow high-single digits in "
             "2H24 as the new titles mature and the comparison base eases. Our checks suggest player retention "
             "for Dungeon & Fighter Mobile remains above industry averages.", lead="Value-added services. "),
        Para("Video Accounts total user time grew more than 80% YoY, and the "
             "conversion of that time into ad inventory is still at an early stage. AI-driven targeting upgrades "
             "lifted click-through rates, supporting pricing. We forecast marketing services revenue to grow 17% "
             "in FY24E, the fastest among China's large internet platforms.", lead="Online advertising. "),
        Para("Operating expenses grew only 1% YoY; headcount was flat. Capital expenditure rose "
             "as the company invests in GPUs for its Hunyuan foundation model, but the depreciation burden remains "
             "manageable relative to gross profit growth.", lead="Cost discipline. "),
        Heading("Earnings revision and valuation"),
        Para("We raise our FY24-26E revenue by 1% and non-IFRS net profit by 2-4%, mainly on higher gross margins. "
             "Our SOTP values the core businesses at 15x FY25E P/E for value-added services, 18x for adver"
             "tising and 14x for FinTech, plus listed and unlisted investments at a 30% holding-company "
             "discount, giving HK$480.00 per share. The stock trades at 13x FY25E P/E, below its five-year "
             "average of 22x, while its shareholder returns (buybacks of at least US$10bn in 2024) remain "
             "among the highest in the sector."),
        _tc_forecast.table(),
        Heading("Risks"),
        risks_para(tuple(r[0].upper() + r[1:] for r in _tc_risks), lang="en", bullet=False, lead=""),
    ],
    qa=(QA("What was Tencent's revenue in 2Q24?", "RMB161.1bn"),
        QA("What is Harbourline's target price for Tencent?", "HK$480.00"),
        QA("腾讯二季度国内游戏收入是多少？", "RMB34.6bn"),
        QA("What does a Buy rating mean at Harbourline?", "expected total return > 15% over the next 12 months")),
)

# ---------------------------------------------------------------- Meridian · TSMC · Overweight
TWD_PER_USD = 32.4
_tsm_price = 170.80
_tsm_forecast = Forecast(
    years=("2023A", "2024E", "2025E", "2026E"), revenue=(2161.74, 2880.50, 3560.80, 4170.40),
    net_profit=(838.50, 1160.20, 1465.70, 1732.60), prev_revenue=2263.89, prev_net_profit=1016.53, shares=25.93,
    price_in_reporting_ccy=_tsm_price * TWD_PER_USD / 5,  # one ADR = five common shares
    labels=("Revenue (NT$ bn)", "Growth (%)", "Net income (NT$ bn)", "EPS (NT$)", "ADR-implied P/E (x)"),
    title="Exhibit 3: Earnings summary", source="Source: Company reports, Meridian Capital Research estimates")
_tsm_risks = ("a sharper-than-expected slowdown in AI accelerator demand", "cross-strait and export-control risk",
              "margin dilution from overseas fabs", "a weaker smartphone and PC recovery")

MERIDIAN_TSMC = ReportSpec(
    file="meridian_tsmc_note_2024-07-19.pdf", language="en", design=MERIDIAN, date=date(2024, 7, 19),
    title="2Q24 beat, guide raised: AI accelerators keep the leading edge full",
    report_type="company note", sector="Semiconductors", company="Taiwan Semiconductor Manufacturing",
    ticker="TSM US",
    rating=Rating("Overweight", "outperform", "maintain"),
    target_price=Money(225.00, "USD"), current_price=Money(_tsm_price, "USD"),
    analysts=(Analyst("Daniel Okafor", "daniel.okafor@meridiancap-research.com", phone="+1 212 555 0148"),
              Analyst("Mei-Ling Tsai", "meiling.tsai@meridiancap-research.com", phone="+1 415 555 0192")),
    risks=_tsm_risks, forecast=_tsm_forecast,
    key_data=(("Rating", "Overweight"), ("Price target", "US$225.00"), ("Price (Jul 18)", "US$170.80"),
              ("ADR ratio", "1 ADR = 5 shares"), ("Market cap", "US$886bn"), ("52-week range", "US$84.95-193.47")),
    chart=Chart("TSM vs SOX, 12 months", (("TSM", random_walk(171, 52, 1.6, 3.0)), ("SOX", random_walk(172, 52, 0.9, 2.6))),
                "Source: FactSet", ("Jul-23", "Jan-24", "Jul-24")),
    related=(Related("Foundry pricing: 2025 increases look likely at the leading edge", date(2024, 6, 24)),
             Related("1Q24 review: AI strength offsets smartphone softness", date(2024, 4, 19))),
    pdf_title=None,
    key_points=[
        Heading("Key takeaways"),
        Para("Revenue of US$20.82bn (+40% YoY, +10% QoQ) came in above the top end of guidance, and gross margin of "
             "53.2% beat the 51-53% range on higher utilization and cost discipline, partly offset by "
             "overseas fab dilution.", lead="2Q24 above guidance. ", bullet=True),
        Para("Management guided 3Q24 revenue of US$22.4-23.2bn and gross margin of 53.5-55.5%, and raised full-year "
             "2024 revenue growth in US dollar terms to slightly above the mid-20s percent range.",
             lead="3Q24 guide above consensus. ", bullet=True),
        Para("High-performance computing rose to 52% of 2Q24 revenue. Management expects revenue from AI "
             "accelerators to more than double in 2024, and advanced-packaging (CoWoS) capacity to "
             "stay tight through 2025.", lead="AI is the driver. ", bullet=True),
        Para("2024 capex was narrowed to US$30-32bn. We think leading-edge wafer price increases for 2025 are likely "
             "as customers secure 3nm and 2nm capacity.", lead="Capex and pricing. ", bullet=True),
        Para("We raise our price target to US$225.00 (from US$190.00), c.26x our 2025E ADR EPS, and stay "
             "Overweight: TSMC remains the most direct way to own the AI semiconductor build-out.",
             lead="Valuation. ", bullet=True),
    ],
    body=[
        Heading("Results: a clean beat"),
        Para("TSMC's 2Q24 results confirmed that AI demand continues to more than offset a slow recovery in "
             "consumer end markets. Revenue rose 10% quarter-on-quarter in US dollar terms, with 3nm contributing "
             "15% of wafer revenue and 5nm 35%. Advanced technologies (7nm and below) reached 67% of wafer "
             "revenue. Operating margin was 42.5%, and net income rose 36% YoY to NT$247.8bn."),
        Table(("US$ bn", "2Q23", "2Q24", "YoY %"),
              _yoy_rows((("Revenue", 15.68, 20.82), ("Gross profit", 8.56, 11.08), ("Operating income", 6.58, 8.85))),
              title="Exhibit 1: 2Q24 results", source="Source: Company reports", first_col=0.36),
        Heading("Guidance and demand"),
        Para("The 3Q24 guide implies 8-11% sequential growth. Management flagged a 1-2 point gross margin "
             "dilution from overseas fabs in Arizona and Kumamoto over the next several years, along with higher "
             "electricity costs in Taiwan. Smartphone demand is seasonally stronger in 2H, and PC, server and networking semicon"
             "ductor inventories look healthy after a long correction."),
        Para("We see the leading-edge manufacturing roadmap as the main differentiator: N2 remains on "
             "track for volume production in 2025, and demand from both smartphone and AI customers is higher than "
             "it was for N3 at the same stage. Our channel checks suggest CoWoS capacity will roughly double again "
             "in 2025."),
        Heading("Valuation"),
        Para("Our US$225.00 price target is based on c.26x 2025E ADR EPS, a premium to the stock's five-year "
             "average forward multiple of 19x, which we think is justified by a higher-growth, higher-margin "
             "earnings mix. Our estimates are summarised below."),
        _tsm_forecast.table(),
        Heading("Risks to our rating and price target"),
        risks_para(tuple(r[0].upper() + r[1:] for r in _tsm_risks), lang="en", bullet=False, lead=""),
    ],
    qa=(QA("What was TSMC's gross margin in 2Q24?", "gross margin of 53.2%"),
        QA("What is Meridian's price target on TSM?", "US$225.00"),
        QA("台积电三季度收入指引是多少？", "US$22.4-23.2bn"),
        QA("What does Overweight mean at Meridian?", "expected to exceed the average total return")),
)

REPORTS = [HARBOURLINE_TENCENT, MERIDIAN_TSMC]
