"""Library: upload PDFs (checked and ingested by report_rag.pipeline.uploads), list, filter, delete."""

from __future__ import annotations

import streamlit as st

from report_rag.errors import ReportRagError
from report_rag.pipeline.uploads import Upload, UploadResult, ingest_uploads
from report_rag.types import Report, ReportStatus
from report_rag_app import facts_view, resources
from report_rag_app.page_view import markdown_text

UPLOADER_GEN = "library_uploader_generation"  # bumped to clear the uploader after an ingest
RESULTS_KEY = "library_upload_results"
# Material icons ship with Streamlit; emoji need a colour font the machine may lack.
PROGRESS_TEXT = {"stored": "queued", "start": "reading and indexing…", "done": "done",
                 "skipped": "already in the library", "failed": "failed", "rejected": "rejected"}
OUTCOME_ICON = {
    "ingested": ":material/check_circle:", "skipped": ":material/redo:",
    "rejected": ":material/block:", "failed": ":material/error:",
}


def upload_section() -> None:
    config = resources.settings()
    generation = st.session_state.setdefault(UPLOADER_GEN, 0)
    files = st.file_uploader(
        f"Add research reports (PDF, up to {config.ui.max_upload_mb} MB each)",
        accept_multiple_files=True,
        key=f"uploader-{generation}",
        help="Files are checked by content, stored in the data directory and indexed.",
    )
    if files:
        uploads = [Upload(name=f.name, data=f.getvalue()) for f in files]
        with st.status(f"Adding {len(uploads)} file(s)…", expanded=True) as status:
            lines = {u.name: st.empty() for u in uploads}

            def progress(name: str, event: str) -> None:
                if name in lines:
                    lines[name].write(f"{name}: {PROGRESS_TEXT.get(event, event)}")

            with resources.uploads_turn():
                results = ingest_uploads(resources.library(), uploads, progress=progress,
                                         commit_guard=resources.library_access().writing)
            failed = sum(r.outcome in ("rejected", "failed") for r in results)
            status.update(label=f"Added {len(results) - failed} of {len(results)} file(s)",
                          state="error" if failed else "complete")
        st.session_state[RESULTS_KEY] = results
        st.session_state[UPLOADER_GEN] = generation + 1
        st.rerun()
    show_results(st.session_state.get(RESULTS_KEY, []))


def show_results(results: list[UploadResult]) -> None:
    for r in results:
        line = f"**{markdown_text(r.name)}** — {r.outcome}: {markdown_text(r.message)}"
        show = {"rejected": st.error, "failed": st.error, "skipped": st.info}.get(r.outcome, st.success)
        show(line, icon=OUTCOME_ICON[r.outcome])


def report_rows(reports: list[Report], facts: dict[int, dict]) -> list[dict]:
    rows = []
    for r in reports:
        rows.append({
            "id": r.id,
            "title": r.meta.title or r.file_name,
            "broker": r.meta.broker or "",
            "date": r.meta.date,
            **facts.get(r.id, facts_view.EMPTY_COLUMNS),
            "pages": r.pages,
            "status": r.status.value + (f" — {r.error}" if r.error else ""),
            "file": r.file_name,
        })
    return rows


def filtered(rows: list[dict]) -> list[dict]:
    left, middle, right = st.columns(3)
    text = left.text_input("Find", key="library_find", placeholder="title or file name").strip().lower()
    brokers = middle.multiselect("Broker", sorted({row["broker"] for row in rows if row["broker"]}),
                                 key="library_brokers")
    statuses = right.multiselect("Status", sorted({row["status"].split(" — ")[0] for row in rows}),
                                 key="library_statuses")
    return [
        row for row in rows
        if (not text or text in row["title"].lower() or text in row["file"].lower())
        and (not brokers or row["broker"] in brokers)
        and (not statuses or row["status"].split(" — ")[0] in statuses)
    ]


def delete_section(reports: list[Report]) -> None:
    labels = {r.id: f"{r.id}: {r.meta.title or r.file_name} ({r.file_name})" for r in reports}
    with st.expander("Delete a report"):
        chosen = st.selectbox("Report", list(labels), format_func=labels.get, key="library_delete_choice")
        confirm = st.checkbox("Yes, remove it and everything extracted from it", key="library_delete_confirm")
        if st.button("Delete", key="library_delete", disabled=not confirm, type="primary"):
            try:
                with resources.library_access().writing():
                    removed = resources.library().delete_report(chosen)
            except ReportRagError as exc:
                st.error(str(exc))
                return
            st.session_state.pop("library_delete_confirm", None)
            st.toast(f"Deleted {removed.file_name}")
            st.rerun()


def render() -> None:
    st.title("Library")
    upload_section()
    reports = resources.library().reports()
    if not reports:
        st.info("No reports yet: upload PDFs above, or run `report-rag ingest FOLDER`.")
        return
    facts = facts_view.library_columns([r.id for r in reports])
    rows = filtered(report_rows(reports, facts))
    st.caption(f"{len(rows)} of {len(reports)} reports")
    st.dataframe(rows, hide_index=True, width="stretch", key="library_table",
                 column_config={"date": st.column_config.DateColumn("date", format="YYYY-MM-DD")})
    extract_section(sum(r.status == ReportStatus.READY and r.id not in facts for r in reports))
    delete_section(reports)


def extract_section(missing: int) -> None:
    if missing and st.button(f"Extract ratings, picks and analysts ({missing} report(s) without them)",
                             key="library_extract"):
        with st.spinner("Extracting…"):
            done = facts_view.extract_stale()
        st.toast(f"Extracted facts for {done} report(s)")
        st.rerun()
