"""Entry point: `report-rag app` runs `streamlit run` on this file (app/main.py).

Everything the pages show comes from report_rag; this file only sets up the page frame.
"""

from __future__ import annotations

import streamlit as st
from pydantic import ValidationError

# Absolute: `streamlit run` executes this file as a script, not as part of its package
# (installed as report_rag_app, from the repository's app/ folder).
from report_rag_app import navigation, resources


def main() -> None:
    st.set_page_config(page_title="report-rag", page_icon=":material/summarize:", layout="wide")
    try:
        resources.settings()
    except ValidationError as exc:  # bad REPORT_RAG_* values
        st.error(f"Invalid settings: {exc}")
        st.stop()
    st.navigation(list(navigation.pages().values())).run()


main()
