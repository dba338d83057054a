"""Hybrid retrieval: dense (Chroma) and BM25 over the same chunks, fused by reciprocal rank.

Each :class:`Hit` carries its chunk (so its citation metadata) and the scores and
ranks of both retrievers and of the fusion.
"""

from __future__ import annotations

import math
import re
import sys
import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
import yaml

from skillcheck.config import Settings
from skillcheck.corpus import Chunk
from skillcheck.embeddings import Embedder, get_embedder
from skillcheck.errors import CorpusError, StoreError, UserInputError
from skillcheck.paths import DATA_DIR
from skillcheck.store import Store

Mode = Literal["hybrid", "dense", "bm25"]
#: Reciprocal rank fusion constant. The usual 60 was set for long result lists; over a
#: corpus of a few dozen passages it flattens the top ranks. 2 was chosen on
#: skillcheck/data/eval/questions.yaml (k in 1..60 tried; rechecked after the 21-chunk split, where
#: k in 1..5 is within 0.01 MRR). Never tuned on skillcheck/data/eval/heldout.yaml.
RRF_K = 2
MAX_QUESTION_CHARS = 2000
MAX_TOP_K = 50
#: How many times opening the active build is tried when a newer build replaces it meanwhile.
_OPEN_TRIES = 3
_TOKEN = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    (
        "a an and are as at be by can do does for from has have i if in is it its me my of on "
        "or our so that the their them then there these they this to was we were what when "
        "which who will with would you your"
    ).split()
)


LEXICON_PATH = DATA_DIR / "lexicon.yaml"
#: BM25 weight of a word the lexicon added, relative to a word the user typed.
EXPANSION_WEIGHT = 0.5


class Lexicon:
    """Applicants' words -> the pages' words (``skillcheck/data/lexicon.yaml``)."""

    def __init__(self, path: Path = LEXICON_PATH):
        try:
            raw = yaml.safe_load(path.read_text("utf-8"))
            entries = [(list(e["when"]), str(e["add"])) for e in raw["entries"]]
        except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
            raise CorpusError(f"{path}: unreadable lexicon ({exc.__class__.__name__})") from None
        self._rules = [
            (re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in when) + r")(?!\w)", re.I), add)
            for when, add in entries
        ]

    def expand(self, query: str) -> str:
        """The pages' words for the everyday words in ``query`` (may be empty)."""
        return " ".join(add for pattern, add in self._rules if pattern.search(query))


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens, stop words dropped, plural and -ing endings folded."""
    out = []
    for tok in _TOKEN.findall(text.lower()):
        if tok in _STOP:
            continue
        if len(tok) > 4 and tok.endswith("ies"):
            tok = tok[:-3] + "y"
        elif len(tok) > 5 and tok.endswith("ing"):
            tok = tok[:-3]
        elif len(tok) > 3 and tok.endswith("s") and not tok.endswith("ss"):
            tok = tok[:-1]
        out.append(tok)
    return out


class BM25:
    """Okapi BM25 over an inverted index; term weights are precomputed per posting."""

    def __init__(self, docs: list[str], k1: float = 1.2, b: float = 0.75):
        self.n = len(docs)
        tokenized = [tokenize(d) for d in docs]
        avgdl = sum(len(t) for t in tokenized) / max(self.n, 1)
        postings: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        for i, toks in enumerate(tokenized):
            norm = k1 * (1 - b + b * len(toks) / max(avgdl, 1e-9))
            for term, tf in Counter(toks).items():
                ids, weights = postings[term]
                ids.append(i)
                weights.append(tf * (k1 + 1) / (tf + norm))
        self._index: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]] = {}
        for term, (ids, weights) in postings.items():
            idf = math.log(1 + (self.n - len(ids) + 0.5) / (len(ids) + 0.5))
            self._index[term] = (
                np.asarray(ids, dtype=np.int64),
                np.asarray(weights, dtype=np.float32) * np.float32(idf),
            )

    def top(self, query: str, n: int, expansion: str = "") -> list[tuple[int, float]]:
        """The ``n`` best (document index, score) pairs with a positive score.

        Words of ``expansion`` not already in the query count ``EXPANSION_WEIGHT``.
        """
        scores = np.zeros(self.n, dtype=np.float32)
        typed = set(tokenize(query))
        weighted = [(t, 1.0) for t in typed]
        weighted += [(t, EXPANSION_WEIGHT) for t in set(tokenize(expansion)) - typed]
        for term, weight in weighted:
            hit = self._index.get(term)
            if hit is not None:
                scores[hit[0]] += np.float32(weight) * hit[1]
        n = min(n, self.n)
        if n <= 0:
            return []
        best = np.argpartition(-scores, n - 1)[:n]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(int(i), float(scores[i])) for i in best if scores[i] > 0]


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


@dataclass(frozen=True)
class _Build:
    """One build's chunks and lexical index, swapped in whole when a newer build is active."""

    name: str
    chunks: list[Chunk]
    by_id: dict[str, int]
    bm25: BM25


