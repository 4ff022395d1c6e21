"""Status: which models are configured and loaded, on which device, and what the library holds."""

from __future__ import annotations

import streamlit as st

from report_rag.embed.base import describe_embedder
from report_rag.errors import ReportRagError
from report_rag.llm import describe_configured
from report_rag.store.vectors import gpu_available
from report_rag_app import resources


def _table(values: dict) -> None:
    st.table({"value": {key: str(value) for key, value in values.items()}})


def generator_status() -> dict:
    made = resources.existing_generator()
    try:
        # Never loads weights: a made generator describes itself; otherwise the settings are read.
        return made.describe() if made is not None else describe_configured(resources.settings())
    except ReportRagError as exc:
        return {"error": str(exc)}


def embedder_status() -> dict:
    config = resources.settings()
    info = describe_embedder(config)
    opened = resources.existing_library()
    if opened is not None:
        embedder = opened.embedder
        info.update(model=embedder.name, dim=embedder.dim, loaded=True,
                    running_on=str(getattr(embedder, "device", "cpu")))
    else:
        info["loaded"] = False
    return info


def library_status() -> dict:
    config = resources.settings()
    counts = resources.library().store.counts()
    index_file = config.index_path
    return {
        "home": str(config.home),
        "database": config.public_database_url(),
        "reports": counts["reports"],
        "indexed passages": counts["chunks"],
        "index file": f"{index_file.stat().st_size / 1e6:.1f} MB" if index_file.exists() else "not written yet",
        "index device": "gpu" if config.index.device != "cpu" and gpu_available() else "cpu",
        "upload limit": f"{config.ui.max_upload_mb} MB per file",
    }


def render() -> None:
    st.title("Status")
    library = library_status()  # opens the library (and its embedder) if no page has yet
    st.subheader("Answer model")
    _table(generator_status())
    st.subheader("Embedding model")
    _table(embedder_status())
    st.subheader("Library")
    _table(library)
    if st.button("Reload library and models", key="status_reload",
                 help="Reopen the library from disk, e.g. after `report-rag ingest` in a terminal"):
        resources.reload()
        st.rerun()
