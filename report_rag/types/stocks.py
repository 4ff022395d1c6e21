"""One stock across reports: the security as an entity, and what every broker says about it.

Built by `report_rag.store.securities` from the stored facts; rendered by the CLI, the UI's
stock page and its charts from these same records, so they show the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from report_rag.types.facts import Evidence


@dataclass(frozen=True)
class Security:
    """One company across name forms, share classes and codes (美团 / Meituan / 3690.HK)."""

    key: str  # stable: its first code in sort order, else "name:" + the name key
    names: tuple[str, ...]  # as printed, most frequent first
    codes: tuple[str, ...]  # canonical (600519.SH, 0700.HK, TSM US)
    reports: tuple[int, ...]  # report ids that name it
    # Names printed here that also name another listing in the same market: never used to
    # join, shown so a reader knows why two entries stayed apart.
    ambiguous_names: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        name = self.names[0] if self.names else self.key
        return f"{name} ({', '.join(self.codes)})" if self.codes else name

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "names": list(self.names), "codes": list(self.codes),
                "reports": list(self.reports), "ambiguous_names": list(self.ambiguous_names)}


@dataclass(frozen=True)
class SourceRef:
    """Where a number came from: the report and the page quote."""

    report_id: int
    file: str
    broker: str | None
    date: date | None
    evidence: Evidence

    def to_json(self) -> dict[str, Any]:
        return {"report_id": self.report_id, "file": self.file, "broker": self.broker,
                "date": self.date.isoformat() if self.date else None, **self.evidence.to_json()}


@dataclass(frozen=True)
class CoverageEntry:
    """One report's rating and target for the stock (a company note's headline, or the
    stock's row in an industry note's list)."""

    report_id: int
    file: str
    broker: str | None
    date: date | None
    kind: str  # "company" (the report is about this stock) | "list" (one of an industry note's stocks)
    rating: str | None  # as printed
    rating_normalized: str | None  # buy / outperform / neutral / underperform / sell
    action: str | None  # initiate / maintain / upgrade / downgrade
    target: float | None
    currency: str | None
    price: float | None  # the price the report prints beside its target
    rating_evidence: Evidence | None
    target_evidence: Evidence | None
    price_evidence: Evidence | None
    # Against the same broker's previous note on this stock in the library (None for its first):
    # its rating then, the move between the two (upgrade / downgrade / maintain), its target then.
    previous_rating: str | None = None
    move: str | None = None
    previous_target: float | None = None

    @property
    def changed(self) -> bool:
        """A rating change: printed (upgrade / downgrade / initiate) or between two of the
        broker's notes in the library."""
        return self.action in {"upgrade", "downgrade", "initiate"} or self.move in {"upgrade", "downgrade"}

    @property
    def upside(self) -> float | None:
        """Target over printed price, minus one; only when both are in one currency."""
        if self.target is None or not self.price:
            return None
        return self.target / self.price - 1

    def to_row(self) -> dict[str, Any]:
        """The row every surface shows (CLI JSON/CSV/XLSX, the UI table): one definition."""
        def where(evidence: Evidence | None) -> int | None:
            return evidence.page if evidence else None

        quote = next((e.quote for e in (self.target_evidence, self.rating_evidence) if e is not None), None)
        return {
            "broker": self.broker, "date": self.date.isoformat() if self.date else None, "rating": self.rating,
            "rating_normalized": self.rating_normalized, "action": self.action,
            "previous_rating": self.previous_rating, "move": self.move, "target": self.target,
            "previous_target": self.previous_target,
            "currency": self.currency, "price": self.price,
            "upside_pct": None if self.upside is None else round(100 * self.upside, 1),
            "kind": self.kind, "report_id": self.report_id, "file": self.file,
            "rating_page": where(self.rating_evidence), "target_page": where(self.target_evidence),
            "quote": quote,
        }


@dataclass(frozen=True)
class ForecastPoint:
    """One broker's forecast of one metric for one fiscal year (its latest report's)."""

    metric: str  # eps | net_profit | revenue
    year: int
    value: float
    unit: str | None
    label: str  # the row label as printed
    source: SourceRef

    def to_row(self) -> dict[str, Any]:
        return {"metric": self.metric, "year": self.year, "value": self.value, "unit": self.unit,
                "label": self.label, **self.source.to_json()}


@dataclass(frozen=True)
class ForecastSpread:
    """How far apart the brokers are on one metric and year (values in one unit only)."""

    metric: str
    year: int
    unit: str | None
    brokers: int
    low: float
    median: float
    high: float

    def to_row(self) -> dict[str, Any]:
        return {"metric": self.metric, "year": self.year, "unit": self.unit, "brokers": self.brokers,
                "min": self.low, "median": round(self.median, 6), "max": self.high}


@dataclass
class StockView:
    """Everything the library's reports say about one security."""

    security: Security
    latest: list[CoverageEntry] = field(default_factory=list)  # one per broker, newest first
    history: list[CoverageEntry] = field(default_factory=list)  # every report, oldest first
    forecasts: list[ForecastPoint] = field(default_factory=list)  # latest report per broker
    spreads: list[ForecastSpread] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "security": self.security.to_json(),
            "latest": [entry.to_row() for entry in self.latest],
            "history": [entry.to_row() for entry in self.history],
            "forecasts": [point.to_row() for point in self.forecasts],
            "spreads": [spread.to_row() for spread in self.spreads],
        }
