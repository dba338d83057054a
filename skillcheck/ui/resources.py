"""The app's shared resources, made once per process and cached by Streamlit.

The page never waits for them. On the first page load of a process, :func:`startup`
starts one background thread that builds the store if it is missing (a fresh clone),
opens the retriever and answers one question offline, so the embedding model and the
topics' vectors are loaded before anyone asks. Every visitor's page is drawn at once
meanwhile; a question asked before the thread is done waits for it behind a progress
bar (:func:`wait_ready`).
The settings are passed in as arguments (hashed by their JSON, secrets masked), so a
change of settings gets its own resources.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from skillcheck.assistant import Assistant
from skillcheck.config import Settings
from skillcheck.conversations import ConversationStore
from skillcheck.errors import SkillcheckError
from skillcheck.indexing import run_ingest
from skillcheck.retrieval import Retriever, open_retriever
from skillcheck.store import Store

#: How long a first start usually takes here (for the progress bar only): no vector of the
#: corpus or the topics is computed (they ship with the package), so about 1.5-3 s.
EXPECTED_SECONDS = 3.0
WARM_QUESTION = "What qualification do I need?"


def settings_key(settings: Settings) -> str:
    """What identifies settings for the caches (the key itself is never part of it)."""
    return settings.model_dump_json()


_HASH: dict[str | type[Any], Callable[[Any], Any]] = {Settings: settings_key}


@dataclass
class Startup:
    """The background start: the store built if missing, the retriever opened and warmed."""

    started: float = field(default_factory=time.monotonic)
    building: bool = False
    ready: threading.Event = field(default_factory=threading.Event)
    retriever: Retriever | None = None
    error: str | None = None

    def run(self, settings: Settings) -> None:
        """Build (if missing), open and warm; any failure is kept as one line."""
        try:
            if Store(settings).active_name() is None:
                self.building = True
                run_ingest(settings, force=False, progress=False)
            retriever = open_retriever(settings, build=False)
            # one offline turn loads what the first question needs (the embedding model,
            # the topics' example vectors, the rules), so nobody waits for it later
            for _ in Assistant(settings, retriever, offline=True).stream(WARM_QUESTION, []):
                pass
            self.retriever = retriever
        except SkillcheckError as exc:
            self.error = str(exc)
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.ready.set()

    def progress(self) -> float:
        """A rough share of the work done (for the progress bar)."""
        if self.ready.is_set():
            return 1.0
        return min(0.95, (time.monotonic() - self.started) / EXPECTED_SECONDS)


@st.cache_resource(show_spinner=False, hash_funcs=_HASH)
def startup(settings: Settings) -> Startup:
    """The process's one background start for these settings (begun on first call)."""
    state = Startup()
    threading.Thread(
        target=state.run, args=(settings,), name="skillcheck-start", daemon=True
    ).start()
    return state


def wait_ready(state: Startup) -> None:
    """Wait for the background start, showing a progress bar while it runs."""
    if state.ready.is_set():
        return
    label = "Preparing the sources (first start)..." if state.building else "Opening the sources..."
    with st.status(label, expanded=True) as status:
        bar = st.progress(state.progress(), text="Reading the two pages and indexing them")
        while not state.ready.wait(0.25):
            bar.progress(state.progress(), text="Reading the two pages and indexing them")
        bar.progress(1.0, text=f"Ready in {time.monotonic() - state.started:.1f} s")
        status.update(label="The sources are ready", state="complete", expanded=False)


@st.cache_resource(show_spinner=False, hash_funcs=_HASH)
def get_assistant(settings: Settings, _retriever: Retriever, offline: bool) -> Assistant:
    """The assistant for these settings (offline when asked, or when no model is set)."""
    return Assistant(settings, _retriever, offline=offline)


@st.cache_resource(show_spinner=False)
def conversation_store(home: str) -> ConversationStore:
    """Saved conversations and feedback under ``SKILLCHECK_HOME``."""
    from pathlib import Path

    return ConversationStore(Path(home))


@st.fragment(run_every=0.5)
def startup_indicator(state: Startup) -> None:
    """A progress bar while the sources are prepared; the page reruns once they are ready."""
    if state.ready.is_set():
        st.rerun(scope="app")
    st.progress(
        state.progress(),
        text="Preparing the sources (first start). You can type your question already.",
    )
