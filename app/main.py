"""Entry point: `report-rag app` runs `streamlit run app/main.py`.

Everything the pages show comes from report_rag; this file only sets up the page frame.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run` puts app/ itself on sys.path; the package lives one level up.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import streamlit as st  # noqa: E402 - after the path fix above
from pydantic import ValidationError  # noqa: E402

from app import navigation, resources  # noqa: E402


def main() -> None:
    st.set_page_config(page_title="report-rag", page_icon=":material/summarize:", layout="wide")
    try:
        resources.settings()
    except ValidationError as exc:  # bad REPORT_RAG_* values
        st.error(f"Invalid settings: {exc}")
        st.stop()
    st.navigation(list(navigation.pages().values())).run()


main()
