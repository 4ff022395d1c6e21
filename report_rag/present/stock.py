"""A stock view as tables people open as they are: Markdown, CSV, XLSX (one sheet per table,
each number with its evidence: file, page, quote). The CLI and the UI use these columns, so
`report-rag stock --json` and the UI's tables show the same fields."""

from __future__ import annotations

from typing import Any

from report_rag.present.export import Sheet, xlsx_book_bytes
from report_rag.types import StockView

COVERAGE_COLUMNS = ["broker", "date", "rating", "rating_normalized", "action", "target", "currency", "price",
                    "upside_pct", "kind", "report_id", "file", "rating_page", "target_page", "quote"]
FORECAST_COLUMNS = ["metric", "year", "value", "unit", "label", "broker", "date", "report_id", "file", "page", "quote"]
SPREAD_COLUMNS = ["metric", "year", "unit", "brokers", "min", "median", "max"]
TABLES = ("latest", "history", "forecasts", "spreads")


def stock_tables(view: StockView) -> dict[str, tuple[list[dict[str, Any]], list[str]]]:
    """name -> (rows, columns) for each table of the view."""
    data = view.to_json()
    return {
        "latest": (data["latest"], COVERAGE_COLUMNS),
        "history": (data["history"], COVERAGE_COLUMNS),
        "forecasts": (data["forecasts"], FORECAST_COLUMNS),
        "spreads": (data["spreads"], SPREAD_COLUMNS),
    }


def stock_xlsx_bytes(view: StockView) -> bytes:
    sheets: list[Sheet] = [(name, rows, columns) for name, (rows, columns) in stock_tables(view).items()]
    return xlsx_book_bytes(sheets)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(rows: list[dict[str, Any]], columns: list[str]) -> list[str]:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(row.get(c)) for c in columns) + " |" for row in rows]
    return lines


def stock_markdown(view: StockView) -> str:
    security = view.security
    lines = [f"# {security.label}", ""]
    if len(security.names) > 1:
        lines += [f"Also printed as: {', '.join(security.names[1:])}", ""]
    if security.ambiguous_names:
        lines += [f"Not joined by name (it names another listing too): {', '.join(security.ambiguous_names)}", ""]
    tables = stock_tables(view)
    brief = ["broker", "date", "rating", "action", "target", "currency", "price", "upside_pct", "file", "target_page"]
    sections = (("Latest rating and target by broker", "latest", brief),
                ("Rating and target history", "history", brief),
                ("Forecast spread", "spreads", SPREAD_COLUMNS),
                ("Forecasts by broker", "forecasts", ["metric", "year", "value", "unit", "broker", "date", "file", "page"]))
    for heading, name, columns in sections:
        rows = tables[name][0]
        lines += [f"## {heading}", ""]
        lines += _table(rows, columns) if rows else ["None in the library."]
        lines.append("")
    return "\n".join(lines)
