"""The UI's pages, in menu order (a function so pages can link to each other)."""

from __future__ import annotations

import streamlit as st

from report_rag_app import page_ask, page_library, page_picks, page_report, page_status, page_stocks


def pages() -> dict[str, st.Page]:
    return {
        "library": st.Page(page_library.render, title="Library", icon=":material/library_books:", url_path="library", default=True),
        "ask": st.Page(page_ask.render, title="Ask", icon=":material/chat:", url_path="ask"),
        "report": st.Page(page_report.render, title="Report card", icon=":material/description:", url_path="report"),
        "picks": st.Page(page_picks.render, title="Picks", icon=":material/trending_up:", url_path="picks"),
        "stocks": st.Page(page_stocks.render, title="Stocks", icon=":material/candlestick_chart:", url_path="stocks"),
        "status": st.Page(page_status.render, title="Status", icon=":material/settings:", url_path="status"),
    }
