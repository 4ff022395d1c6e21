"""Report card: what one report says (rating, target, picks, analysts, risks) and its pages."""

from __future__ import annotations

import streamlit as st

from report_rag.answer.summarize import draft_brief
from report_rag.types import Answer, Report
from report_rag_app import facts_view, resources
from report_rag_app.answer_view import generator_or_error, show_answer
from report_rag_app.page_view import markdown_text, show_page

SELECTED_KEY = "report_card_id"  # other pages set it to open a report here
VIEW_KEY = "report_card_view"  # (report id, page, quote or None) shown in the viewer
BRIEFS_KEY = "report_card_briefs"  # report id -> drafted brief (Answer)


def _show_evidence(report_id: int, page: int, quote: str | None) -> None:
    st.session_state[VIEW_KEY] = (report_id, page, quote)


def evidence_button(report_id: int, evidence, key: str) -> None:
    st.button(f"p.{evidence.page}", key=key, help=evidence.quote, on_click=_show_evidence,
              args=(report_id, evidence.page, evidence.quote))


def header(report: Report) -> None:
    st.title(report.meta.title or report.file_name)
    meta = report.meta
    cols = st.columns(4)
    cols[0].metric("Broker", meta.broker or "—")
    cols[1].metric("Date", meta.date.isoformat() if meta.date else "—")
    cols[2].metric("Pages", report.pages)
    cols[3].metric("Language", meta.language or "—")
    st.caption(f"{report.file_name} · report {report.id} · {report.status.value}")
    if report.error:
        st.error(report.error)


def facts_section(report_id: int) -> None:
    st.subheader("Rating, picks and analysts")
    facts = facts_view.load(report_id)
    if facts is None:
        st.info(facts_view.NOT_EXTRACTED)
        return
    fields = [(label, getattr(facts, name)) for label, name in
              (("Type", "report_type"), ("Sector", "sector"), ("Company", "company"), ("Ticker", "ticker"))]
    line = " · ".join(f"{label}: **{markdown_text(str(item.value))}**" for label, item in fields if item)
    if line:
        st.markdown(line)
    for label, rating in (("Rating", facts.rating), ("Industry rating", facts.industry_rating)):
        if rating is None:
            continue
        left, right = st.columns([6, 1])
        parts = [rating.raw, rating.normalized, rating.action, f"grade {rating.grade}" if rating.grade else None]
        left.markdown(f"{label}: **{markdown_text(' · '.join(p for p in parts if p))}**")
        if rating.definition is not None:
            left.caption(f"{rating.definition.term}: {rating.definition.definition}")
        with right:
            evidence_button(report_id, rating.evidence, f"ev-{label}")
    for label, price in (("Target price", facts.target_price), ("Current price", facts.current_price)):
        if price is not None:
            left, right = st.columns([6, 1])
            left.markdown(f"{label}: **{price.value:,.2f} {price.currency or ''}**")
            with right:
                evidence_button(report_id, price.evidence, f"ev-{label}")
    _item_table("Picks", report_id, facts.picks, lambda p: f"{p.name} {p.code or ''} {p.rating or ''}")
    _item_table("Analysts", report_id, facts.signing_analysts,
                lambda a: " · ".join(x for x in (a.name, f"SAC {a.sac}" if a.sac else None, a.email) if x))
    _item_table("Risks", report_id, facts.risks, lambda r: r.text)


def _item_table(title: str, report_id: int, items: list, describe) -> None:
    if not items:
        st.caption(f"{title}: none printed in the report.")
        return
    st.markdown(f"**{title}**")
    for index, item in enumerate(items):
        left, right = st.columns([6, 1])
        left.markdown("- " + markdown_text(describe(item).strip()))
        with right:
            evidence_button(report_id, item.evidence, f"ev-{title}-{index}")


def brief_section(report: Report) -> None:
    """The model's short brief of the report, every sentence cited and checked (on request:
    drafting takes the model a while)."""
    st.subheader("Brief")
    briefs: dict[int, Answer] = st.session_state.setdefault(BRIEFS_KEY, {})
    if report.id in briefs:
        show_answer(briefs[report.id], key=f"brief-{report.id}")
        return
    if not report.chunks:
        st.caption("No text to summarise.")
        return
    if st.button("Draft a cited brief", key="report_brief", help="The answer model summarises the report"):
        generator = generator_or_error()
        if generator is None:
            return
        # SQL reads only (no index): no library lock; the model is queued for its own work.
        with st.spinner("Drafting the brief…"):
            gated = resources.model_gate().gated(generator)
            briefs[report.id] = draft_brief(resources.library(), gated, report, facts_view.load(report.id))
        st.rerun()


def page_viewer(report: Report) -> None:
    st.subheader("Pages")
    if report.pages < 1:
        st.caption("No pages stored for this report.")
        return
    view = st.session_state.get(VIEW_KEY)
    if view and view[0] == report.id:
        _, page, quote = view
        st.markdown(f"Evidence on page {page}: “{markdown_text(quote)}”")
        if st.button("Back to page browsing", key="report_view_clear"):
            st.session_state.pop(VIEW_KEY, None)
            st.rerun()
        show_page(report.id, page, caption=f"{report.file_name} · page {page}", quote=quote)
        return
    page = st.number_input("Page", 1, report.pages, 1, key=f"report_page_{report.id}")
    show_page(report.id, int(page), caption=f"{report.file_name} · page {page} of {report.pages}")
    with st.expander("Page text (as indexed)"):
        texts = {p.number: p.text for p in resources.library().store.pages(report.id)}
        st.text(texts.get(int(page), ""))


def render() -> None:
    reports = resources.library().reports()
    if not reports:
        st.title("Report card")
        st.info("The library is empty: add reports on the Library page first.")
        return
    by_id = {r.id: r for r in reports}
    if st.session_state.get(SELECTED_KEY) not in by_id:
        st.session_state[SELECTED_KEY] = reports[-1].id
    with st.sidebar:
        st.selectbox("Report", list(by_id), key=SELECTED_KEY,
                     format_func=lambda i: f"{i}: {by_id[i].meta.title or by_id[i].file_name}")
    report = by_id[st.session_state[SELECTED_KEY]]
    header(report)
    facts_section(report.id)
    brief_section(report)
    page_viewer(report)
