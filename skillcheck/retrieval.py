"""Hybrid retrieval: dense (Chroma) and BM25 over the same chunks, fused by reciprocal rank.

Each :class:`Hit` carries its chunk (so its citation metadata) and the scores and
ranks of both retrievers and of the fusion. The BM25 side is the build's own lexical
index (:mod:`skillcheck.lexical`), built at ingest: opening a retriever reads no chunk,
and a search fetches only the chunks it returns, by id. A long-lived retriever reads
the store's pointer before each search and reopens a newer build (another process's
re-ingest) before answering.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from skillcheck.config import Settings
from skillcheck.corpus import Chunk
from skillcheck.embeddings import Embedder, Vectors, get_embedder
from skillcheck.errors import StoreError, UserInputError
from skillcheck.lexical import (
    EXPANSION_WEIGHT,
    LexicalIndex,
    Lexicon,
    split_ask,
    tokenize,
    weighted_texts,
)
from skillcheck.store import Store

__all__ = [
    "EXPANSION_WEIGHT",
    "MAX_QUESTION_CHARS",
    "MAX_TOP_K",
    "RRF_K",
    "Hit",
    "Lexicon",
    "Mode",
    "Retriever",
    "open_retriever",
    "tokenize",
    "validate_query",
]

Mode = Literal["hybrid", "dense", "bm25"]
#: Reciprocal rank fusion constant. The usual 60 was set for long result lists; over a
#: corpus of a few dozen passages it flattens the top ranks. 2 was chosen on
#: skillcheck/data/eval/questions.yaml (k in 1..60 tried; rechecked after the 21-chunk split, where
#: k in 1..5 is within 0.01 MRR). Never tuned on skillcheck/data/eval/heldout.yaml.
RRF_K = 2
MAX_QUESTION_CHARS = 2000
MAX_TOP_K = 50
#: How many chunks read by id a retriever keeps (a few MB at most).
CHUNK_CACHE = 2048
#: How many times opening the active build is tried when a newer build replaces it meanwhile.
_OPEN_TRIES = 3


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused rank and score and each retriever's."""

    chunk: Chunk
    rank: int
    score: float
    dense_rank: int | None
    dense_score: float | None
    bm25_rank: int | None
    bm25_score: float | None


def validate_query(question: str, top_k: int) -> str:
    """The question stripped, or a :class:`UserInputError` naming what is wrong."""
    q = question.strip()
    if not q:
        raise UserInputError("question: empty; ask something, e.g. 'What qualification do I need?'")
    if len(q) > MAX_QUESTION_CHARS:
        raise UserInputError(
            f"question: {len(q)} characters is too long (at most {MAX_QUESTION_CHARS})"
        )
    if not 1 <= top_k <= MAX_TOP_K:
        raise UserInputError(f"top-k: {top_k} is out of range (1 to {MAX_TOP_K})")
    return q


@dataclass
class _Build:
    """One build's lexical index and the chunks read from it, swapped in whole when a
    newer build becomes active."""

    name: str
    lexical: LexicalIndex
    fetched: OrderedDict[str, Chunk] = field(default_factory=OrderedDict)  # newest last


