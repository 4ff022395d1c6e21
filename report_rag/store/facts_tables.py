"""Extracted facts in SQL: one row per report in `fact_reports`, one row per rating, price,
pick, analyst, risk, related report, rating definition and forecast-table cell in its own table, each with the
page and quote it came from. Rows hang off `reports` (ON DELETE CASCADE), so deleting or
re-ingesting a report drops its facts.

The tables are created by migrations 2 and 3 (`report_rag.store.migrations`); every function here runs
the migrations first, so an old library gains the tables on first use.

    save_facts(store_or_session, report_id, facts)
    load_facts(store, report_id) -> ReportFacts | None

Extraction itself is the pipeline's (report_rag.pipeline.reextract calls both).

Cross-report queries (picks table, ratings) are in `report_rag.store.facts_queries`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, delete, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from report_rag.store.sql import ReportRow, Store
from report_rag.text import name_key
from report_rag.types import (
    Analyst,
    Evidence,
    Field,
    Forecast,
    Performance,
    Price,
    Rating,
    RatingDefinition,
    RelatedReport,
    ReportFacts,
    Risk,
    StockPick,
)

log = logging.getLogger(__name__)
StoreOrSession = Store | Session


class FactsBase(DeclarativeBase):
    pass


def _report_fk() -> Mapped[int]:
    return mapped_column(ForeignKey(ReportRow.id, ondelete="CASCADE"), index=True)


class FactReportRow(FactsBase):
    __tablename__ = "fact_reports"
    report_id: Mapped[int] = mapped_column(ForeignKey(ReportRow.id, ondelete="CASCADE"), primary_key=True)
    rules_version: Mapped[int] = mapped_column(Integer)
    extracted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    broker: Mapped[str | None] = mapped_column(String(128), index=True, nullable=True)
    published: Mapped[date | None] = mapped_column(Date, index=True, nullable=True)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    report_type: Mapped[str | None] = mapped_column(String(64), nullable=True)
    sector: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    company: Mapped[str | None] = mapped_column(String(256), index=True, nullable=True)
    ticker: Mapped[str | None] = mapped_column(String(32), index=True, nullable=True)
    evidence_json: Mapped[str] = mapped_column(Text, default="{}")  # {field: {"page","quote"}}
    performance_json: Mapped[str | None] = mapped_column(Text, nullable=True)


class FactRatingRow(FactsBase):
    __tablename__ = "fact_ratings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = _report_fk()
    role: Mapped[str] = mapped_column(String(16))  # "headline" | "industry"
    raw: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str | None] = mapped_column(String(16), index=True, nullable=True)
    action: Mapped[str | None] = mapped_column(String(16), nullable=True)
    grade: Mapped[str | None] = mapped_column(String(8), nullable=True)
    scope: Mapped[str] = mapped_column(String(16))
    previous: Mapped[str | None] = mapped_column(String(64), nullable=True)
    page: Mapped[int] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text)
    definition_json: Mapped[str | None] = mapped_column(Text, nullable=True)


class FactPriceRow(FactsBase):
    __tablename__ = "fact_prices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = _report_fk()
    kind: Mapped[str] = mapped_column(String(16))  # "target" | "current"
    value: Mapped[float] = mapped_column(Float)
    currency: Mapped[str | None] = mapped_column(String(8), nullable=True)
    page: Mapped[int] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text)


class FactPickRow(FactsBase):
    __tablename__ = "fact_picks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = _report_fk()
    ordinal: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(128), index=True)
    name_key: Mapped[str] = mapped_column(String(128), index=True)  # suffix-free, for matching
    code: Mapped[str | None] = mapped_column(String(32), index=True, nullable=True)
    rating: Mapped[str | None] = mapped_column(String(64), nullable=True)
    page: Mapped[int] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text)


class FactAnalystRow(FactsBase):
    __tablename__ = "fact_analysts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = _report_fk()
    ordinal: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(128), index=True)
    sac: Mapped[str | None] = mapped_column(String(16), index=True, nullable=True)
    email: Mapped[str | None] = mapped_column(String(256), nullable=True)
    role: Mapped[str] = mapped_column(String(16))
    licence: Mapped[str | None] = mapped_column(String(32), nullable=True)
    page: Mapped[int] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text)


class FactRiskRow(FactsBase):
    __tablename__ = "fact_risks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = _report_fk()
    ordinal: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    page: Mapped[int] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text)


class FactRelatedRow(FactsBase):
    __tablename__ = "fact_related_reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = _report_fk()
    ordinal: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    published: Mapped[date | None] = mapped_column(Date, nullable=True)
    page: Mapped[int] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text)


class FactDefinitionRow(FactsBase):
    __tablename__ = "fact_rating_definitions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = _report_fk()
    ordinal: Mapped[int] = mapped_column(Integer)
    term: Mapped[str] = mapped_column(String(64))
    definition: Mapped[str] = mapped_column(Text)
    scale: Mapped[str | None] = mapped_column(String(16), nullable=True)
    page: Mapped[int] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text)


class FactForecastRow(FactsBase):
    __tablename__ = "fact_forecasts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = _report_fk()
    ordinal: Mapped[int] = mapped_column(Integer)
    metric: Mapped[str | None] = mapped_column(String(32), index=True, nullable=True)
    label: Mapped[str] = mapped_column(String(128))
    period: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer, index=True)
    estimate: Mapped[bool] = mapped_column(Boolean)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(32), nullable=True)
    page: Mapped[int] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text)
    columns: Mapped[str] = mapped_column(Text)  # the table's period header line
    security: Mapped[str | None] = mapped_column(String(64), nullable=True)
    security_code: Mapped[str | None] = mapped_column(String(32), nullable=True)


_CHILD_ROWS = (FactRatingRow, FactPriceRow, FactPickRow, FactAnalystRow, FactRiskRow, FactRelatedRow, FactDefinitionRow,
               FactForecastRow)
_ChildRow = TypeVar(
    "_ChildRow", FactRatingRow, FactPriceRow, FactPickRow, FactAnalystRow, FactRiskRow, FactRelatedRow, FactDefinitionRow,
    FactForecastRow,
)


# --- sessions ------------------------------------------------------------------------


@contextmanager
def facts_session(target: StoreOrSession) -> Iterator[Session]:
    """A migrated session: the Store's own transaction, or the caller's session as is."""
    from report_rag.store.migrations import migrate, migrate_connection

    if isinstance(target, Session):
        migrate_connection(target.connection())
        yield target
        return
    migrate(target)
    with target.session() as session:
        yield session


# --- write ---------------------------------------------------------------------------


def save_facts(target: StoreOrSession, report_id: int, facts: ReportFacts) -> None:
    """Replace the stored facts of one report (one transaction on a Store)."""
    with facts_session(target) as session:
        _delete(session, report_id)
        session.add(_report_row(report_id, facts))
        session.add_all(_child_rows(report_id, facts))
        session.flush()


def delete_facts(target: StoreOrSession, report_id: int) -> None:
    with facts_session(target) as session:
        _delete(session, report_id)


def _delete(session: Session, report_id: int) -> None:
    for row_type in _CHILD_ROWS:
        session.execute(delete(row_type).where(row_type.report_id == report_id))
    session.execute(delete(FactReportRow).where(FactReportRow.report_id == report_id))


def _report_row(report_id: int, facts: ReportFacts) -> FactReportRow:
    def value(name: str) -> Any:
        item = getattr(facts, name)
        return item.value if item is not None else None

    evidence = {
        name: getattr(facts, name).evidence.to_json() for name in ReportFacts.SCALAR_FIELDS if getattr(facts, name)
    }
    perf = facts.performance
    return FactReportRow(
        report_id=report_id,
        rules_version=facts.rules_version,
        extracted_at=datetime.now(UTC),
        broker=value("broker"), published=value("date"), title=value("title"), report_type=value("report_type"),
        sector=value("sector"), company=value("company"), ticker=value("ticker"),
        evidence_json=json.dumps(evidence, ensure_ascii=False, sort_keys=True),
        performance_json=None if perf is None else json.dumps(
            {"periods": perf.periods, "relative": perf.relative, "absolute": perf.absolute,
             "evidence": perf.evidence.to_json()}, ensure_ascii=False),
    )


def _definition_json(item: RatingDefinition | None) -> str | None:
    return None if item is None else json.dumps(item.to_json(), ensure_ascii=False)


def _child_rows(report_id: int, facts: ReportFacts) -> list[FactsBase]:
    rows: list[FactsBase] = []
    for role, rating in (("headline", facts.rating), ("industry", facts.industry_rating)):
        if rating is not None:
            rows.append(FactRatingRow(
                report_id=report_id, role=role, raw=rating.raw, normalized=rating.normalized, action=rating.action,
                grade=rating.grade, scope=rating.scope, previous=rating.previous, page=rating.evidence.page,
                quote=rating.evidence.quote, definition_json=_definition_json(rating.definition),
            ))
    for kind, price in (("target", facts.target_price), ("current", facts.current_price)):
        if price is not None:
            rows.append(FactPriceRow(report_id=report_id, kind=kind, value=price.value, currency=price.currency,
                                     page=price.evidence.page, quote=price.evidence.quote))
    for i, pick in enumerate(facts.picks):
        rows.append(FactPickRow(report_id=report_id, ordinal=i, name=pick.name, name_key=name_key(pick.name),
                                code=pick.code, rating=pick.rating, page=pick.evidence.page, quote=pick.evidence.quote))
    for i, person in enumerate(facts.analysts):
        rows.append(FactAnalystRow(report_id=report_id, ordinal=i, name=person.name, sac=person.sac,
                                   email=person.email, role=person.role, licence=person.licence,
                                   page=person.evidence.page, quote=person.evidence.quote))
    for i, risk in enumerate(facts.risks):
        rows.append(FactRiskRow(report_id=report_id, ordinal=i, text=risk.text, page=risk.evidence.page,
                                quote=risk.evidence.quote))
    for i, related in enumerate(facts.related_reports):
        rows.append(FactRelatedRow(report_id=report_id, ordinal=i, title=related.title, published=related.date,
                                   page=related.evidence.page, quote=related.evidence.quote))
    for i, item in enumerate(facts.rating_definitions):
        rows.append(FactDefinitionRow(report_id=report_id, ordinal=i, term=item.term, definition=item.definition,
                                      scale=item.scale, page=item.evidence.page, quote=item.evidence.quote))
    for i, cell in enumerate(facts.forecasts):
        rows.append(FactForecastRow(report_id=report_id, ordinal=i, metric=cell.metric, label=cell.label[:128],
                                    period=cell.period, year=cell.year, estimate=cell.estimate, value=cell.value,
                                    unit=cell.unit, page=cell.evidence.page, quote=cell.evidence.quote,
                                    columns=cell.columns, security=cell.security,
                                    security_code=cell.security_code))
    return rows


# --- read ----------------------------------------------------------------------------


def load_facts(target: StoreOrSession, report_id: int) -> ReportFacts | None:
    """The stored facts of a report, or None when it has not been extracted."""
    with facts_session(target) as session:
        head = session.get(FactReportRow, report_id)
        if head is None:
            return None
        facts = ReportFacts(rules_version=head.rules_version)
        evidence = json.loads(head.evidence_json or "{}")
        values = {"broker": head.broker, "date": head.published, "title": head.title, "report_type": head.report_type,
                  "sector": head.sector, "company": head.company, "ticker": head.ticker}
        for name, value in values.items():
            if value is not None and name in evidence:
                setattr(facts, name, Field(value, Evidence.from_json(evidence[name])))
        if head.performance_json:
            perf = json.loads(head.performance_json)
            facts.performance = Performance(perf["periods"], perf["relative"], perf["absolute"],
                                            Evidence.from_json(perf["evidence"]))

        def children(row_type: type[_ChildRow]) -> list[_ChildRow]:
            query = select(row_type).where(row_type.report_id == report_id)
            order = getattr(row_type, "ordinal", row_type.id)
            return list(session.scalars(query.order_by(order, row_type.id)))

        for row in children(FactRatingRow):
            rating = Rating(row.raw, row.normalized, row.action, row.grade, row.scope, Evidence(row.page, row.quote),
                            row.previous, _definition_from_json(row.definition_json))
            if row.role == "headline":
                facts.rating = rating
            else:
                facts.industry_rating = rating
        for price_row in children(FactPriceRow):
            price = Price(price_row.value, price_row.currency, Evidence(price_row.page, price_row.quote))
            if price_row.kind == "target":
                facts.target_price = price
            else:
                facts.current_price = price
        facts.picks = [StockPick(r.name, r.code, r.rating, Evidence(r.page, r.quote)) for r in children(FactPickRow)]
        facts.analysts = [Analyst(r.name, r.sac, r.email, r.role, Evidence(r.page, r.quote), r.licence)
                          for r in children(FactAnalystRow)]
        facts.risks = [Risk(r.text, Evidence(r.page, r.quote)) for r in children(FactRiskRow)]
        facts.related_reports = [RelatedReport(r.title, r.published, Evidence(r.page, r.quote))
                                 for r in children(FactRelatedRow)]
        facts.rating_definitions = [RatingDefinition(r.term, r.definition, r.scale, Evidence(r.page, r.quote))
                                    for r in children(FactDefinitionRow)]
        facts.forecasts = [Forecast(r.metric, r.label, r.period, r.year, r.estimate, r.value, r.unit,
                                    Evidence(r.page, r.quote), r.columns, r.security, r.security_code)
                           for r in children(FactForecastRow)]
        return facts


def _definition_from_json(text: str | None) -> RatingDefinition | None:
    if not text:
        return None
    return RatingDefinition.from_json(json.loads(text))


def stored_rules_versions(store: Store) -> dict[int, int]:
    """report id -> the extraction rules version its stored facts came from."""
    with facts_session(store) as session:
        return dict(session.execute(select(FactReportRow.report_id, FactReportRow.rules_version)).all())
