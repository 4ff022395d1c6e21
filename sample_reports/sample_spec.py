"""What one sample report says, as plain data.

The PDF is drawn from a `ReportSpec` and gold.json is written from the same object, so the
ground truth cannot drift from what is printed. Sentences that restate structured facts
(pick lists, risk lists, forecast tables) are generated from those facts for the same reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from sample_blocks import Block, Chart, Para, Table

if TYPE_CHECKING:
    from sample_designs import Design


@dataclass(frozen=True)
class Analyst:
    name: str
    email: str
    sac: str | None = None  # SAC 执业证书编号: "S" + 13 digits
    sfc_ce: str | None = None  # Hong Kong SFC central entity number
    phone: str | None = None


@dataclass(frozen=True)
class Pick:
    name: str
    code: str | None = None
    rating: str | None = None

    def label(self) -> str:
        return f"{self.name}({self.code})" if self.code else self.name


@dataclass(frozen=True)
class Related:
    title: str
    date: date


@dataclass(frozen=True)
class Rating:
    raw: str  # as printed, e.g. "领先大市-A维持", "买入（上调）", "Overweight"
    normalized: str  # buy | outperform | neutral | underperform | sell
    action: str | None = None  # initiate | maintain | upgrade | downgrade
    grade: str | None = None  # risk grade, e.g. "A"


@dataclass(frozen=True)
class Money:
    value: float
    currency: str  # ISO code

    def printed(self, lang: str) -> str:
        if lang == "zh" and self.currency == "CNY":
            return f"{self.value:.2f}元"
        symbol = {"HKD": "HK$", "USD": "US$", "CNY": "RMB", "TWD": "NT$"}[self.currency]
        return f"{symbol}{self.value:,.2f}"


@dataclass(frozen=True)
class QA:
    question: str
    answer: str  # a substring of the page text (whitespace ignored when matching)


@dataclass(frozen=True)
class Forecast:
    """Consensus-style forecast table; growth, EPS and PE are derived, never typed in."""

    years: tuple[str, ...]
    revenue: tuple[float, ...]
    net_profit: tuple[float, ...]
    prev_revenue: float
    prev_net_profit: float
    shares: float  # in the unit that makes net_profit / shares a per-share figure
    price_in_reporting_ccy: float  # current price converted to the currency of the accounts
    labels: tuple[str, str, str, str, str]  # revenue, growth, net profit, EPS, PE
    title: str
    source: str

    def eps(self) -> list[float]:
        return [n / self.shares for n in self.net_profit]

    def table(self) -> Table:
        rev_g = _growth(self.prev_revenue, self.revenue)
        np_g = _growth(self.prev_net_profit, self.net_profit)
        eps = self.eps()
        rows = (
            (self.labels[0], *(f"{v:,.2f}" for v in self.revenue)),
            (self.labels[1], *(f"{g:.1f}" for g in rev_g)),
            (self.labels[2], *(f"{v:,.2f}" for v in self.net_profit)),
            (self.labels[1], *(f"{g:.1f}" for g in np_g)),
            (self.labels[3], *(f"{e:.2f}" for e in eps)),
            (self.labels[4], *(f"{self.price_in_reporting_ccy / e:.1f}" for e in eps)),
        )
        return Table(("", *self.years), rows, title=self.title, source=self.source, first_col=0.3)

    def statement(self, title: str, source: str, expense_ratios: tuple[tuple[str, float], ...],
                  tax_rate: float, parent_share: float) -> Table:
        """The '附：财务预测摘要' income statement. Expenses are fixed shares of revenue; the cost
        of sales is the balancing item, so every column adds up to the forecast net profit."""
        cols = []
        for rev, np_ in zip(self.revenue, self.net_profit):
            net = np_ / parent_share
            pretax = net / (1 - tax_rate)
            expenses = [rev * share for _, share in expense_ratios]
            cost = rev - pretax - sum(expenses)
            cols.append([rev, cost, *expenses, pretax, pretax - net, net, net - np_, np_,
                         (1 - cost / rev) * 100, np_ / rev * 100])
        labels = ["营业收入", "营业成本", *(name for name, _ in expense_ratios), "利润总额", "所得税", "净利润",
                  "少数股东损益", "归属母公司净利润", "毛利率（%）", "归母净利率（%）"]
        rows = tuple((label, *(f"{col[k]:,.2f}" if k < len(labels) - 2 else f"{col[k]:.1f}" for col in cols))
                     for k, label in enumerate(labels))
        return Table(("利润表（亿元）", *self.years), rows, title=title, source=source, first_col=0.3)

    def as_gold(self) -> dict:
        eps = self.eps()
        return {
            "years": list(self.years),
            "revenue": list(self.revenue),
            "net_profit": list(self.net_profit),
            "eps": [round(e, 2) for e in eps],
            "pe": [round(self.price_in_reporting_ccy / e, 1) for e in eps],
        }


    def summary_zh(self, first: int) -> str:
        """'预计2024-2026年归母净利润分别为…亿元，对应EPS分别为…元，当前股价对应PE分别为…倍'."""
        years = self.years[first:]
        eps = self.eps()[first:]
        span = f"{years[0][:4]}-{years[-1][:4]}"
        nps = "/".join(f"{v:.2f}" for v in self.net_profit[first:])
        return (f"预计{span}年归母净利润分别为{nps}亿元，对应EPS分别为{'/'.join(f'{e:.2f}' for e in eps)}元，"
                f"当前股价对应PE分别为{'/'.join(f'{self.price_in_reporting_ccy / e:.1f}' for e in eps)}倍")


def _growth(prev: float, values: tuple[float, ...]) -> list[float]:
    out, base = [], prev
    for v in values:
        out.append((v / base - 1) * 100)
        base = v
    return out


@dataclass(frozen=True)
class Perf:
    """The 升幅% table: relative and absolute returns over 1M / 3M / 12M."""

    relative: tuple[float, float, float]
    absolute: tuple[float, float, float]

    def table(self, lang: str) -> Table:
        if lang == "zh":
            head, rel, ab = ("升幅%", "1M", "3M", "12M"), "相对收益", "绝对收益"
        else:
            head, rel, ab = ("Performance %", "1M", "3M", "12M"), "Relative", "Absolute"
        return Table(head, ((rel, *(f"{v:.2f}" for v in self.relative)),
                            (ab, *(f"{v:.2f}" for v in self.absolute))), first_col=0.34)


@dataclass
class ReportSpec:
    file: str
    language: str  # "zh" | "en"
    design: Design
    date: date
    title: str
    report_type: str
    sector: str
    rating: Rating
    analysts: tuple[Analyst, ...]
    key_points: list[Block]
    body: list[Block]
    company: str | None = None
    ticker: str | None = None
    target_price: Money | None = None
    current_price: Money | None = None
    picks: tuple[Pick, ...] = ()
    picks_label: str = ""
    sidebar_picks: bool = False  # picks also listed in the first-page sidebar table
    contacts: tuple[Analyst, ...] = ()
    risks: tuple[str, ...] = ()
    related: tuple[Related, ...] = ()
    perf: Perf | None = None
    forecast: Forecast | None = None
    key_data: tuple[tuple[str, str], ...] = ()
    chart: Chart | None = None
    qa: tuple[QA, ...] = ()
    pdf_title: str | None = None  # document-info Title; real files often carry junk or nothing
    extra: dict = field(default_factory=dict)


def picks_para(spec_picks: tuple[Pick, ...], label: str, lead: str, intro: str, lang: str = "zh") -> Para:
    """The '建议关注：A、B(000001.SZ)等。' sentence, generated from the pick list."""
    if lang == "zh":
        names = "、".join(p.label() for p in spec_picks)
        return Para(f"{intro}{label}：{names}等。", lead=lead, bullet=True)
    names = ", ".join(p.label() for p in spec_picks)
    return Para(f"{intro}{label}: {names}.", lead=lead, bullet=True)


def risks_para(risks: tuple[str, ...], lang: str = "zh", bullet: bool = True, lead: str | None = None) -> Para:
    if lang == "zh":
        return Para("；".join(risks) + "。", lead=lead if lead is not None else "风险提示：", bullet=bullet)
    return Para("; ".join(risks) + ".", lead=lead if lead is not None else "Risks: ", bullet=bullet)


def random_walk(seed: int, n: int, drift: float, vol: float) -> tuple[float, ...]:
    """A deterministic price path (percent change from start) for sidebar charts."""
    import random

    rng = random.Random(seed)
    level, out = 0.0, []
    for _ in range(n):
        out.append(round(level, 2))
        level += drift + rng.uniform(-vol, vol)
    return tuple(out)
