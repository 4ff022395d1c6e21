"""Cross-report queries over the stored facts: the picks table (stock, report, broker,
date, report rating, stock rating) and the ratings list the digest reads.

    query_picks(store, stock="腾讯", since=date(2024, 7, 1)) -> [PickRecord]
    query_ratings(store, broker="华锦", since=...) -> [RatingRecord]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select

from report_rag.store.facts_tables import FactPickRow, FactRatingRow, FactReportRow, StoreOrSession, facts_session
from report_rag.store.sql import ReportRow
from report_rag.text import name_key
from report_rag.types import Evidence


@dataclass(frozen=True)
class PickRecord:
    """One row of the cross-report picks table."""

    report_id: int
    file: str
    title: str | None
    broker: str | None
    date: date | None
    report_rating: str | None  # the report's headline rating, raw
    report_rating_normalized: str | None
    stock: str
    code: str | None
    stock_rating: str | None
    evidence: Evidence

    def to_row(self) -> dict[str, Any]:
        """The row every surface shows (CLI JSON/CSV/XLSX, the UI's table): one definition."""
        return {
            "stock": self.stock, "code": self.code, "stock_rating": self.stock_rating, "report_id": self.report_id,
            "file": self.file, "title": self.title, "broker": self.broker,
            "date": self.date.isoformat() if self.date else None, "report_rating": self.report_rating,
            "page": self.evidence.page, "quote": self.evidence.quote,
        }


@dataclass(frozen=True)
class RatingRecord:
    report_id: int
    file: str
    broker: str | None
    date: date | None
    sector: str | None
    company: str | None
    ticker: str | None
    role: str  # "headline" | "industry"
    raw: str
    normalized: str | None
    action: str | None
    previous: str | None
    evidence: Evidence


def query_picks(
    target: StoreOrSession, *, stock: str | None = None, broker: str | None = None, since: date | None = None
) -> list[PickRecord]:
    """Picks across reports, newest report first. `stock` matches a name (substring,
    suffix-insensitive) or a code; `broker` a substring of the broker; `since` the date."""
    with facts_session(target) as session:
        query = (
            select(FactPickRow, FactReportRow, ReportRow.file_name, FactRatingRow.raw, FactRatingRow.normalized)
            .join(FactReportRow, FactReportRow.report_id == FactPickRow.report_id)
            .join(ReportRow, ReportRow.id == FactPickRow.report_id)
            .outerjoin(FactRatingRow, (FactRatingRow.report_id == FactPickRow.report_id) & (FactRatingRow.role == "headline"))
        )
        if stock:
            key = name_key(stock)
            query = query.where(or_(FactPickRow.name_key.contains(key), FactPickRow.code.ilike(f"%{stock.strip()}%")))
        if broker:
            query = query.where(FactReportRow.broker.contains(broker.strip()))
        if since:
            query = query.where(FactReportRow.published >= since)
        query = query.order_by(FactReportRow.published.desc(), FactPickRow.report_id, FactPickRow.ordinal)
        return [
            PickRecord(pick.report_id, file_name, head.title, head.broker, head.published, raw, normalized,
                       pick.name, pick.code, pick.rating, Evidence(pick.page, pick.quote))
            for pick, head, file_name, raw, normalized in session.execute(query)
        ]


def query_ratings(
    target: StoreOrSession, *, broker: str | None = None, since: date | None = None, sector: str | None = None
) -> list[RatingRecord]:
    """Every stored rating (headline and industry), newest report first."""
    with facts_session(target) as session:
        query = (
            select(FactRatingRow, FactReportRow, ReportRow.file_name)
            .join(FactReportRow, FactReportRow.report_id == FactRatingRow.report_id)
            .join(ReportRow, ReportRow.id == FactRatingRow.report_id)
        )
        if broker:
            query = query.where(FactReportRow.broker.contains(broker.strip()))
        if since:
            query = query.where(FactReportRow.published >= since)
        if sector:
            query = query.where(FactReportRow.sector.contains(sector.strip()))
        query = query.order_by(FactReportRow.published.desc(), FactRatingRow.report_id, FactRatingRow.id)
        return [
            RatingRecord(rating.report_id, file_name, head.broker, head.published, head.sector, head.company,
                         head.ticker, rating.role, rating.raw, rating.normalized, rating.action, rating.previous,
                         Evidence(rating.page, rating.quote))
            for rating, head, file_name in session.execute(query)
        ]


def report_sectors(target: StoreOrSession) -> dict[int, str]:
    """report id -> sector as printed, for reports whose sector was extracted."""
    with facts_session(target) as session:
        rows = session.execute(select(FactReportRow.report_id, FactReportRow.sector).where(FactReportRow.sector.is_not(None)))
        return {report_id: sector for report_id, sector in rows if sector}
