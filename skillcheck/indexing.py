"""Indexing: corpus texts -> chunks -> embeddings -> a new Chroma collection, switched in whole.

Run it as ``skillcheck ingest`` or ``python -m ingest`` (the top-level ``ingest/`` is a
thin front over this module). A run with nothing new writes
nothing and says so; a run that fails or is interrupted leaves the old store serving
(see :mod:`skillcheck.store`).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

from skillcheck import prebuilt
from skillcheck.config import Settings
from skillcheck.corpus import Chunk, build_chunks
from skillcheck.embeddings import Embedder, get_embedder
from skillcheck.errors import StoreError
from skillcheck.store import Store, disk_full, fingerprint, records_for


@dataclass(frozen=True)
class IngestSummary:
    """What a run did, for the one-line summary."""

    changed: bool
    chunks: int
    sources: int
    collection: str
    embedding_model: str
    seconds: float

    def line(self) -> str:
        """The one-line summary printed at the end of a run."""
        if not self.changed:
            return (
                f"store up to date: {self.chunks} chunks from {self.sources} sources "
                f"({self.embedding_model}); nothing written"
            )
        return (
            f"ingested {self.chunks} chunks from {self.sources} sources into {self.collection} "
            f"with {self.embedding_model} in {self.seconds:.1f}s"
        )


def run_ingest(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    store: Store | None = None,
    force: bool = False,
    progress: bool = True,
) -> IngestSummary:
    """Build the store from the corpus unless it is already current.

    An ``OSError`` (a full disk, a file it may not read or write) is one
    :class:`~skillcheck.errors.StoreError` line; the store in use keeps answering.
    """
    try:
        return _ingest(settings, embedder=embedder, store=store, force=force, progress=progress)
    except OSError as exc:
        if disk_full(exc):
            raise StoreError(
                f"the disk is full ({_os_detail(exc)}): free some space and run "
                "`skillcheck ingest` again; the store in use is unchanged"
            ) from None
        raise StoreError(
            f"ingest failed: {_os_detail(exc)}; the store in use is unchanged"
        ) from None


def _os_detail(exc: OSError) -> str:
    text = exc.strerror or str(exc) or exc.__class__.__name__
    return f"{text}: {exc.filename}" if exc.filename else text


def _ingest(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    store: Store | None = None,
    force: bool = False,
    progress: bool = True,
) -> IngestSummary:
    started = time.perf_counter()
    chunks = build_chunks(settings.corpus_dir)  # a corpus error stops here, nothing written
    embedder = embedder or get_embedder(settings)
    store = store or Store(settings)
    fp = fingerprint(chunks, embedder.model_id)
    sources = len({c.source_id for c in chunks})
    if store.is_current(fp) and not force:
        return _unchanged(chunks, sources, store, embedder)
    with store.building():  # one build at a time; the one we waited for may have done ours
        if store.is_current(fp) and not force:
            return _unchanged(chunks, sources, store, embedder)
        return _build(chunks, sources, store, embedder, fp, started, progress)


def _unchanged(
    chunks: list[Chunk], sources: int, store: Store, embedder: Embedder
) -> IngestSummary:
    name = store.active_name() or ""
    return IngestSummary(False, len(chunks), sources, name, embedder.model_id, 0.0)


def _build(
    chunks: list[Chunk],
    sources: int,
    store: Store,
    embedder: Embedder,
    fp: str,
    started: float,
    progress: bool,
) -> IngestSummary:
    from tqdm import tqdm

    records = records_for(chunks)
    bar = tqdm(
        total=2 * len(records),
        desc="ingest",
        unit="chunk",
        file=sys.stderr,
        disable=not progress or None,
    )
    try:
        # the corpus's vectors ship with the package (for the offline model): a fresh
        # clone embeds only what changed since they were made
        vectors = prebuilt.embed_documents(embedder, [r.embed_text for r in records])
        bar.update(len(records))
        name = store.build(records, vectors, embedder.model_id, fp, progress=bar.update)
    finally:
        bar.close()
    return IngestSummary(
        True, len(chunks), sources, name, embedder.model_id, time.perf_counter() - started
    )
