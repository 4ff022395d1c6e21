"""Picks: every stock the reports recommend, filterable, with the digest and downloads."""

from __future__ import annotations

from datetime import date

import streamlit as st

from report_rag.answer.digest import Digest, build_digest
from report_rag_app import facts_view, resources
from report_rag_app.answer_view import generator_or_error, show_answer
from report_rag_app.charts import popular_chart, rating_distribution_chart
from report_rag_app.page_view import markdown_text

ANY = "(any broker)"
DIGEST_KEY = "picks_drafted_digest"  # (since, the Digest with its drafted brief)


def downloads(rows: list[dict]) -> None:
    with st.container(horizontal=True):
        st.download_button("CSV", facts_view.picks_csv(rows), "picks.csv", "text/csv", key="picks_csv")
        st.download_button("Excel (XLSX)", facts_view.picks_xlsx(rows), "picks.xlsx",
                           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="picks_xlsx")
        st.download_button("Markdown", facts_view.picks_markdown(rows), "picks.md", "text/markdown",
                           key="picks_md")


def digest_section(since: date | None) -> None:
    """Rating changes and the most-recommended stocks (from the facts, at once); the cited
    prose summary on request (the model takes a while)."""
    st.subheader("Digest" + (f" since {since.isoformat()}" if since else ""))
    drafted = st.session_state.get(DIGEST_KEY)
    digest: Digest = drafted[1] if drafted and drafted[0] == since else build_digest(
        resources.library(), None, since=since)
    changes = [
        {"date": r.date, "broker": r.broker or "", "rated": r.company or r.sector or r.file,
         "rating": r.raw, "from": r.previous or "", "action": r.action or "change", "page": r.evidence.page}
        for r in digest.rating_changes
    ]
    by_stock = [
        {"date": e.date, "stock": security.label, "broker": e.broker or "", "rating": e.rating or "",
         "from": e.previous_rating or "",
         "change": e.action if e.action in {"upgrade", "downgrade", "initiate"} else (e.move or ""),
         "file": e.file, "page": e.rating_evidence.page if e.rating_evidence else None}
        for security, e in digest.security_changes
    ]
    popular = [
        {"stock": s.stock, "code": s.code or "", "reports": s.mentions, "brokers": ", ".join(s.brokers),
         "ratings": "; ".join(f"{b}: {r}" for b, r in s.ratings.items()),
         "brokers disagree": "yes" if s.disagreement else ""}
        for s in digest.most_recommended
    ]
    left, right = st.columns(2)
    for column, chart in ((left, rating_distribution_chart(digest)), (right, popular_chart(digest))):
        if chart is not None:
            column.altair_chart(chart)
    for title, rows in (("Rating changes", changes), ("Rating changes by stock (names and codes joined)", by_stock),
                        ("Most recommended stocks", popular)):
        st.markdown(f"**{title}**")
        if rows:
            st.table(rows)
        else:
            st.caption("None in these reports.")
    if digest.brief is not None:
        show_answer(digest.brief, key="digest")
    elif st.button("Draft the cited summary", key="picks_digest"):
        generator = generator_or_error()
        if generator is None:
            return
        # SQL reads only (no index): no library lock; the model is queued for its own work.
        with st.spinner("Drafting the digest…"):
            gated = resources.model_gate().gated(generator)
            st.session_state[DIGEST_KEY] = (since, build_digest(resources.library(), gated, since=since))
        st.rerun()


def render() -> None:
    st.title("Picks across reports")
    everything = facts_view.picks_rows()
    if not everything:
        st.info("No recommended stocks are stored for the library's reports yet.")
        return
    left, middle, right = st.columns(3)
    stock = left.text_input("Stock (name or code)", key="picks_stock").strip()
    broker = middle.selectbox("Broker", [ANY, *sorted({r["broker"] for r in everything if r["broker"]})],
                              key="picks_broker")
    since = right.date_input("Reports since", value=None, key="picks_since")
    rows = facts_view.picks_rows(stock=stock, broker=None if broker == ANY else broker, since=since)
    st.caption(f"{len(rows)} of {len(everything)} picks" + (f" matching {markdown_text(stock)}" if stock else ""))
    st.dataframe(rows, hide_index=True, width="stretch", key="picks_table",
                 column_config={"date": st.column_config.DateColumn("date", format="YYYY-MM-DD")})
    downloads(rows)
    digest_section(since)
