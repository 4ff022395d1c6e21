"""Extracted facts (ratings, picks, analysts) shaped for the pages' tables and downloads.

report_rag extracts the facts at ingest and stores them (store/facts_tables); its queries filter
them (facts_queries) and its exporters write CSV/XLSX (export). This module only picks
columns and formats.
"""

from __future__ import annotations

from datetime import date

from report_rag.pipeline.reextract import reextract_library
from report_rag.present.export import csv_bytes, xlsx_bytes
from report_rag.store.facts_queries import query_picks
from report_rag.store.facts_tables import load_facts
from report_rag.types import ReportFacts
from report_rag_app import resources

EMPTY_COLUMNS = {"type": "", "sector": "", "rating": "", "picks": None}  # not extracted
NOT_EXTRACTED = "No facts are stored for this report (extract them on the Library page)."
PICK_COLUMNS = ("stock", "code", "stock rating", "report rating", "broker", "date", "report", "file", "page")


def load(report_id: int) -> ReportFacts | None:
    """The stored facts of one report; None when it has not been extracted."""
    return load_facts(resources.library().store, report_id)


def rating_text(facts: ReportFacts) -> str:
    rating = facts.rating
    if rating is None:
        return ""
    return rating.raw + (f" ({rating.normalized})" if rating.normalized else "")


def library_columns(report_ids: list[int]) -> dict[int, dict]:
    """The facts columns of the library table, for the reports that have facts."""
    columns = {}
    for report_id in report_ids:
        facts = load(report_id)
        if facts is None:
            continue
        columns[report_id] = {
            "type": facts.report_type.value if facts.report_type else "",
            "sector": facts.sector.value if facts.sector else "",
            "rating": rating_text(facts),
            "picks": len(facts.picks),
        }
    return columns


def extract_stale() -> int:
    """Extract facts for the reports that have none (or older rules); how many were done."""
    with resources.library_access().writing():
        return reextract_library(resources.library(), only_stale=True).extracted


def picks_rows(stock: str | None = None, broker: str | None = None, since: date | None = None) -> list[dict]:
    """The cross-report picks table (filtered by report_rag), one row per stock per report."""
    records = query_picks(resources.library().store, stock=stock or None, broker=broker or None, since=since)
    # The same rows as `report-rag picks`, labelled for reading; dates stay dates for sorting.
    shown = []
    for record in records:
        row = record.to_row()
        shown.append({
            "stock": row["stock"], "code": row["code"] or "", "stock rating": row["stock_rating"] or "",
            "report rating": row["report_rating"] or "", "broker": row["broker"] or "", "date": record.date,
            "report": row["title"] or row["file"], "file": row["file"], "page": row["page"],
        })
    return shown


def picks_csv(rows: list[dict]) -> bytes:
    return csv_bytes(rows, PICK_COLUMNS)


def picks_xlsx(rows: list[dict]) -> bytes:
    return xlsx_bytes(rows, PICK_COLUMNS, sheet="picks")


def picks_markdown(rows: list[dict]) -> bytes:
    def cell(value) -> str:
        text = value.isoformat() if isinstance(value, date) else ("" if value is None else str(value))
        return text.replace("|", "\\|")

    lines = ["| " + " | ".join(PICK_COLUMNS) + " |", "|" + "---|" * len(PICK_COLUMNS)]
    lines += ["| " + " | ".join(cell(row[c]) for c in PICK_COLUMNS) + " |" for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")