class Retriever:
    """Dense + BM25 retrieval over the store's active build, fused with RRF.

    A long-lived retriever (the app, ``chat``) stays fresh: each search first reads the
    store's pointer (one small read) and, when another process made a newer build
    active, reopens that build before answering. Dense hits, the lexical index and the
    chunks read by id always come from the same build.
    """

    def __init__(self, store: Store, embedder: Embedder):
        self.store = store
        self.embedder = embedder
        self.lexicon = Lexicon()
        self._lock = threading.Lock()
        self._reopening = threading.Lock()
        self._build = self._open()

    def _open(self) -> _Build:
        """The active build's index (tried again if it is replaced while being opened)."""
        for attempt in range(_OPEN_TRIES):
            name = self.store.active_name()
            try:
                self.store.check_model(self.embedder.model_id)
                lexical = self.store.lexical_index(name)
            except StoreError:
                if attempt + 1 == _OPEN_TRIES or self.store.pointer() == name:
                    raise
                continue  # that build was dropped by a newer one meanwhile
            return _Build(name or "", lexical)
        raise StoreError("internal: unreachable")  # pragma: no cover

    @property
    def build(self) -> str:
        """The name of the build this retriever answers from."""
        return self._build.name

    @property
    def lexical(self) -> LexicalIndex:
        """The lexical index of that build."""
        return self._build.lexical

    def chunks_by_id(self, ids: list[str]) -> dict[str, Chunk]:
        """The chunks with these ids from the build this retriever answers from (an unknown
        id is left out); a build dropped meanwhile is replaced by the newest first. Citing
        reads the chunks it cites this way, never the whole build."""
        build = self._build
        try:
            return self._chunks_by_id(build, ids)
        except StoreError:
            if self.store.pointer() == build.name:
                raise
            return self._chunks_by_id(self.refresh(force=True), ids)

    def refresh(self, *, force: bool = False) -> _Build:
        """The current build: reopened when the store's pointer names another one."""
        current = self._build
        if force or self.store.pointer() != current.name:
            with self._reopening:
                if self._build is current:
                    self._build = self._open()
        return self._build

    def _chunks_by_id(self, build: _Build, ids: list[str]) -> dict[str, Chunk]:
        """The chunks with these ids: the last :data:`CHUNK_CACHE` read are kept, the rest read.

        What is kept belongs to ``build`` (an id is a digest of the chunk's text).
        """
        with self._lock:
            found = {i: build.fetched[i] for i in ids if i in build.fetched}
        missing = [i for i in ids if i not in found]
        if missing:
            found.update(self.store.chunks_by_id(missing, build=build.name or None))
        with self._lock:
            for i in ids:
                if i in found:
                    build.fetched[i] = found[i]
                    build.fetched.move_to_end(i)
            while len(build.fetched) > CHUNK_CACHE:
                build.fetched.popitem(last=False)
        return found

    @property
    def _fetched(self) -> OrderedDict[str, Chunk]:
        """The chunks of the current build kept after reading them by id."""
        return self._build.fetched

    def _query_vector(self, question: str) -> Vectors:
        """The question's vector; in a long story, the ask's plus the details' weighed down.

        The cosine with ``ask + w * details`` is the ask's cosine plus ``w`` times the
        details' (up to scale), so the details count no more than the ask.
        """
        parts = split_ask(question)
        if not parts.details or parts.detail_weight >= 1.0:
            return self.embedder.embed_query(question)
        mixed = self.embedder.embed_query(parts.ask) + np.float32(parts.detail_weight) * (
            self.embedder.embed_query(parts.details)
        )
        norm = np.float32(np.linalg.norm(mixed))
        return (mixed / norm if norm > 0 else mixed).astype(np.float32)

    def search(self, question: str, k: int = 4, mode: Mode = "hybrid") -> list[Hit]:
        """The ``k`` best chunks for ``question``, from the newest active build.

        If that build is dropped while it is searched (another process switched to a
        newer one), the search is made again once on the new build; a hit is never
        silently dropped.
        """
        q = validate_query(question, k)
        build = self.refresh()
        for attempt in range(2):
            try:
                hits = self._search(build, q, k, mode)
            except StoreError:
                if attempt or self.store.pointer() == build.name:
                    raise
                build = self.refresh(force=True)
                continue
            if hits is not None:
                return hits
            if attempt:
                raise StoreError(
                    f"the store's build {build.name} lost chunks while it was searched: "
                    "run `skillcheck ingest --force`"
                )
            build = self.refresh(force=True)
        raise StoreError("internal: unreachable")  # pragma: no cover

    def _search(self, build: _Build, q: str, k: int, mode: Mode) -> list[Hit] | None:
        """The hits from ``build``, or None when one of its chunks cannot be read."""
        pool = max(20, 4 * k)
        dense: list[tuple[str, float]] = []
        sparse: list[tuple[str, float]] = []
        if mode in ("hybrid", "dense"):
            vector = self._query_vector(q)
            hits = self.store.query(vector, pool, build=build.name or None)
            dense = [(h.chunk_id, h.similarity) for h in hits]
        if mode in ("hybrid", "bm25"):
            sparse = build.lexical.top_weighted(weighted_texts(q, self.lexicon), pool)
        fused: dict[str, float] = defaultdict(float)
        d_rank = {i: r for r, (i, _) in enumerate(dense, 1)}
        s_rank = {i: r for r, (i, _) in enumerate(sparse, 1)}
        for ranks in (d_rank, s_rank):
            for i, r in ranks.items():
                fused[i] += 1.0 / (RRF_K + r)
        d_score = dict(dense)
        s_score = dict(sparse)
        order = sorted(
            fused, key=lambda i: (-fused[i], d_rank.get(i, 10**9), s_rank.get(i, 10**9), i)
        )[:k]
        chunks = self._chunks_by_id(build, order)
        if any(i not in chunks for i in order):
            return None  # the build was dropped meanwhile
        return [
            Hit(
                chunk=chunks[i],
                rank=rank,
                score=fused[i],
                dense_rank=d_rank.get(i),
                dense_score=d_score.get(i),
                bm25_rank=s_rank.get(i),
                bm25_score=s_score.get(i),
            )
            for rank, i in enumerate(order, 1)
        ]


def _stderr(message: str) -> None:
    sys.stderr.write(message + "\n")


def open_retriever(
    settings: Settings,
    *,
    build: bool = True,
    say: Callable[[str], None] = _stderr,
    progress: bool = True,
) -> Retriever:
    """The hybrid retriever over the active store of ``settings``.

    A missing store is built first when ``build`` is true (saying so through ``say``);
    otherwise opening it raises :class:`~skillcheck.errors.StoreError`.
    """
    embedder = get_embedder(settings)
    store = Store(settings)
    if build and store.active_name() is None:
        from skillcheck.indexing import run_ingest

        say(f"No store at {store.location} yet: building it from the corpus (one time)...")
        summary = run_ingest(settings, embedder=embedder, store=store, progress=progress)
        say(summary.line())
    return Retriever(store, embedder)
