"""Which reports a question is about, read off the question itself.

A question that names a broker, a company or a ticker is answered from the reports that
match; one that says "该报告" / "this report" without naming it is answered from the single
best-matching report. This keeps a small model from answering with a distractor report's
stock list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from report_rag.parse.brokers import BROKERS
from report_rag.retrieval.aliases import GLOSSARY, company_aliases, mentions_broker
from report_rag.text import CJK_RE, NUMERIC_CODE_RE
from report_rag.types import Report

# "Company（600519.SH）" / "Tencent Holdings (0700.HK)" in a report title.
_TITLE_COMPANY = re.compile(r"([\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z0-9&.\- ]{1,40}?)\s*[（(]\s*\d{4,6}\.[A-Za-z]{2}\s*[)）]")
_DEICTIC = re.compile(
    r"该报告|这份报告|此报告|本报告|该篇|这篇|该研报|这份研报|本文|报告中|"
    r"\b(?:this|the|that)\s+(?:report|note|research|piece)\b",
    re.IGNORECASE,
)
_CORPORATE_SUFFIX = re.compile(
    r"(?:股份有限公司|有限公司|集团|控股|股份|科技|Holdings?|Group|Inc\.?|Ltd\.?|Limited|Corp\.?|Co\.?)$",
    re.IGNORECASE,
)


_DEFINITION = re.compile(
    r"定义|含义|意思|是指|标准是|评级体系|评级说明|\bmean(s|ing)?\b|\bdefin(e|ed|ition)\b|rating (scale|system)",
    re.IGNORECASE,
)


def asks_for_definition(question: str) -> bool:
    """Rating definitions live in the boilerplate tail; such questions must search it."""
    return bool(_DEFINITION.search(question))


@dataclass(frozen=True)
class Scope:
    report_ids: tuple[int, ...] | None  # None: no restriction from the question
    single_report: bool  # "该报告" / "this report": answer from one report only
    reason: str = ""


# A question about "该周报" / "这篇深度报告" / "the weekly": the kind of the one report meant,
# as the words a title or page-1 header of that kind prints.
_KIND_REFERENCE = re.compile(
    r"(?:该|这篇|这份|此)(?:篇|份)?(?P<zh>周报|月报|晨报|日报|深度报告|深度|点评|快报|快评|简评|首次覆盖报告|策略报告)"
    r"|\b(?:this|the|that)\s+(?P<en>weekly|monthly|morning note|initiation(?: report)?|deep[- ]dive|flash note|strategy (?:note|report))\b",
    re.IGNORECASE,
)
_KIND_WORDS = {
    "周报": ("周报", "weekly"), "月报": ("月报", "monthly"), "晨报": ("晨报", "晨会", "morning"),
    "日报": ("日报", "晨报", "daily"), "深度报告": ("深度", "in-depth"), "深度": ("深度", "in-depth"),
    "点评": ("点评", "简评", "快评"), "快报": ("快报", "快评", "flash"), "快评": ("快评", "快报"), "简评": ("简评", "点评"),
    "首次覆盖报告": ("首次覆盖", "initiat"), "策略报告": ("策略", "strategy"),
    "weekly": ("周报", "weekly"), "monthly": ("月报", "monthly"), "morning note": ("晨报", "晨会", "morning"),
    "initiation": ("首次覆盖", "initiat"), "initiation report": ("首次覆盖", "initiat"), "deep-dive": ("深度", "deep dive"),
    "deep dive": ("深度", "deep dive"), "flash note": ("快报", "flash"), "strategy note": ("策略", "strategy"),
    "strategy report": ("策略", "strategy"),
}


def _referred_kind(question: str) -> tuple[str, ...]:
    match = _KIND_REFERENCE.search(question)
    if match is None:
        return ()
    kind = (match.group("zh") or match.group("en") or "").lower()
    return _KIND_WORDS.get(kind, ())


@lru_cache(maxsize=4096)
def _title_company_names(title: str) -> tuple[str, ...]:
    """Names a user may call the covered company by, from the title (lower case)."""
    names: list[str] = []
    for match in _TITLE_COMPANY.finditer(title):
        name = match.group(1).strip(" ：:-—")
        name = re.split(r"[：:，,]", name)[-1].strip()
        if len(name) >= 2:
            names.append(name)
            short = _CORPORATE_SUFFIX.sub("", name).strip()
            if short != name and len(short) >= 2:
                names.append(short)
    return tuple(n.lower() for n in names)


@lru_cache(maxsize=4096)
def _title_tickers(title: str) -> frozenset[str]:
    return frozenset(m.group(1) for m in NUMERIC_CODE_RE.finditer(title))


def scope_question(
    question: str,
    reports: list[Report],
    heads: dict[int, str] | None = None,
    sectors: dict[int, str] | None = None,
) -> Scope:
    """`heads`: report id -> top of page 1 (lower case), where company notes print the company;
    `sectors`: report id -> extracted sector."""
    heads = heads or {}
    sectors = sectors or {}
    lowered = question.lower()
    asked_tickers = {m.group(1) for m in NUMERIC_CODE_RE.finditer(question)}
    # Names the question uses, plus their other-language aliases (CATL -> 宁德时代).
    aliases = [a.lower() for group in company_aliases(question) for a in group if len(a) >= 2]
    asked_names = [lowered] + aliases
    by_company = [
        r.id
        for r in reports
        if (asked_tickers and asked_tickers & _title_tickers(r.meta.title or ""))
        or any(n in asked for n in _title_company_names(r.meta.title or "") for asked in asked_names)
        or (aliases and any(alias in heads.get(r.id, "") for alias in aliases))
    ]
    # Few brokers, many reports: decide once per broker.
    named_brokers = {b for b in {r.meta.broker for r in reports} if b and mentions_broker(question, b)}
    by_broker = [r.id for r in reports if r.meta.broker in named_brokers]
    single = bool(_DEICTIC.search(question))
    reasons = []
    ids: set[int] | None = None
    if by_company:
        ids = set(by_company)
        reasons.append("company/ticker named")
    if by_broker:
        ids = set(by_broker) if ids is None else (ids & set(by_broker)) or ids
        reasons.append("broker named")
    kind_words = _referred_kind(question)
    if kind_words:
        # "该周报…", "the weekly": one report of that kind — the company named is what it
        # says something about, not a report about the company.
        of_kind = {r.id for r in reports if any(w in f"{r.meta.title or ''} {heads.get(r.id, '')}".lower() for w in kind_words)}
        if of_kind:
            ids = (ids & of_kind if ids is not None else of_kind) or of_kind
            single = True
            reasons.append("report kind named")
    by_sector = {r.id for r in reports if len(sectors.get(r.id, "")) >= 2 and sectors[r.id].lower() in lowered}
    if by_sector:
        # Narrow what the other names chose (华锦 + 传媒 -> 华锦's media note); alone, the
        # sector scopes on its own.
        narrowed = by_sector if ids is None else ids & by_sector
        if narrowed:
            ids = narrowed
            reasons.append("sector named")
    return Scope(tuple(sorted(ids)) if ids is not None else None, single, ", ".join(reasons))


# --- what kind of question ------------------------------------------------------------

FACT_QUESTION = re.compile(
    r"评级|推荐|关注|首选|标的|目标价|股价|分析师|联系人|风险|执业|"
    r"\brat(ing|ed)\b|\bpicks?\b|recommend|target|price|analyst|risks?\b|\bbuy\b|overweight",
    re.IGNORECASE,
)


def asks_for_facts(question: str) -> bool:
    return bool(FACT_QUESTION.search(question))


def asks_for_explanation(question: str) -> bool:
    """Why / how / definition questions: the model explains, never the field look-up."""
    return bool(_EXPLANATION.search(question))


# What a question may ask beside the extracted fields: forecasts, valuation, reasons.
_BEYOND_FIELDS = re.compile(
    r"EPS|每股收益|净利润|归母|营收|营业收入|收入|毛利|利润率|市盈率|\bPE\b|\bP/E\b|\bPB\b|ROE|估值|方法|依据|理由|逻辑|预测|预计|增速|"
    r"\bvaluation|\bmethod|\bbasis|\bbased on|\brevenue|\bprofit|\bearnings|\bmargin|\bforecast|\bmultiple|\bgrowth|\bestimate",
    re.IGNORECASE,
)


def asks_beyond_fields(question: str) -> bool:
    """Does the question ask for something besides rating / target / picks / analysts?"""
    return bool(_BEYOND_FIELDS.search(question))


def fact_intents(question: str) -> list[str]:
    """The extracted fields the question asks for, in FACT_INTENTS order."""
    return [intent for intent, pattern in FACT_INTENTS if pattern.search(question)]


FACT_INTENTS = (  # the extracted fields a look-up question asks for
    ("target_price", re.compile(r"目标价|target price|price target", re.IGNORECASE)),
    ("rating", re.compile(r"评级|\brat(ing|ed)\b", re.IGNORECASE)),
    ("picks", re.compile(r"推荐|关注|首选|标的|\bpicks?\b|recommend", re.IGNORECASE)),
    ("analysts", re.compile(r"分析师|执业证书|\banalysts?\b", re.IGNORECASE)),
)
_EXPLANATION = re.compile(r"定义|含义|意思|标准|是指|为什么|原因|如何|\bmean|\bdefin|\bwhy\b|\bhow\b", re.IGNORECASE)


_LATIN = re.compile(r"[A-Za-z]")

def question_language(question: str) -> str:
    han = len(CJK_RE.findall(question))
    latin = len(_LATIN.findall(question))
    return "zh" if han and han * 3 >= latin else "en"


# --- what the question is about ------------------------------------------------------

_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z&\-]{2,}\b")
_QUESTION_WORDS = frozenset(
    "What Which Who Whom Whose When Where Why How Does Did Do Is Are Was Were Can Could Should "
    "Would Will Please List Give Tell Summarise Summarize Name The This That These Those".split()
)


def question_subjects(question: str, brokers: Sequence[str | None] = ()) -> list[tuple[str, ...]]:
    """The companies a question is about, each with all its names (Apple -> 苹果, AAPL).
    Capitalised words that name a broker of the library (Huajin, Meridian) or any registry
    broker (Soochow, BOCOM, Sinolink), and corporate words (Securities, International), are
    not subjects."""
    subjects = list(company_aliases(question))
    known = {name.lower() for group in subjects for name in group}
    for name in _CAPITALISED.findall(question):
        if name in _QUESTION_WORDS or _is_glossary_word(name) or any(name.lower() in k for k in known):
            continue
        if name.lower() in _broker_words():
            continue
        if any(b and mentions_broker(name, b) for b in set(brokers)):
            continue
        subjects.append((name,))
    return subjects


_CORPORATE_WORDS = frozenset(
    "securities international capital research group holdings bank markets partners company corp corporation "
    "inc limited ltd global asset management investment investments financial".split()
)


@lru_cache(maxsize=1)
def _broker_words() -> frozenset[str]:
    """Words of the registry's English broker names, and corporate words."""
    words = {w.lower() for b in BROKERS for name in b.printed_names() for w in re.findall(r"[A-Za-z]{3,}", name)}
    return frozenset(words | _CORPORATE_WORDS)


