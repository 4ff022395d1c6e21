"""A checked answer as the pages show it: text (or a refusal), citation chips, the cited page.

Used by Ask (answers), Report card (the brief) and Picks (the digest): each answer is
drawn under its own key, and one citation at a time is open across the app.
"""

from __future__ import annotations

import streamlit as st

from report_rag.errors import ReportRagError
from report_rag.llm.base import Generator
from report_rag.types import Answer
from report_rag_app import resources
from report_rag_app.page_view import markdown_text, show_citation

OPEN_KEY = "open_citation"  # (answer key, citation index) whose page is shown


def _toggle(key: str, index: int) -> None:
    current = st.session_state.get(OPEN_KEY)
    st.session_state[OPEN_KEY] = None if current == (key, index) else (key, index)


def show_answer(answer: Answer, key: str) -> None:
    if answer.refused:
        st.warning(f"**No answer from the reports.** {markdown_text(answer.answer)}", icon=":material/block:")
    else:
        st.markdown(markdown_text(answer.answer))
    opened = st.session_state.get(OPEN_KEY)
    if answer.citations:
        with st.container(horizontal=True, gap="small"):
            for index, c in enumerate(answer.citations):
                st.button(
                    f"[{c.n}] {c.file} p.{c.page}",
                    key=f"{key}-cite-{index}",
                    help=c.title or c.file,
                    on_click=_toggle,
                    args=(key, index),
                    type="primary" if opened == (key, index) else "secondary",
                )
    if answer.unsupported:
        with st.expander(f"{len(answer.unsupported)} sentence(s) not supported by the reports"):
            for sentence in answer.unsupported:
                st.markdown("- " + markdown_text(sentence))
    if opened and opened[0] == key and opened[1] < len(answer.citations):
        with st.container(border=True, key=f"{key}-citation-view"):
            show_citation(answer.citations[opened[1]])


def generator_or_error() -> Generator | None:
    """The shared answer model, or None after telling the user why it is not available."""
    try:
        return resources.generator()
    except ReportRagError as exc:
        st.error(f"The answer model is not available: {exc}. `report-rag models` shows what is configured.")
        return None
