"""Vectors shipped with the package, so a fresh clone embeds nothing it does not have to.

``scripts/prebuild_vectors.py`` embeds, with the offline model, the corpus's records (each
chunk and its sentences, as ``skillcheck ingest`` embeds them) and the topics' example
questions, and writes them to ``skillcheck/data/prebuilt-vectors.npy``. Each vector is
keyed by the sha256 of the model's digest
(:data:`~skillcheck.embeddings.LOCAL_VECTORS_DIGEST`: its ONNX file, its tokenizer, the
truncation and the pooling) and the exact text embedded. A lookup returns a shipped
vector only for that model and that text: a changed page, chunker, topic example or
model misses, and that text is embedded at run time; a stale vector is never used. An
embedder without a digest (OpenAI's, a test's stand-in) gets nothing from here.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from skillcheck.embeddings import Vectors
from skillcheck.paths import DATA_DIR

PREBUILT_PATH = DATA_DIR / "prebuilt-vectors.npy"
DIM = 384
#: One row per vector: the key (sha256 of model digest and text) and the vector.
ROW = np.dtype([("key", "S32"), ("vector", "<f4", (DIM,))])


class DocumentEmbedder(Protocol):
    """What is asked of an embedder here (``vectors_digest`` is read if it has one)."""

    def embed_documents(self, texts: list[str]) -> Vectors: ...


def text_key(model_digest: str, text: str) -> bytes:
    """The key of ``text`` embedded by the model whose digest is ``model_digest``."""
    return hashlib.sha256(f"{model_digest}\n{text}".encode()).digest()


@lru_cache(maxsize=4)
def _table(path: str) -> tuple[dict[bytes, int], Vectors]:
    """The shipped rows by key (empty when the file is missing or not in our layout)."""
    try:
        rows = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        rows = None
    if rows is None or rows.dtype != ROW or rows.ndim != 1:
        return {}, np.zeros((0, DIM), dtype=np.float32)
    vectors: Vectors = np.ascontiguousarray(rows["vector"], dtype=np.float32)
    return {bytes(k): i for i, k in enumerate(rows["key"].tolist())}, vectors


def shipped(
    embedder: DocumentEmbedder, texts: Sequence[str], path: Path | None = None
) -> tuple[Vectors, list[bool]]:
    """The shipped vectors of ``texts`` for this embedder (zeros where none), and which."""
    digest = getattr(embedder, "vectors_digest", None)
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    found = [False] * len(texts)
    if not isinstance(digest, str) or not texts:
        return out, found
    index, vectors = _table(str(path or PREBUILT_PATH))
    for i, text in enumerate(texts):
        row = index.get(text_key(digest, text))
        if row is not None:
            out[i] = vectors[row]
            found[i] = True
    return out, found


def embed_documents(
    embedder: DocumentEmbedder, texts: list[str], path: Path | None = None
) -> Vectors:
    """The vectors of ``texts``: shipped where the file has them, the rest embedded now."""
    out, found = shipped(embedder, texts, path)
    if not any(found):
        return embedder.embed_documents(texts)
    missing = [i for i, hit in enumerate(found) if not hit]
    if missing:
        out[missing] = embedder.embed_documents([texts[i] for i in missing])
    return out


def wanted(corpus_dir: Path) -> list[list[str]]:
    """The texts to ship, in the groups the run time embeds them in (one call each):
    the corpus's records as ingest embeds them, and the topics' example questions."""
    from skillcheck.corpus import build_chunks
    from skillcheck.store import records_for
    from skillcheck.topics import example_texts, load_topics

    records = [r.embed_text for r in records_for(build_chunks(corpus_dir))]
    return [records, example_texts(load_topics(corpus_dir=corpus_dir))[1]]


def write(path: Path, model_digest: str, groups: list[tuple[list[str], Vectors]]) -> int:
    """Write the vectors of ``groups`` keyed for ``model_digest``; the rows written.

    Rows are sorted by key so that the same input writes the same bytes.
    """
    rows: dict[bytes, Vectors] = {}
    for texts, vectors in groups:
        if len(texts) != len(vectors) or (len(vectors) and vectors.shape[1] != DIM):
            raise ValueError(f"{len(texts)} texts but vectors of shape {vectors.shape}")
        for text, vector in zip(texts, vectors, strict=True):
            rows.setdefault(text_key(model_digest, text), vector)
    table = np.zeros(len(rows), dtype=ROW)
    for i, key in enumerate(sorted(rows)):
        table[i] = (key, rows[key])
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        np.save(fh, table, allow_pickle=False)
    os.replace(tmp, path)
    _table.cache_clear()
    return len(table)