def _is_glossary_word(word: str) -> bool:
    return word.lower() in GLOSSARY


# --- forecast look-ups ("东吴证券预测宁德时代 2026 年 EPS 是多少") ---------------------------


@dataclass(frozen=True, slots=True)
class ForecastRequest:
    """The forecast-table cells a question asks for: metrics (as `Forecast.metric` names)
    and fiscal years (empty: every forecast year). `remainder` is the question without the
    words that asked for them, for checking whether it asks anything else."""

    metrics: tuple[str, ...]
    years: tuple[int, ...]
    remainder: str


# question words → forecast metric; the first match of a span wins, so specific forms first.
_FORECAST_METRICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("eps", re.compile(r"EPS|每股收益|每股盈利|earnings per share", re.I)),
    ("net_profit", re.compile(r"归母净利润|归母净利|归属(?:于)?母公司(?:股东)?(?:的)?净利润|净利润|net (?:profit|income|earnings)", re.I)),
    ("revenue", re.compile(r"营业总收入|营业收入|营收|收入|revenues?|\bsales\b", re.I)),
    ("pe", re.compile(r"市盈率|(?<![A-Za-z])P/?E(?![A-Za-z])", re.I)),  # "EPS和PE": CJK beside it
    ("pb", re.compile(r"市净率|(?<![A-Za-z])P/?B(?![A-Za-z])", re.I)),
    ("roe", re.compile(r"ROE|净资产收益率", re.I)),
    ("gross_margin", re.compile(r"毛利率|gross margin", re.I)),
    ("ebitda", re.compile(r"EBITDA", re.I)),
)
_GROWTH_WORDS = re.compile(r"增速|增长率|同比增长|同比|growth|yoy", re.I)
_YEAR_RANGE = re.compile(r"(20\d\d)\s*(?:年)?\s*[-–~～至到]\s*(20\d\d|\d\d)(?!\d)")
_YEAR = re.compile(r"(?<![\d/])(?:FY\s?)?(20\d\d|(?<=FY)\d\d|\d\d(?=\s*年|[EeAaFf]\b))\s*(?:年度?|[EeAaFf](?![A-Za-z])|财年)?", re.I)
_FORECAST_WORDS = re.compile(
    r"预测|预计|预期|估计|分别|是多少|为多少|多少|是|为|的|年|"
    r"\b(?:forecasts?|estimates?|expected|projected|what|is|are|the|for|of|in|s)\b|'",
    re.I,
)
_NOT_ANNUAL = re.compile(r"Q[1-4]|[1-4]Q|[一二三四]季度|季报|单季|半年|中报|H[12]\b|[12]H\b|月", re.I)


