"""Tabular exports (CSV, XLSX) of the facts tables, shared by the CLI and the web UI."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from report_rag.errors import MissingDependencyError


def write_csv(stream: IO[str], rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    writer = csv.DictWriter(stream, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)


def csv_bytes(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> bytes:
    buffer = io.StringIO()
    write_csv(buffer, rows, columns)
    return buffer.getvalue().encode("utf-8-sig")  # BOM: Excel then reads the Chinese right


Sheet = tuple[str, Sequence[dict[str, Any]], Sequence[str]]  # (name, rows, columns)


def xlsx_bytes(rows: Sequence[dict[str, Any]], columns: Sequence[str], sheet: str = "Sheet1") -> bytes:
    return xlsx_book_bytes([(sheet, rows, columns)])


def xlsx_book_bytes(sheets: Sequence[Sheet]) -> bytes:
    """One workbook, one sheet per table, header row first."""
    try:
        from openpyxl import Workbook
    except ImportError as exc:
        raise MissingDependencyError("openpyxl", "ui", "Excel export") from exc
    book = Workbook()
    book.remove(book.active)
    for name, rows, columns in sheets:
        table = book.create_sheet(title=name[:31])  # Excel's limit on sheet names
        table.append(list(columns))
        for row in rows:
            table.append([row.get(c) for c in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_xlsx(path: str | Path, rows: Sequence[dict[str, Any]], columns: Sequence[str], sheet: str = "Sheet1") -> None:
    Path(path).write_bytes(xlsx_bytes(rows, columns, sheet))
