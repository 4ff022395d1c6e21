"""The publisher from its own traces (letterhead, e-mail domains, SAC firm codes, research
institute, copyright), never from another firm named in the text."""

from __future__ import annotations

from report_rag.parse.brokers import firm_from_email_domain, identify_broker, score_brokers
from report_rag.parse.meta import read_meta
from report_rag.types import Page

EN_NOTE = Page(1, "\n".join([
    "J.P. Morgan",
    "North America Equity Research",
    "NVIDIA Corp (NVDA US) Overweight",
    "Harlan Sur AC (1-415-315-6700) harlan.sur@jpmorgan.com J.P. Morgan Securities LLC",
    "Blackwell ramp on track; raising price target to $215",
]))
EN_DISCLOSURES = Page(9, "\n".join([
    "MSCI: the index data are provided by Morgan Stanley Capital International.",
    "Goldman Sachs and Morgan Stanley are co-managers of an offering mentioned herein.",
    "Copyright 2025 JPMorgan Chase & Co. All rights reserved.",
]))


def test_a_firm_named_in_disclosures_never_wins() -> None:
    meta = read_meta([EN_NOTE, EN_DISCLOSURES])
    assert meta.broker == "J.P. Morgan"
    ranked = score_brokers([EN_NOTE, EN_DISCLOSURES])
    assert ranked[0].broker.en == "J.P. Morgan"
    others = {m.broker.en: m.score for m in ranked[1:]}
    assert others.get("Morgan Stanley", 0) < 3 and others.get("Goldman Sachs", 0) < 3


def test_chinese_note_by_sac_code_and_domain_in_the_language_of_the_report() -> None:
    page = Page(1, "\n".join([
        "证券研究报告·公司点评报告·电池",
        "宁德时代（300750）",
        "2026年一季报点评：龙头份额再提升",
        "证券分析师 曾朵红 执业证书：S0600516080001 zengdh@dwzq.com.cn",
        "研究助理 某某 执业证书：S0600124080002",
        "资料来源：Wind，中信证券研究部数据",  # another firm cited as a source
    ]))
    assert read_meta([page]).broker == "东吴证券"


def test_a_hong_kong_arm_is_named_in_the_notes_language() -> None:
    zh = Page(1, "交银国际研究\n公司更新\n豪威集团 (603501 CH)\n分析师 someone@bocomgroup.com")
    en = Page(1, "BOCOM International\nCompany update\nOmniVision (603501 CH)\nAnalyst someone@bocomgroup.com\n"
                 "We cut our target price as terminal demand softens across handsets and autos.")
    assert read_meta([zh]).broker == "交银国际"
    assert read_meta([en]).broker == "BOCOM International"


def test_unregistered_firm_from_the_domain_its_analysts_sign_with() -> None:
    page = Page(1, "Summit Capital Research Asia\nIndustry note\nEthan Park ethan.park@summitcap.com\n"
                   "Regional banks: margins peak while asset quality holds up.")
    assert firm_from_email_domain([page]) == "Summit Capital"
    assert identify_broker([page]) is None


def test_equal_claims_leave_the_broker_empty() -> None:
    page = Page(1, "Barclays\nUBS\nJoint note\nAnalysts: a@barclays.com b@ubs.com")
    assert identify_broker([page]) is None