# A business line's or a region's figure ("储能系统收入", "海外收入", "data center revenue")
# is not the table's company total.
_SEGMENT_METRIC = re.compile(
    r"(?:业务|系统|板块|产品|海外|国内|境外|境内|分部|事业部|市场|出口)\s*(?:的)?\s*(?:营业收入|营收|收入|毛利率|净利润)|"
    r"\b(?:segment|overseas|international|domestic|business|division|cloud|data center|services?)\s+(?:revenues?|sales|margins?)",
    re.I,
)


def forecast_request(question: str) -> ForecastRequest | None:
    """The metrics and years of a forecast look-up, or None when the question asks none.
    Quarterly and half-year figures, and a segment's or region's figure, are not in the
    annual tables: those go to the model."""
    if _NOT_ANNUAL.search(question) or _SEGMENT_METRIC.search(question):
        return None
    rest = question
    metrics: list[str] = []
    for metric, pattern in _FORECAST_METRICS:
        if pattern.search(rest):
            metrics.append(metric)
            rest = pattern.sub(" ", rest)
    if not metrics:
        return None
    if _GROWTH_WORDS.search(rest):
        metrics = [f"{m}_growth" for m in metrics]
        rest = _GROWTH_WORDS.sub(" ", rest)
    years: list[int] = []
    for found in _YEAR_RANGE.finditer(rest):
        first, last = int(found.group(1)), int(found.group(2))
        last = last if last > 100 else 2000 + last
        if first <= last <= first + 10:
            years.extend(range(first, last + 1))
    rest = _YEAR_RANGE.sub(" ", rest)
    for found in _YEAR.finditer(rest):
        value = int(found.group(1))
        years.append(value if value > 100 else 2000 + value)
    rest = _YEAR.sub(" ", rest)
    rest = _FORECAST_WORDS.sub(" ", rest)
    return ForecastRequest(tuple(dict.fromkeys(metrics)), tuple(sorted(set(years))), rest)
