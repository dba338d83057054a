"""Opens the shared resources (embedder, store, retriever) once, building the store on first use."""

from __future__ import annotations

import sys
from collections.abc import Callable

from skillcheck.config import Settings
from skillcheck.embeddings import get_embedder
from skillcheck.retrieval import Retriever
from skillcheck.store import Store


def _stderr(message: str) -> None:
    sys.stderr.write(message + "\n")


def open_retriever(
    settings: Settings, *, say: Callable[[str], None] = _stderr, progress: bool = True
) -> Retriever:
    """The hybrid retriever over the active store; a missing store is built first."""
    embedder = get_embedder()
    store = Store(settings)
    if store.active_name() is None:
        from ingest import run_ingest

        say(f"No store at {store.location} yet: building it from the corpus (one time)...")
        summary = run_ingest(settings, embedder=embedder, store=store, progress=progress)
        say(summary.line())
    return Retriever(store, embedder)
