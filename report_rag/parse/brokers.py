"""The broker registry: who publishes research, by every name and trace a report leaves.

A report names many firms: its own on the letterhead, in the analysts' e-mail addresses and
SAC numbers and in its copyright line, and others in passing — an index provider (MSCI,
"Morgan Stanley Capital International"), a rating agency, an affiliate abroad, a firm it
quotes. So the publisher is scored on evidence that only the publisher leaves (letterhead,
e-mail domain, the firm code inside SAC numbers, "XX研究所", a copyright line), and a firm
merely mentioned in the text never wins on mentions alone.

Names are given in the report's language: 交银国际 for a Chinese note, BOCOM International for
an English one. SAC firm codes (the first five characters of an S-number) and e-mail domains
listed here were read off real reports; a firm missing from the registry is read by the
generic letterhead rule in parse/meta.py, or left empty.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from report_rag.types import Page


@dataclass(frozen=True, slots=True)
class Broker:
    zh: str | None  # short Chinese name as brokers print it: 东吴证券, 交银国际
    en: str | None  # short English name: Morgan Stanley, J.P. Morgan, CICC
    names: tuple[str, ...] = ()  # other printed forms: legal names, old names, research arms
    domains: tuple[str, ...] = ()  # analysts' e-mail domains
    sac_codes: tuple[str, ...] = ()  # "S0600": the firm part of its analysts' SAC numbers

    def name_for(self, language: str | None) -> str:
        preferred = self.en if language == "en" else self.zh
        name = preferred or self.zh or self.en
        assert name is not None
        return name

    def printed_names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.zh, self.en, *self.names) if n)


def _zh(short: str, *names: str, domains: tuple[str, ...] = (), sac: tuple[str, ...] = (), en: str | None = None) -> Broker:
    full = (f"{short}股份有限公司", f"{short}有限责任公司", f"{short}有限公司", f"{short}研究所")
    return Broker(zh=short, en=en, names=(*names, *full), domains=domains, sac_codes=sac)


BROKERS: tuple[Broker, ...] = (
    # --- mainland brokers ---------------------------------------------------------------
    _zh("中信证券", domains=("citics.com",), sac=("S1010",), en="CITIC Securities"),
    _zh("中信建投证券", "中信建投", domains=("csc.com.cn",), sac=("S1440",), en="China Securities"),
    _zh("中金公司", "中国国际金融股份有限公司", "中国国际金融", "China International Capital Corporation Hong Kong Securities Limited",
        "China International Capital Corporation Limited", "China International Capital Corporation",
        domains=("cicc.com.cn",), sac=("S0080",), en="CICC"),
    _zh("华泰证券", domains=("htsc.com",), sac=("S0570",), en="Huatai Securities"),
    _zh("国泰海通证券", "国泰海通", domains=("gtht.com",), en="Guotai Haitong Securities"),
    _zh("国泰君安证券", "国泰君安", domains=("gtjas.com",), sac=("S0880",), en="Guotai Junan Securities"),
    _zh("海通证券", domains=("haitong.com", "htsec.com"), sac=("S0850",), en="Haitong Securities"),
    _zh("招商证券", domains=("cmschina.com.cn",), sac=("S1090",), en="China Merchants Securities"),
    _zh("广发证券", domains=("gf.com.cn",), sac=("S0260",), en="GF Securities"),
    _zh("兴业证券", domains=("xyzq.com.cn",), sac=("S0190",), en="Industrial Securities"),
    _zh("申万宏源证券", "申万宏源研究", "申万宏源", domains=("swsresearch.com",), en="Shenwan Hongyuan Securities"),
    _zh("东吴证券", domains=("dwzq.com.cn",), sac=("S0600",), en="Soochow Securities"),
    _zh("东海证券", domains=("longone.com.cn",), sac=("S0630",), en="Donghai Securities"),
    _zh("东莞证券", domains=("dgzq.com.cn",), sac=("S0340",), en="Dongguan Securities"),
    _zh("东方证券", domains=("orientsec.com.cn",), sac=("S0860",), en="Orient Securities"),
    _zh("东方财富证券", domains=("eastmoney.com",), sac=("S1160",), en="Eastmoney Securities"),
    _zh("东北证券", domains=("nesc.cn",), en="Northeast Securities"),
    _zh("中国银河证券", "银河证券", domains=("chinastock.com.cn",), sac=("S0130",), en="China Galaxy Securities"),
    _zh("中航证券", domains=("avicsec.com", "acicsec.com"), sac=("S0640",), en="AVIC Securities"),
    _zh("中邮证券", domains=("cnpsec.com",), sac=("S1340",), en="China Post Securities"),
    _zh("中泰证券", domains=("zts.com.cn",), sac=("S0740",), en="Zhongtai Securities"),
    _zh("中原证券", domains=("ccnew.com",), en="Central China Securities"),
    _zh("中银证券", "中银国际证券", domains=("bocichina.com",)),
    _zh("信达证券", domains=("cindasc.com",), sac=("S1500",), en="Cinda Securities"),
    _zh("华安证券", domains=("hazq.com",), sac=("S0010",), en="Huaan Securities"),
    _zh("华源证券", domains=("huayuanstock.com",), sac=("S1350",), en="Huayuan Securities"),
    _zh("华福证券", domains=("hfzq.com.cn",), sac=("S0210",), en="Huafu Securities"),
    _zh("华金证券", domains=("huajinsc.cn", "huajinsec.cn"), sac=("S0910",), en="Huajin Securities"),
    _zh("华鑫证券", domains=("cfsc.com.cn",), sac=("S1050",), en="China Fortune Securities"),
    _zh("华创证券", domains=("hcyjs.com",), en="Huachuang Securities"),
    _zh("华西证券", domains=("hx168.com.cn",), en="Hua Xi Securities"),
    _zh("国信证券", domains=("guosen.com.cn",), sac=("S0980",), en="Guosen Securities"),
    _zh("国金证券", domains=("gjzq.com.cn",), sac=("S1130",), en="Sinolink Securities"),
    _zh("国海证券", domains=("ghzq.com.cn",), en="Guohai Securities"),
    _zh("国联证券", "国联民生证券", domains=("glsc.com.cn",), en="Guolian Securities"),
    _zh("国元证券", domains=("gyzq.com.cn",), en="Guoyuan Securities"),
    _zh("太平洋证券", domains=("tpyzq.com",), sac=("S1190",), en="Pacific Securities"),
    _zh("开源证券", domains=("kysec.cn",), sac=("S0790",), en="Kaiyuan Securities"),
    _zh("德邦证券", domains=("tebon.com.cn",), sac=("S0120",), en="Tebon Securities"),
    _zh("方正证券", domains=("foundersc.com",), sac=("S1220",), en="Founder Securities"),
    _zh("民生证券", domains=("mszq.com",), sac=("S0100",), en="Minsheng Securities"),
    _zh("爱建证券", domains=("ajzq.com",), sac=("S0820",)),
    _zh("西南证券", domains=("swsc.com.cn",), sac=("S1250",), en="Southwest Securities"),
    _zh("天风证券", domains=("tfzq.com",), en="Tianfeng Securities"),
    _zh("光大证券", domains=("ebscn.com",), en="Everbright Securities"),
    _zh("长江证券", domains=("cjsc.com",), en="Changjiang Securities"),
    _zh("浙商证券", domains=("stocke.com.cn",), en="Zheshang Securities"),
    _zh("财通证券", domains=("ctsec.com",), en="Caitong Securities"),
    _zh("平安证券", domains=("pingan.com.cn",), en="Ping An Securities"),
    _zh("安信证券", domains=("essence.com.cn",), en="Essence Securities"),
    _zh("国投证券", domains=("sdicsc.com.cn",), en="SDIC Securities"),
    _zh("长城证券", domains=("cgws.com",), en="Great Wall Securities"),
    _zh("山西证券", domains=("sxzq.com",), en="Shanxi Securities"),
    _zh("西部证券", domains=("xbmail.com.cn",), en="Western Securities"),
    _zh("首创证券", domains=("sczq.com.cn",)),
    _zh("上海证券", domains=("shzq.com",), en="Shanghai Securities"),
    _zh("万联证券", domains=("wlzq.com.cn",)),
    _zh("华宝证券", domains=("cnhbstock.com",), en="Huabao Securities"),
    _zh("国盛证券", domains=("gszq.com",), en="Guosheng Securities"),
    _zh("粤开证券", domains=("ykzq.com",)),
    _zh("渤海证券", domains=("bhzq.com",), en="Bohai Securities"),
    # --- Hong Kong arms of mainland groups -----------------------------------------------
    Broker("交银国际", "BOCOM International", ("交银国际证券有限公司", "交银国际证券", "BOCOM International Securities Limited",
                                         "BOCOM International Securities"), ("bocomgroup.com",)),
    Broker("浦银国际", "SPDB International", ("浦银国际证券有限公司", "浦银国际证券", "SPDB International Capital Limited",
                                        "SPDBI"), ("spdbi.com",)),
    Broker("招银国际", "CMB International", ("招银国际环球市场有限公司", "CMB International Global Markets Limited", "CMBIGM",
                                       "CMBI"), ("cmbi.com.hk",)),
    Broker("中银国际", "BOCI", ("BOC International", "中银国际研究有限公司"), ("bocigroup.com",)),
    Broker("海通国际", "Haitong International", ("海通国际证券集团有限公司", "Haitong International Securities"), ("htisec.com",)),
    Broker("国泰君安国际", "Guotai Junan International", ("国泰君安证券(香港)有限公司", "Guotai Junan Securities (Hong Kong)"),
           ("gtjas.com.hk",)),
    Broker("建银国际", "CCB International", ("建银国际证券有限公司", "CCB International Securities"), ("ccbintl.com.hk",)),
    # --- global and regional banks ------------------------------------------------------
    Broker(None, "Morgan Stanley", ("Morgan Stanley & Co. LLC", "Morgan Stanley Research", "Morgan Stanley & Co. International plc",
                                    "Morgan Stanley Asia Limited"), ("morganstanley.com",)),
    Broker(None, "J.P. Morgan", ("J.P. Morgan Securities LLC", "J.P. Morgan Securities plc", "JPMorgan Chase", "J.P. Morgan Research",
                                 "JPMorgan"), ("jpmorgan.com", "jpmchase.com")),
    Broker(None, "Goldman Sachs", ("Goldman Sachs & Co. LLC", "Goldman Sachs International", "Goldman Sachs Research"), ("gs.com",)),
    Broker(None, "BofA Securities", ("BofA Global Research", "BofA Securities, Inc.", "Merrill Lynch", "Bank of America"), ("bofa.com",)),
    Broker(None, "Citi", ("Citi Research", "Citigroup Global Markets Inc.", "Citigroup Global Markets"), ("citi.com",)),
    Broker(None, "UBS", ("UBS Securities LLC", "UBS AG", "UBS Global Research", "UBS Research"), ("ubs.com",)),
    Broker(None, "Barclays", ("Barclays Capital Inc.", "Barclays Capital", "Barclays Research"), ("barclays.com",)),
    Broker(None, "Deutsche Bank", ("Deutsche Bank AG", "Deutsche Bank Research", "Deutsche Bank Securities Inc."), ("db.com",)),
    Broker(None, "Bernstein", ("Bernstein Research", "Sanford C. Bernstein", "Bernstein Societe Generale Group"), ("bernsteinsg.com", "bernstein.com")),
    Broker(None, "Jefferies", ("Jefferies LLC", "Jefferies International Limited", "Jefferies Research"), ("jefferies.com",)),
    Broker(None, "Wells Fargo Securities", ("Wells Fargo Securities, LLC", "Wells Fargo"), ("wellsfargo.com",)),
    Broker(None, "Mizuho", ("Mizuho Securities USA LLC", "Mizuho Securities"), ("mizuhogroup.com", "mizuhoamericas.com")),
    Broker(None, "Nomura", ("Nomura Securities", "Nomura International", "Nomura Global Markets Research"), ("nomura.com",)),
    Broker(None, "Daiwa", ("Daiwa Securities", "Daiwa Capital Markets"), ("daiwa.co.jp", "daiwacm.com")),
    Broker(None, "SMBC Nikko", ("SMBC Nikko Securities",), ("smbcnikko.co.jp",)),
    Broker(None, "Macquarie", ("Macquarie Capital", "Macquarie Research"), ("macquarie.com",)),
    Broker(None, "CLSA", ("CLSA Limited", "CLSA Americas"), ("clsa.com",)),
    Broker(None, "HSBC", ("HSBC Global Research", "The Hongkong and Shanghai Banking Corporation Limited", "HSBC Securities"),
           ("hsbc.com", "hsbc.com.hk")),
    Broker(None, "BNP Paribas Exane", ("BNP Paribas", "Exane BNP Paribas", "Exane"), ("exane.com", "bnpparibas.com")),
    Broker(None, "BMO Capital Markets", ("BMO Capital Markets Corp.", "BMO Nesbitt Burns"), ("bmo.com",)),
    Broker(None, "RBC Capital Markets", ("RBC Capital Markets, LLC",), ("rbccm.com",)),
    Broker(None, "Canaccord Genuity", ("Canaccord Genuity LLC", "Canaccord Genuity Corp."), ("cgf.com",)),
    Broker(None, "William Blair", ("William Blair & Company, L.L.C.", "William Blair & Company"), ("williamblair.com",)),
    Broker(None, "Wedbush", ("Wedbush Securities, Inc.", "Wedbush Securities"), ("wedbush.com",)),
    Broker(None, "Roth", ("Roth Capital Partners, LLC", "Roth Capital Partners", "Roth MKM"), ("roth.com",)),
    Broker(None, "Loop Capital", ("Loop Capital Markets LLC", "Loop Capital Markets"), ("loopcapital.com",)),
    Broker(None, "Citizens JMP", ("Citizens JMP Securities, LLC", "Citizens JMP Securities", "JMP Securities"), ("citizensbank.com", "jmpsecurities.com")),
    Broker(None, "Evercore ISI", ("Evercore Group L.L.C.",), ("evercoreisi.com",)),
    Broker(None, "Piper Sandler", ("Piper Sandler & Co.",), ("psc.com",)),
    Broker(None, "Raymond James", ("Raymond James & Associates",), ("raymondjames.com",)),
    Broker(None, "Stifel", ("Stifel, Nicolaus & Company",), ("stifel.com",)),
    Broker(None, "KeyBanc Capital Markets", ("KeyBanc Capital Markets Inc.",), ("key.com",)),
    Broker(None, "Needham", ("Needham & Company, LLC",), ("needhamco.com",)),
    Broker(None, "Oppenheimer", ("Oppenheimer & Co. Inc.",), ("opco.com",)),
    Broker(None, "TD Cowen", ("TD Securities (USA) LLC", "Cowen and Company"), ("tdsecurities.com", "cowen.com")),
    Broker(None, "Truist Securities", ("Truist Securities, Inc.",), ("truist.com",)),
    Broker(None, "Baird", ("Robert W. Baird & Co.",), ("rwbaird.com",)),
    Broker(None, "Cantor Fitzgerald", ("Cantor Fitzgerald & Co.",), ("cantor.com",)),
    Broker(None, "Korea Investment & Securities", ("Korea Investment & Securities Co., Ltd.",), ("koreainvestment.com",)),
    Broker(None, "Samsung Securities", ("Samsung Securities Co., Ltd.",), ("samsung.com",)),
    Broker(None, "Mirae Asset Securities", ("Mirae Asset Securities Co., Ltd.",), ("miraeasset.com",)),
    Broker(None, "ICICI Securities", ("ICICI Securities Limited",), ("icicisecurities.com",)),
    Broker(None, "Motilal Oswal", ("Motilal Oswal Financial Services", "MOFSL"), ("motilaloswal.com",)),
    Broker(None, "Kotak Institutional Equities", ("Kotak Securities", "Kotak Securities Limited"), ("kotak.com",)),
    Broker(None, "HDFC Securities", ("HDFC Securities Limited",), ("hdfcsec.com",)),
    Broker(None, "Axis Capital", ("Axis Securities", "Axis Capital Limited"), ("axiscap.in", "axissecurities.in")),
    Broker(None, "Nuvama", ("Nuvama Wealth", "Nuvama Institutional Equities"), ("nuvama.com",)),
    Broker(None, "DBS", ("DBS Bank Ltd.", "DBS Group Research", "DBS Vickers"), ("dbs.com",)),
    Broker(None, "Maybank", ("Maybank Investment Bank", "Maybank Securities"), ("maybank.com",)),
    Broker(None, "UOB Kay Hian", ("UOB Kay Hian Private Limited",), ("uobkayhian.com",)),
)

# Evidence weights. Only the publisher prints its name atop page 1, signs its analysts'
# e-mail and SAC numbers, names its research institute and claims the copyright.
_LETTERHEAD, _PAGE_ONE, _INSTITUTE, _DOMAIN, _SAC, _COPYRIGHT = 4.0, 1.5, 3.0, 3.0, 2.0, 2.0
_MENTION, _MENTION_CAP = 0.3, 1.0
_THRESHOLD = 3.0
_LETTERHEAD_LINES = 5  # page 1's first lines and
_FOOTER_LINES = 3  # its last ones: where a template prints the firm's name
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+\s*[@＠]\s*([A-Za-z0-9.\-]+\.[A-Za-z]{2,})")
_SAC_RE = re.compile(r"(?<![A-Za-z0-9])S\d{4}(?=\d{9}(?!\d))")  # S + firm code + 9 digits
_COPYRIGHT_RE = re.compile(r"(?:©|\(c\)|copyright)\s*(?:\d{4}\s*)?", re.IGNORECASE)


@dataclass(slots=True)
class BrokerMatch:
    broker: Broker
    score: float
    reasons: list[str] = field(default_factory=list)


def _name_pattern(name: str) -> re.Pattern[str]:
    # Latin names whole-word and case-sensitive ("UBS", not "subsidiary"); CJK names as is.
    if re.search(r"[A-Za-z]", name):
        return re.compile(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])")
    return re.compile(re.escape(name))


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _find(name: str, text: str) -> int:
    pattern = _PATTERNS.get(name)
    if pattern is None:
        pattern = _PATTERNS[name] = _name_pattern(name)
    found = pattern.search(text)
    return found.start() if found else -1


_SOURCE_LINE = re.compile(r"资料来源|数据来源|来源[:：]|source[s]?\s*:", re.IGNORECASE)


def _letterhead(first_page: str, display: Sequence[str]) -> str:
    # A chart's source line ("资料来源：Wind，中信证券研究部") names another firm's data.
    lines = [line for line in first_page.splitlines() if line.strip() and not _SOURCE_LINE.search(line)]
    return "\n".join([*lines[:_LETTERHEAD_LINES], *lines[-_FOOTER_LINES:], *display])


def score_brokers(pages: Sequence[Page], display: Sequence[str] = ()) -> list[BrokerMatch]:
    """Every registry broker with any evidence, best first. `display` is page 1's text set
    larger than its body (a logo or masthead in type), also letterhead."""
    if not pages:
        return []
    first = pages[0].text
    letterhead = _letterhead(first, display)
    early = "\n".join(p.text for p in pages[:2])
    everything = "\n".join(p.text for p in pages)
    domains = {d.lower().rstrip(".") for d in _EMAIL_RE.findall(early)}
    sac_codes = set(_SAC_RE.findall(early))
    copyright_spans = [everything[m.end() : m.end() + 80] for m in _COPYRIGHT_RE.finditer(everything)]
    matches: list[BrokerMatch] = []
    for broker in BROKERS:
        match = BrokerMatch(broker, 0.0)
        names = sorted(broker.printed_names(), key=len, reverse=True)
        for name in names:
            if _find(name, letterhead) >= 0:
                match.score += _LETTERHEAD
                match.reasons.append(f"letterhead: {name}")
                break
        else:
            for name in names:
                if _find(name, first) >= 0:
                    match.score += _PAGE_ONE
                    match.reasons.append(f"page 1: {name}")
                    break
        if broker.zh and _find(f"{broker.zh}研究所", everything) >= 0:
            match.score += _INSTITUTE
            match.reasons.append("research institute")
        hits = [d for d in domains if any(d == own or d.endswith("." + own) for own in broker.domains)]
        if hits:
            match.score += _DOMAIN * min(2, len(hits))
            match.reasons.append(f"e-mail: {', '.join(sorted(hits))}")
        codes = sac_codes & set(broker.sac_codes)
        if codes:
            match.score += _SAC * min(2, len(codes))
            match.reasons.append(f"SAC firm code: {', '.join(sorted(codes))}")
        if any(_find(name, span) >= 0 for span in copyright_spans for name in names):
            match.score += _COPYRIGHT
            match.reasons.append("copyright")
        mentions = sum(len(_PATTERNS[name].findall(everything)) for name in names if _find(name, everything) >= 0)
        if mentions:
            match.score += min(_MENTION_CAP, _MENTION * mentions)
        if match.score > 0:
            matches.append(match)
    return sorted(matches, key=lambda m: -m.score)


def identify_broker(pages: Sequence[Page], display: Sequence[str] = ()) -> BrokerMatch | None:
    """The publisher, when the registry knows it and the evidence is a publisher's own."""
    ranked = score_brokers(pages, display)
    if not ranked or ranked[0].score < _THRESHOLD:
        return None
    if len(ranked) > 1 and ranked[1].score >= ranked[0].score:
        return None  # two firms with equal claims: say nothing rather than guess
    return ranked[0]


