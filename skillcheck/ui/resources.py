"""The app's shared resources, built once per process and cached by Streamlit.

The settings are passed in as arguments (hashed by their JSON, secrets masked), so a
change of settings gets its own retriever and assistant. The store is built on first
start, with a status box and a progress bar, before the retriever is opened.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import streamlit as st

from skillcheck.assistant import Assistant
from skillcheck.config import Settings
from skillcheck.errors import StoreError
from skillcheck.indexing import run_ingest
from skillcheck.retrieval import Retriever, open_retriever
from skillcheck.store import Store, StoreInfo
from skillcheck.ui.html import esc

_BUILD_LOCK = threading.Lock()


def settings_key(settings: Settings) -> str:
    """What identifies settings for the caches (the key itself is never part of it)."""
    return settings.model_dump_json()


_HASH: dict[str | type[Any], Callable[[Any], Any]] = {Settings: settings_key}


@st.cache_resource(show_spinner="Opening the sources...", hash_funcs=_HASH)
def get_retriever(settings: Settings) -> Retriever:
    """The hybrid retriever over the active store (the store must exist)."""
    return open_retriever(settings, build=False)


@st.cache_resource(show_spinner=False, hash_funcs=_HASH)
def get_assistant(settings: Settings, _retriever: Retriever, offline: bool) -> Assistant:
    """The assistant for these settings (offline when asked, or when no model is set)."""
    return Assistant(settings, _retriever, offline=offline)


def store_missing(settings: Settings) -> bool:
    """True when no store has been built yet where the settings point."""
    return Store(settings).active_name() is None


def build_store(settings: Settings, *, force: bool = False) -> str:
    """Build (or rebuild) the store with a visible status and progress bar; its summary."""
    label = "Rebuilding the source store" if force else "Building the source store (first start)"
    with _BUILD_LOCK, st.status(label + "...", expanded=True) as status:
        bar = st.progress(0.05, text="Reading the corpus and embedding its passages")
        started = time.perf_counter()
        summary = run_ingest(settings, force=force, progress=False)
        bar.progress(1.0, text=f"Done in {time.perf_counter() - started:.1f} s")
        status.update(label=summary.line(), state="complete", expanded=False)
    get_retriever.clear()
    get_assistant.clear()
    return summary.line()


def ensure_retriever(settings: Settings) -> Retriever:
    """The retriever; a missing store is built first, with a progress indicator."""
    if store_missing(settings):
        with _BUILD_LOCK:
            missing = store_missing(settings)
        if missing:
            build_store(settings)
    return get_retriever(settings)


def retriever_or_stop(settings: Settings) -> Retriever:
    """The retriever; a store that cannot be opened is explained, with a rebuild button."""
    try:
        return ensure_retriever(settings)
    except StoreError as exc:
        problem = str(exc)
    st.html(
        '<div class="sc-notice sc-notice-error" role="alert">'
        f"The source store cannot be opened: {esc(problem)}</div>"
    )
    if st.button("Rebuild the store", key="rebuild_broken_store", type="primary"):
        build_store(settings, force=True)
        st.rerun()
    st.stop()
    raise AssertionError("unreachable: st.stop() ends the run")  # pragma: no cover


def store_info(retriever: Retriever) -> StoreInfo | None:
    """The active store's metadata, or None when it cannot be read."""
    try:
        return retriever.store.info()
    except Exception:
        return None
