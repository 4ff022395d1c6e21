"""The page viewer: a report page as an image, the cited quote marked on it."""

from __future__ import annotations

import streamlit as st

from report_rag.errors import ReportRagError
from report_rag.present.render import render_citation, render_report_page
from report_rag.types import Citation
from report_rag_app import resources


def show_citation(citation: Citation) -> None:
    """The quote as text beside the cited page, with the quote highlighted on the page."""
    title = citation.title or citation.file
    text, image = st.columns([2, 3])
    text.markdown(f"**[{citation.n}] {markdown_text(title)}**")
    text.caption(f"{citation.file}, page {citation.page}")
    text.markdown("> " + markdown_text(citation.quote).replace("\n", "\n> "))
    try:
        rendered = render_citation(resources.library(), citation)
    except ReportRagError as exc:
        text.warning(f"No page image: {exc}")
        return
    if rendered.quote_found is False:
        text.caption("The quote could not be located in the PDF's text layer; the page is shown unmarked.")
    image.image(rendered.png, caption=f"{citation.file} · page {citation.page} of {rendered.page_count}",
                width="stretch")


def show_page(report_id: int, page: int, *, caption: str, quote: str | None = None) -> None:
    """One page of a stored report, with `quote` highlighted when given."""
    try:
        rendered = render_report_page(resources.library(), report_id, page, quote)
    except ReportRagError as exc:
        st.warning(f"No page image: {exc}")
        return
    if rendered.quote_found is False:
        st.caption("The quote could not be located in the PDF's text layer; the page is shown unmarked.")
    st.image(rendered.png, caption=caption)


def markdown_text(text: str) -> str:
    """Report text shown through st.markdown: `$` would start LaTeX (HK$480 … US$5) and `~`
    strike-through, so both are escaped; everything else stays as written."""
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("~", "\\~")
