"""The facts extracted from one report. Every value carries the page and verbatim quote it
was read from: a field the report does not print is None (or an empty list), never a guess."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")



NORMALIZED_RATINGS = ("buy", "outperform", "neutral", "underperform", "sell")
RATING_ACTIONS = ("initiate", "maintain", "upgrade", "downgrade")


@dataclass(frozen=True, slots=True)
class Evidence:
    page: int
    quote: str  # verbatim page text

    def to_json(self) -> dict[str, Any]:
        return {"page": self.page, "quote": self.quote}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Evidence:
        return cls(page=int(data["page"]), quote=str(data["quote"]))


@dataclass(frozen=True, slots=True)
class Field(Generic[T]):
    """One scalar fact (broker, title, ticker…) with its evidence."""

    value: T
    evidence: Evidence


@dataclass(slots=True)
class RatingDefinition:
    """One line of the broker's rating scale: 领先大市 = beats 沪深300 by >10% in 6 months."""

    term: str  # as printed: "领先大市", "买入（Buy）", "Overweight (OW)", "A"
    definition: str
    scale: str | None  # "company" | "industry" | "risk" | None when the report does not say
    evidence: Evidence

    def to_json(self) -> dict[str, Any]:
        return {"term": self.term, "definition": self.definition, "scale": self.scale, "evidence": self.evidence.to_json()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RatingDefinition:
        return cls(data["term"], data["definition"], data.get("scale"), Evidence.from_json(data["evidence"]))


@dataclass(slots=True)
class Rating:
    raw: str  # as printed (whitespace inside CJK text squeezed): "领先大市-A维持", "Buy (on CL)"
    normalized: str | None  # one of NORMALIZED_RATINGS
    action: str | None  # one of RATING_ACTIONS
    grade: str | None  # the risk grade: the "A" of 领先大市-A
    scope: str  # "company" | "industry"
    evidence: Evidence
    previous: str | None = None  # the rating before a change (原评级 / "upgraded from Neutral")
    definition: RatingDefinition | None = None  # the broker's definition of this rating


@dataclass(slots=True)
class Price:
    value: float
    currency: str | None  # ISO code (CNY, HKD, USD, TWD…) when printed, else None
    evidence: Evidence


@dataclass(slots=True)
class StockPick:
    name: str  # as printed, suffix kept: "快手-W"
    code: str | None  # normalised: "0700.HK", "600519.SH", "TSM US"
    rating: str | None  # the stock's own rating when the report gives one, as printed
    evidence: Evidence


@dataclass(slots=True)
class Analyst:
    name: str
    sac: str | None  # S + 13 digits
    email: str | None
    role: str  # "analyst" | "contact" (联系人 / research contacts)
    evidence: Evidence
    licence: str | None = None  # other licence numbers (SFC CE No.)


@dataclass(slots=True)
class Risk:
    text: str
    evidence: Evidence


@dataclass(slots=True)
class RelatedReport:
    title: str
    date: date | None
    evidence: Evidence


@dataclass(slots=True)
class Performance:
    """The 1M/3M/12M table: values in percent, one per period; None for a missing row."""

    periods: list[str]
    relative: list[float] | None
    absolute: list[float] | None
    evidence: Evidence


@dataclass(slots=True)
class Forecast:
    """One cell of an earnings-forecast table: the 2026E value of 归母净利润（百万元）."""

    metric: str | None  # "revenue", "net_profit", "eps", "pe", "pb", "roe", "revenue_growth", … or None
    label: str  # the row label as printed: "EPS-最新摊薄（元/股）"
    period: str  # the column as printed: "2026E", "01/27e"
    year: int  # the fiscal year the column covers
    estimate: bool  # a forecast (E/F) rather than a reported figure (A)
    value: float
    unit: str | None  # as printed in the label or the table's header: "百万元", "元/股", "%", "$M"
    evidence: Evidence  # the row's line
    columns: str = ""  # the table's period header line, verbatim from the same page
    # A covered-companies table's row is one stock's: its name and code as printed there.
    security: str | None = None
    security_code: str | None = None

    @property
    def columns_evidence(self) -> Evidence | None:
        return Evidence(self.evidence.page, self.columns) if self.columns else None

    def to_json(self) -> dict[str, Any]:
        return {"metric": self.metric, "label": self.label, "period": self.period, "year": self.year,
                "estimate": self.estimate, "value": self.value, "unit": self.unit,
                "evidence": self.evidence.to_json(), "columns": self.columns,
                "security": self.security, "security_code": self.security_code}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Forecast:
        return cls(data.get("metric"), data["label"], data["period"], int(data["year"]), bool(data["estimate"]),
                   float(data["value"]), data.get("unit"), Evidence.from_json(data["evidence"]),
                   data.get("columns", ""), data.get("security"), data.get("security_code"))


@dataclass(slots=True)
class ReportFacts:
    broker: Field[str] | None = None
    date: Field[date] | None = None
    title: Field[str] | None = None
    report_type: Field[str] | None = None
    sector: Field[str] | None = None
    company: Field[str] | None = None
    ticker: Field[str] | None = None
    # The report's headline rating: the company's in a company note, the industry's in an
    # industry note. `industry_rating` is a second, industry rating printed beside a
    # company rating (None in industry notes, whose `rating` is already the industry's).
    rating: Rating | None = None
    industry_rating: Rating | None = None
    target_price: Price | None = None
    current_price: Price | None = None
    rating_definitions: list[RatingDefinition] = field(default_factory=list)
    picks: list[StockPick] = field(default_factory=list)
    analysts: list[Analyst] = field(default_factory=list)  # analysts and contacts, by role
    risks: list[Risk] = field(default_factory=list)
    related_reports: list[RelatedReport] = field(default_factory=list)
    performance: Performance | None = None
    forecasts: list[Forecast] = field(default_factory=list)  # forecast-table cells, by row
    rules_version: int = 0  # the extraction rules that produced these facts; 0 = unknown

    SCALAR_FIELDS = ("broker", "date", "title", "report_type", "sector", "company", "ticker")

    @property
    def contacts(self) -> list[Analyst]:
        return [a for a in self.analysts if a.role == "contact"]

    @property
    def signing_analysts(self) -> list[Analyst]:
        return [a for a in self.analysts if a.role == "analyst"]

    def evidences(self) -> Iterator[tuple[str, Evidence]]:
        """(field path, evidence) for every extracted value: what a checker walks."""
        for name in self.SCALAR_FIELDS:
            item = getattr(self, name)
            if item is not None:
                yield name, item.evidence
        for name in ("rating", "industry_rating"):
            rating = getattr(self, name)
            if rating is not None:
                yield name, rating.evidence
                if rating.definition is not None:
                    yield f"{name}.definition", rating.definition.evidence
        for name in ("target_price", "current_price", "performance"):
            item = getattr(self, name)
            if item is not None:
                yield name, item.evidence
        for name in ("rating_definitions", "picks", "analysts", "risks", "related_reports", "forecasts"):
            for index, item in enumerate(getattr(self, name)):
                yield f"{name}[{index}]", item.evidence

    # -- JSON ------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        def scalar(item: Field[Any] | None) -> dict[str, Any] | None:
            if item is None:
                return None
            value = item.value.isoformat() if isinstance(item.value, date) else item.value
            return {"value": value, "evidence": item.evidence.to_json()}

        out: dict[str, Any] = {name: scalar(getattr(self, name)) for name in self.SCALAR_FIELDS}
        out["rating"] = _rating_json(self.rating)
        out["industry_rating"] = _rating_json(self.industry_rating)
        out["target_price"] = _price_json(self.target_price)
        out["current_price"] = _price_json(self.current_price)
        out["rating_definitions"] = [_definition_json(d) for d in self.rating_definitions]
        out["picks"] = [
            {"name": p.name, "code": p.code, "rating": p.rating, "evidence": p.evidence.to_json()}
            for p in self.picks
        ]
        out["analysts"] = [
            {"name": a.name, "sac": a.sac, "email": a.email, "role": a.role, "licence": a.licence,
             "evidence": a.evidence.to_json()}
            for a in self.analysts
        ]
        out["risks"] = [{"text": r.text, "evidence": r.evidence.to_json()} for r in self.risks]
        out["related_reports"] = [
            {"title": r.title, "date": r.date.isoformat() if r.date else None, "evidence": r.evidence.to_json()}
            for r in self.related_reports
        ]
        perf = self.performance
        out["performance"] = None if perf is None else {
            "periods": perf.periods, "relative": perf.relative, "absolute": perf.absolute,
            "evidence": perf.evidence.to_json(),
        }
        out["forecasts"] = [cell.to_json() for cell in self.forecasts]
        out["rules_version"] = self.rules_version
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReportFacts:
        facts = cls(rules_version=int(data.get("rules_version", 0)))
        for name in cls.SCALAR_FIELDS:
            item = data.get(name)
            if item is not None:
                value = date.fromisoformat(item["value"]) if name == "date" else item["value"]
                setattr(facts, name, Field(value, Evidence.from_json(item["evidence"])))
        facts.rating = _rating_from_json(data.get("rating"))
        facts.industry_rating = _rating_from_json(data.get("industry_rating"))
        facts.target_price = _price_from_json(data.get("target_price"))
        facts.current_price = _price_from_json(data.get("current_price"))
        facts.rating_definitions = [_definition_from_json(d) for d in data.get("rating_definitions", [])]
        facts.picks = [
            StockPick(p["name"], p.get("code"), p.get("rating"), Evidence.from_json(p["evidence"]))
            for p in data.get("picks", [])
        ]
        facts.analysts = [
            Analyst(a["name"], a.get("sac"), a.get("email"), a.get("role", "analyst"),
                    Evidence.from_json(a["evidence"]), a.get("licence"))
            for a in data.get("analysts", [])
        ]
        facts.risks = [Risk(r["text"], Evidence.from_json(r["evidence"])) for r in data.get("risks", [])]
        facts.related_reports = [
            RelatedReport(r["title"], date.fromisoformat(r["date"]) if r.get("date") else None,
                          Evidence.from_json(r["evidence"]))
            for r in data.get("related_reports", [])
        ]
        perf = data.get("performance")
        if perf is not None:
            facts.performance = Performance(
                list(perf["periods"]), perf.get("relative"), perf.get("absolute"), Evidence.from_json(perf["evidence"])
            )
        facts.forecasts = [Forecast.from_json(cell) for cell in data.get("forecasts", [])]
        return facts


def _definition_json(item: RatingDefinition | None) -> dict[str, Any] | None:
    return None if item is None else item.to_json()


@overload
def _definition_from_json(data: dict[str, Any]) -> RatingDefinition: ...
@overload
def _definition_from_json(data: None) -> None: ...
def _definition_from_json(data: dict[str, Any] | None) -> RatingDefinition | None:
    if data is None:
        return None
    return RatingDefinition.from_json(data)


def _rating_json(rating: Rating | None) -> dict[str, Any] | None:
    if rating is None:
        return None
    return {
        "raw": rating.raw, "normalized": rating.normalized, "action": rating.action, "grade": rating.grade,
        "scope": rating.scope, "previous": rating.previous, "evidence": rating.evidence.to_json(),
        "definition": _definition_json(rating.definition),
    }


def _rating_from_json(data: dict[str, Any] | None) -> Rating | None:
    if data is None:
        return None
    return Rating(
        raw=data["raw"], normalized=data.get("normalized"), action=data.get("action"), grade=data.get("grade"),
        scope=data.get("scope", "company"), evidence=Evidence.from_json(data["evidence"]),
        previous=data.get("previous"), definition=_definition_from_json(data.get("definition")),
    )


def _price_json(price: Price | None) -> dict[str, Any] | None:
    if price is None:
        return None
    return {"value": price.value, "currency": price.currency, "evidence": price.evidence.to_json()}


def _price_from_json(data: dict[str, Any] | None) -> Price | None:
    if data is None:
        return None
    return Price(float(data["value"]), data.get("currency"), Evidence.from_json(data["evidence"]))