# A firm the registry does not know still signs its analysts' e-mail: a name on page 1 whose
# letters begin the domain ("Summit Capital" <- summitcap.com, "Eastwind Securities" <-
# eastwindsec.com) is the publisher's.
_WEBMAIL = frozenset("gmail.com qq.com 163.com 126.com outlook.com hotmail.com yahoo.com sina.com foxmail.com".split())
_EN_FIRM_RE = re.compile(r"(?<![A-Za-z])([A-Z][A-Za-z&.']+(?:\s+[A-Z][A-Za-z&.']+){0,3})")
_FIRM_WORD_RE = re.compile(r"(?:Securities|Capital|Research|Partners|Markets|Bank|Group|Investments?|Equities|Advisors)$")


def firm_from_email_domain(pages: Sequence[Page]) -> str | None:
    """An unregistered English firm named on page 1 whose name spells its analysts' e-mail
    domain, or None."""
    if not pages:
        return None
    early = "\n".join(p.text for p in pages[:2])
    stems = {d.lower().split(".")[0] for d in _EMAIL_RE.findall(early) if d.lower() not in _WEBMAIL}
    stems = {s for s in stems if len(s) >= 4}
    if not stems:
        return None
    found: list[str] = []
    for match in _EN_FIRM_RE.finditer(pages[0].text):
        phrase = match.group(1).strip()
        words = phrase.split()
        for end in range(1, len(words) + 1):  # the shortest phrase that spells the domain
            candidate = " ".join(words[:end])
            compact = re.sub(r"[^a-z]", "", candidate.lower())
            if len(compact) >= 4 and any(compact.startswith(s) for s in stems):
                if candidate not in found:
                    found.append(candidate)
                break
    # Prefer a name that reads as a firm ("… Securities", "… Capital").
    ranked = sorted(found, key=lambda name: (not _FIRM_WORD_RE.search(name), -len(name)))
    return ranked[0] if ranked else None


def broker_named(name: str) -> Broker | None:
    """The registry entry one of whose names `name` is."""
    for broker in BROKERS:
        if name in broker.printed_names():
            return broker
    return None
