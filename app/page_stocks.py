"""Stocks: one security across brokers — latest rating and target, their history, forecast
spreads, charts — each number a click away from its page.

The tables are `report-rag stock`'s (report_rag.present.stock), so the CLI's JSON and these
tables carry the same fields; the charts draw from the same rows.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from report_rag.errors import StockNotFoundError
from report_rag.present.stock import (
    COVERAGE_COLUMNS,
    FORECAST_COLUMNS,
    SPREAD_COLUMNS,
    stock_markdown,
    stock_tables,
    stock_xlsx_bytes,
)
from report_rag.store.securities import build_directory, stock_view
from report_rag.types import StockView
from report_rag_app import resources
from report_rag_app.charts import forecast_chart, target_chart
from report_rag_app.page_view import markdown_text, show_page


def evidence_table(rows: list[dict[str, Any]], columns: list[str], key: str, page_of: str) -> None:
    """A table whose selected row opens its evidence page, the quote marked."""
    event = st.dataframe(rows, column_order=columns, hide_index=True, width="stretch", key=key,
                         on_select="rerun", selection_mode="single-row")
    chosen = event.selection.rows if event is not None else []
    if chosen:
        row = rows[chosen[0]]
        page = row.get(page_of) or row.get("rating_page") or row.get("page")
        if page:
            show_page(row["report_id"], int(page), caption=f"{row['file']} · page {page}", quote=row.get("quote"))
    else:
        st.caption("Select a row to see its page.")


def _number(row: dict[str, Any]) -> str:
    if row["target"] is not None:
        return f"target {row['target']:,.2f} {row['currency'] or ''}".rstrip()
    return row["rating"] or "rating"


def evidence_buttons(rows: list[dict[str, Any]], key: str) -> None:
    """Each broker's number as a button that opens the page it was read from."""
    chosen = st.session_state.get(key)
    with st.container(horizontal=True):
        for index, row in enumerate(rows):
            page = row["target_page"] or row["rating_page"]
            if page and st.button(f"{row['broker'] or row['file']}: {_number(row)} · p.{page}", key=f"{key}-{index}"):
                chosen = st.session_state[key] = index
    if chosen is not None and chosen < len(rows):
        row = rows[chosen]
        page = row["target_page"] or row["rating_page"]
        show_page(row["report_id"], int(page), caption=f"{row['file']} · page {page}", quote=row.get("quote"))


def downloads(view: StockView) -> None:
    name = (view.security.codes[0] if view.security.codes else view.security.key).replace(" ", "_")
    latest, columns = stock_tables(view)["latest"]
    from report_rag.present.export import csv_bytes

    with st.container(horizontal=True):
        st.download_button("Excel (XLSX)", stock_xlsx_bytes(view), f"{name}.xlsx",
                           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="stock_xlsx")
        st.download_button("CSV", csv_bytes(latest, columns), f"{name}.csv", "text/csv", key="stock_csv")
        st.download_button("Markdown", stock_markdown(view).encode(), f"{name}.md", "text/markdown", key="stock_md")


def render() -> None:
    st.title("Stocks across brokers")
    directory = build_directory(resources.library().store)
    covered = [s for s in directory.securities if s.reports]
    if not covered:
        st.info("No stocks are stored for the library's reports yet.")
        return
    labels = {s.key: f"{s.label} — {len(s.reports)} report{'s' if len(s.reports) > 1 else ''}" for s in covered}
    query = st.text_input("Find a stock (name or code)", key="stock_query").strip()
    keys = [s.key for s in (directory.find(query) if query else covered)]
    if not keys:
        st.warning(f"No stock in the library matches {markdown_text(query)}.")
        return
    key = st.selectbox("Stock", keys, format_func=labels.get, key="stock_key")
    security = next(s for s in covered if s.key == key)
    try:
        view = stock_view(resources.library().store, security.codes[0] if security.codes else security.names[0])
    except StockNotFoundError as exc:
        st.warning(str(exc))
        return
    if security.ambiguous_names:
        st.caption("Not joined by name (it names another listing too): " + ", ".join(security.ambiguous_names))
    tables = stock_tables(view)
    st.subheader("Latest rating and target by broker")
    latest = tables["latest"][0]
    st.dataframe(latest, column_order=COVERAGE_COLUMNS[:10] + ["file", "target_page"], hide_index=True,
                 width="stretch", key="stock_latest")
    evidence_buttons(latest, f"stock_evidence_{security.key}")
    history = tables["history"][0]
    if any(r["target"] is not None for r in history):
        st.altair_chart(target_chart(history), key="stock_target_chart")
    with st.expander(f"Rating and target history ({len(history)})"):
        evidence_table(history, COVERAGE_COLUMNS[:10] + ["file", "target_page"], "stock_history", "target_page")
    forecasts = tables["forecasts"][0]
    if forecasts:
        st.subheader("Forecasts")
        st.dataframe(tables["spreads"][0], column_order=SPREAD_COLUMNS, hide_index=True, width="stretch",
                     key="stock_spreads")
        for metric in ("eps", "net_profit", "revenue"):
            if any(r["metric"] == metric for r in forecasts):
                st.altair_chart(forecast_chart(forecasts, metric), key=f"stock_{metric}_chart")
        evidence_table(forecasts, FORECAST_COLUMNS, "stock_forecasts", "page")
    downloads(view)
