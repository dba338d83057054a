"""Hybrid retrieval: dense (Chroma) and BM25 over the same chunks, fused by reciprocal rank.

Each :class:`Hit` carries its chunk (so its citation metadata) and the scores and
ranks of both retrievers and of the fusion. The BM25 side is the build's own lexical
index (:mod:`skillcheck.lexical`), built at ingest: opening a retriever reads no chunk,
and a search fetches only the chunks it returns, by id.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np

from skillcheck.config import Settings
from skillcheck.corpus import Chunk
from skillcheck.embeddings import Embedder, Vectors, get_embedder
from skillcheck.errors import UserInputError
from skillcheck.lexical import EXPANSION_WEIGHT, Lexicon, split_ask, tokenize, weighted_texts
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


class Retriever:
    """Dense + BM25 retrieval over the store's active build, fused with RRF."""

    def __init__(self, store: Store, embedder: Embedder):
        store.check_model(embedder.model_id)
        self.store = store
        self.embedder = embedder
        self.lexical = store.lexical_index()
        self.lexicon = Lexicon()
        self._fetched: OrderedDict[str, Chunk] = OrderedDict()  # chunks read by id, newest last
        self._lock = threading.Lock()

    @cached_property
    def chunks(self) -> list[Chunk]:
        """Every chunk of the store, read on first use (citing looks lines up in them)."""
        return self.store.chunks()

    def _chunks_by_id(self, ids: list[str]) -> dict[str, Chunk]:
        """The chunks with these ids: the last :data:`CHUNK_CACHE` read are kept, the rest read.

        Like the lexical index, what is kept belongs to the build this retriever opened
        (an id is a digest of the chunk's text).
        """
        with self._lock:
            found = {i: self._fetched[i] for i in ids if i in self._fetched}
        missing = [i for i in ids if i not in found]
        if missing:
            found.update(self.store.chunks_by_id(missing))
        with self._lock:
            for i in ids:
                if i in found:
                    self._fetched[i] = found[i]
                    self._fetched.move_to_end(i)
            while len(self._fetched) > CHUNK_CACHE:
                self._fetched.popitem(last=False)
        return found

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
        """The ``k`` best chunks for ``question``."""
        q = validate_query(question, k)
        pool = max(20, 4 * k)
        dense: list[tuple[str, float]] = []
        sparse: list[tuple[str, float]] = []
        if mode in ("hybrid", "dense"):
            vector = self._query_vector(q)
            dense = [(h.chunk_id, h.similarity) for h in self.store.query(vector, pool)]
        if mode in ("hybrid", "bm25"):
            sparse = self.lexical.top_weighted(weighted_texts(q, self.lexicon), pool)
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
        chunks = self._chunks_by_id(order)
        order = [i for i in order if i in chunks]  # gone if the build was switched meanwhile
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
