"""What every page shares, created once per process (st.cache_resource) from the CLI's settings.

The library, its embedder and the answer generator are heavy; Streamlit reruns the page
script on every click, so they live here and not in the pages. A reader/writer lock lets
questions and searches run together while a write (upload commit, delete, catching up with
reports another process committed) takes the library alone.
"""

from __future__ import annotations

import importlib
import os
import threading

import streamlit as st

from report_rag.embed.base import create_embedder
from report_rag.llm import Generator, ModelGate, create_generator
from report_rag.settings import Settings
from report_rag.store import Follower, ReadWriteLock
from report_rag.store.library import Library

# "module:function" taking Settings and returning a Generator: lets a test or a developer
# serve the UI with a stand-in model (e.g. a scripted one) without touching the settings.
GENERATOR_HOOK_ENV = "REPORT_RAG_APP_GENERATOR"


@st.cache_resource(show_spinner=False)
def settings() -> Settings:
    return Settings()


# The resources made in this process, so the Status page can report on them without
# making (and loading) them.
_made: dict[str, object] = {}


@st.cache_resource(show_spinner="Opening the library and loading the embedding model…")
def library() -> Library:
    config = settings()
    opened = Library(config, embedder=create_embedder(config))
    _made["library"] = opened
    # Reports the CLI or another machine commits appear without a restart.
    _made["follower"] = Follower(opened, library_access(), config.index.follow_interval_s).start()
    return opened


@st.cache_resource(show_spinner=False)
def library_access() -> ReadWriteLock:
    """Readers (questions, briefs, digests) share the library; uploads and deletes take it
    alone — the same discipline as `report-rag serve`, not one lock for everything."""
    return ReadWriteLock()


@st.cache_resource(show_spinner=False)
def uploads_turn() -> threading.Lock:
    """Uploads are ingested one batch at a time (reads go on meanwhile)."""
    return threading.Lock()


@st.cache_resource(show_spinner=False)
def model_gate() -> ModelGate:
    """The answer model, queued for a local backend, in parallel for a vLLM server."""
    return ModelGate(settings(), lambda _: generator())  # the page-shared generator, built once


def make_generator(config: Settings) -> Generator:
    """The configured generator, or the one GENERATOR_HOOK_ENV names."""
    hook = os.environ.get(GENERATOR_HOOK_ENV)
    if hook:
        module_name, _, factory = hook.partition(":")
        return getattr(importlib.import_module(module_name), factory or "create")(config)
    return create_generator(config)


@st.cache_resource(show_spinner="Preparing the answer model…")
def generator() -> Generator:
    made = make_generator(settings())
    _made["generator"] = made
    return made


def existing_generator() -> Generator | None:
    """The shared generator if a page already made it; never makes one."""
    return _made.get("generator")  # type: ignore[return-value]


def existing_library() -> Library | None:
    return _made.get("library")  # type: ignore[return-value]


def reload() -> None:
    """Drop the cached library and models: the next page run reopens them from disk, and
    so sees reports the CLI ingested meanwhile."""
    opened = existing_library()
    follower = _made.get("follower")
    if isinstance(follower, Follower):
        follower.stop()
    try:
        if opened is not None:
            with library_access().writing():
                opened.close()
    finally:
        st.cache_resource.clear()
        _made.clear()
