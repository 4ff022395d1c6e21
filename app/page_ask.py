"""Ask: a cited conversation over the library. The answer streams; citations open the page."""

from __future__ import annotations

from datetime import date

import streamlit as st

from report_rag.answer.qa import EvidenceFound, Final, Token
from report_rag.answer.shared import Queued, ask_shared
from report_rag.errors import ReportRagError
from report_rag.retrieval.retriever import Filters
from report_rag.types import Answer, Report, ReportStatus
from report_rag_app import resources
from report_rag_app.answer_view import generator_or_error, show_answer
from report_rag_app.page_view import markdown_text

CHAT_KEY = "ask_history"  # list[Answer], oldest first
ANY_BROKER = "(any broker)"


def sidebar_filters(reports: list[Report]) -> Filters:
    ready = [r for r in reports if r.status == ReportStatus.READY]
    with st.sidebar:
        st.subheader("Search in")
        labels = {r.id: f"{r.meta.title or r.file_name} ({r.file_name})" for r in ready}
        chosen = st.multiselect("Reports", list(labels), format_func=labels.get, key="ask_reports",
                                placeholder="all reports")
        brokers = sorted({r.meta.broker for r in ready if r.meta.broker})
        broker = st.selectbox("Broker", [ANY_BROKER, *brokers], key="ask_broker")
        since = until = None
        if st.checkbox("Limit by report date", key="ask_by_date"):
            dated = [r.meta.date for r in ready if r.meta.date] or [date.today()]
            since = st.date_input("From", min(dated), key="ask_since")
            until = st.date_input("To", max(dated), key="ask_until")
    return Filters(
        report_ids=tuple(chosen) or None,
        broker=None if broker == ANY_BROKER else broker,
        since=since,
        until=until,
    )


def stream_answer(question: str, filters: Filters, k: int) -> Answer | None:
    """Render the answer while it is written; the checked Answer, or None after an error."""
    if generator_or_error() is None:  # built (or its error shown) before anything streams
        return None
    final: list[Answer] = []

    def tokens():
        events = ask_shared(resources.library(), resources.model_gate(), resources.library_access().reading,
                            question, filters=filters, k=k)
        for event in events:
            if isinstance(event, Queued):
                yield f"*Waiting for the model, {event.ahead} ahead…*\n\n"
            elif isinstance(event, EvidenceFound) and event.citations:
                # Shown at once, while the model reads; the answer follows below it.
                lines = [f"- [{c.n}] {c.file} p.{c.page}: “{c.quote}”" for c in event.citations]
                yield markdown_text("Evidence\n" + "\n".join(lines)) + "\n\n"
            elif isinstance(event, Token):
                yield markdown_text(event.text)
            elif isinstance(event, Final):
                final.append(event.answer)

    try:
        with st.spinner("Searching the reports…"):
            st.write_stream(tokens())
    except ReportRagError as exc:
        st.error(f"Could not answer: {exc}")
        return None
    return final[0] if final else None


def render() -> None:
    st.title("Ask the reports")
    library = resources.library()
    reports = library.reports()
    filters = sidebar_filters(reports)
    with st.sidebar:
        k = st.number_input("Passages given to the model", 2, 20, 6, key="ask_k")
    history: list[Answer] = st.session_state.setdefault(CHAT_KEY, [])
    if not any(r.status == ReportStatus.READY for r in reports):
        st.info("The library is empty: add reports on the Library page first.")
    for turn, answer in enumerate(history):
        with st.chat_message("user"):
            st.markdown(markdown_text(answer.question))
        with st.chat_message("assistant"):
            show_answer(answer, key=f"ask-{turn}")
    question = st.chat_input("Ask about ratings, target prices, picks… (中文或英文)")
    if not question:
        return
    with st.chat_message("user"):
        st.markdown(markdown_text(question))
    with st.chat_message("assistant"):
        answer = stream_answer(question, filters, int(k))
    if answer is not None:
        history.append(answer)
        st.rerun()  # draw the finished turn with its citation chips
