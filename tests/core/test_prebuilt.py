"""Shipped vectors: used only for the same model and the same text; a stale one never is."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

from skillcheck import prebuilt
from skillcheck import topics as topics_module
from skillcheck.config import get_settings
from skillcheck.corpus import build_chunks
from skillcheck.embeddings import LOCAL_MODEL_ID, LOCAL_VECTORS_DIGEST, LocalMiniLM, Vectors
from skillcheck.indexing import run_ingest
from skillcheck.paths import CORPUS_DIR
from skillcheck.retrieval import Retriever
from skillcheck.store import Store, records_for
from skillcheck.topics import load_topics, score_topics


def vector_of(text: str) -> Vectors:
    """A unit vector that depends on the text (a stand-in for a model)."""
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")
    v = np.random.default_rng(seed).normal(size=384).astype(np.float32)
    out: Vectors = v / np.linalg.norm(v)
    return out


class Counting:
    """An embedder with a given digest that records every text it is asked to embed."""

    def __init__(self, digest: str) -> None:
        self.vectors_digest = digest
        self.embedded: list[str] = []

    def embed_documents(self, texts: list[str]) -> Vectors:
        self.embedded.extend(texts)
        return np.stack([vector_of(t) for t in texts]) if texts else np.zeros((0, 384))


class CountingLocal:
    """The offline model, recording the documents it embeds at run time."""

    model_id = LOCAL_MODEL_ID
    vectors_digest = LOCAL_VECTORS_DIGEST

    def __init__(self, model: LocalMiniLM) -> None:
        self.model = model
        self.embedded: list[str] = []

    def embed_documents(self, texts: list[str]) -> Vectors:
        self.embedded.extend(texts)
        return self.model.embed_documents(texts)

    def embed_query(self, text: str) -> Vectors:
        return self.model.embed_query(text)


@pytest.fixture(scope="module")
def model() -> LocalMiniLM:
    return LocalMiniLM()


def test_the_shipped_file_has_every_corpus_record_and_topic_example() -> None:
    texts = [t for group in prebuilt.wanted(CORPUS_DIR) for t in group]
    _, found = prebuilt.shipped(Counting(LOCAL_VECTORS_DIGEST), texts)
    missing = [t for t, hit in zip(texts, found, strict=True) if not hit]
    assert not missing, (
        f"{len(missing)} of {len(texts)} texts have no shipped vector (first: {missing[0]!r}): "
        "run .venv/bin/python scripts/prebuild_vectors.py"
    )


def test_shipped_vectors_are_the_ones_the_model_computes(model: LocalMiniLM) -> None:
    records, examples = prebuilt.wanted(CORPUS_DIR)
    sample = records[:3] + records[-3:] + examples[:3] + examples[-3:]
    shipped, found = prebuilt.shipped(model, sample)
    assert all(found)
    fresh = model.embed_documents(sample)
    cosines = np.sum(shipped * fresh, axis=1)
    assert float(cosines.min()) > 0.9999, cosines


def test_a_stale_file_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "vectors.npy"
    shipped_row = np.full((1, 384), 1 / np.sqrt(384), dtype=np.float32)
    prebuilt.write(path, "model-now", [(["kept sentence"], shipped_row)])
    # rows made for an edited text, and for the same text by another model
    stale = np.full((2, 384), -1 / np.sqrt(384), dtype=np.float32)
    old = tmp_path / "old.npy"
    prebuilt.write(old, "model-before", [(["kept sentence", "edited sentence"], stale)])
    both = np.load(path), np.load(old)
    np.save(path, np.concatenate([both[0], both[1]]))
    prebuilt._table.cache_clear()

    now = Counting("model-now")
    got = prebuilt.embed_documents(now, ["kept sentence", "edited sentence"], path)
    assert now.embedded == ["edited sentence"]  # the edited text is embedded at run time
    assert np.array_equal(got[0], shipped_row[0])  # the unchanged one is taken as shipped
    assert np.array_equal(got[1], vector_of("edited sentence"))  # never the other model's

    other = Counting("model-after")  # a model changed since the file was made: all stale
    got = prebuilt.embed_documents(other, ["kept sentence"], path)
    assert other.embedded == ["kept sentence"]
    assert np.array_equal(got[0], vector_of("kept sentence"))


def test_a_file_in_another_layout_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "vectors.npy"
    np.save(path, np.ones((3, 384), dtype=np.float32))  # no keys: cannot be trusted
    prebuilt._table.cache_clear()
    now = Counting("model-now")
    prebuilt.embed_documents(now, ["a", "b"], path)
    assert now.embedded == ["a", "b"]


def test_a_fresh_clone_embeds_no_corpus_record_and_no_topic_example(
    model: LocalMiniLM, tmp_path: Path
) -> None:
    counting = CountingLocal(model)
    settings = get_settings()  # an empty SKILLCHECK_HOME (tests/conftest.py)
    assert run_ingest(settings, embedder=counting, progress=False).changed
    topics_module._EXAMPLE_VECTORS.clear()
    try:
        ranked = score_topics("Does part-time work count?", counting, load_topics(), tmp_path)
    finally:
        topics_module._EXAMPLE_VECTORS.clear()
    assert counting.embedded == []
    assert ranked[0].topic_id == "hours_part_time"
    assert not list(tmp_path.glob("topic-examples-*"))  # nothing computed, nothing kept
    hits = Retriever(Store(settings), model).search("How many hours a week must I work?", 4)
    assert any("20 hours" in h.chunk.text for h in hits)


def test_a_changed_page_embeds_only_its_changed_records(
    model: LocalMiniLM, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, corpus)
    page = corpus / "vetassess-149212.txt"
    text = page.read_text("utf-8")
    old, new = "20 hours or more per week", "25 hours or more per week"
    assert old in text
    page.write_text(text.replace(old, new), "utf-8")
    manifest = corpus / "manifest.yaml"
    digest = hashlib.sha256(page.read_bytes()).hexdigest()
    before = hashlib.sha256(text.encode("utf-8")).hexdigest()
    manifest.write_text(manifest.read_text("utf-8").replace(before, digest), "utf-8")
    monkeypatch.setenv("SKILLCHECK_CORPUS_DIR", str(corpus))
    get_settings.cache_clear()

    counting = CountingLocal(model)
    run_ingest(get_settings(), embedder=counting, progress=False)
    changed = [r.embed_text for r in records_for(build_chunks(corpus)) if new in r.embed_text]
    assert changed and counting.embedded
    assert all(new in t for t in counting.embedded)  # nothing unchanged is embedded again
    assert set(changed) <= set(counting.embedded)  # and nothing changed is taken stale