class Retriever:
    """Dense + BM25 retrieval over the store's active build, fused with RRF.

    A long-lived retriever (the app, ``chat``) stays fresh: each search first reads the
    store's pointer (one small read) and, when another process made a newer build
    active, reopens that build before answering. Dense hits and the chunk list always
    come from the same build.
    """

    def __init__(self, store: Store, embedder: Embedder):
        self.store = store
        self.embedder = embedder
        self.lexicon = Lexicon()
        self._reopening = threading.Lock()
        self._build = self._open()

    def _open(self) -> _Build:
        """The active build, read whole (tried again if it is replaced while being read)."""
        for attempt in range(_OPEN_TRIES):
            name = self.store.active_name()
            try:
                self.store.check_model(self.embedder.model_id)
                chunks = self.store.chunks(build=name)
            except StoreError:
                if attempt + 1 == _OPEN_TRIES or self.store.pointer() == name:
                    raise
                continue  # that build was dropped by a newer one meanwhile
            by_id = {c.id: i for i, c in enumerate(chunks)}
            return _Build(name or "", chunks, by_id, BM25([c.embed_text for c in chunks]))
        raise StoreError("internal: unreachable")  # pragma: no cover

    @property
    def chunks(self) -> list[Chunk]:
        """The chunks of the build this retriever answers from."""
        return self._build.chunks

    @property
    def bm25(self) -> BM25:
        """The lexical index of that build."""
        return self._build.bm25

    @property
    def build(self) -> str:
        """The name of the build this retriever answers from."""
        return self._build.name

    def refresh(self, *, force: bool = False) -> _Build:
        """The current build: reopened when the store's pointer names another one."""
        current = self._build
        if force or self.store.pointer() != current.name:
            with self._reopening:
                if self._build is current:
                    self._build = self._open()
        return self._build

    def _dense(self, build: _Build, q: str, pool: int) -> tuple[_Build, list[tuple[int, float]]]:
        """Dense hits from ``build``; if it was dropped or lacks a hit's chunk, reopen once."""
        vector = self.embedder.embed_query(q)
        for attempt in range(2):
            try:
                hits = self.store.query(vector, pool, build=build.name)
            except StoreError:
                if attempt or self.store.pointer() == build.name:
                    raise
                build = self.refresh(force=True)
                continue
            unknown = [h.chunk_id for h in hits if h.chunk_id not in build.by_id]
            if not unknown:
                return build, [(build.by_id[h.chunk_id], h.similarity) for h in hits]
            if attempt:
                raise StoreError(
                    f"the store's build {build.name} has vectors for {len(unknown)} chunk(s) "
                    f"it does not hold (e.g. {unknown[0]}): run `skillcheck ingest --force`"
                )
            build = self.refresh(force=True)
        raise StoreError("internal: unreachable")  # pragma: no cover

    def search(self, question: str, k: int = 4, mode: Mode = "hybrid") -> list[Hit]:
        """The ``k`` best chunks for ``question``, from the newest active build."""
        q = validate_query(question, k)
        build = self.refresh()
        pool = max(20, 4 * k)
        dense: list[tuple[int, float]] = []
        sparse: list[tuple[int, float]] = []
        if mode in ("hybrid", "dense"):
            build, dense = self._dense(build, q, pool)
        if mode in ("hybrid", "bm25"):
            sparse = build.bm25.top(q, pool, self.lexicon.expand(q))
        fused: dict[int, float] = defaultdict(float)
        d_rank = {i: r for r, (i, _) in enumerate(dense, 1)}
        s_rank = {i: r for r, (i, _) in enumerate(sparse, 1)}
        for ranks in (d_rank, s_rank):
            for i, r in ranks.items():
                fused[i] += 1.0 / (RRF_K + r)
        d_score = dict(dense)
        s_score = dict(sparse)
        order = sorted(fused, key=lambda i: (-fused[i], d_rank.get(i, 10**9), i))[:k]
        return [
            Hit(
                chunk=build.chunks[i],
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
