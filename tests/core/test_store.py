"""The store: idempotent, atomic builds; the embedding model recorded and enforced."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from ingest import run_ingest
from skillcheck.config import get_settings
from skillcheck.embeddings import LocalMiniLM, Vectors, get_embedder
from skillcheck.errors import EmbeddingMismatchError, StoreError
from skillcheck.retrieval import Retriever
from skillcheck.store import Store
from tests.chroma_run import chroma_run, wait_for_heartbeat
from tests.conftest import REPO, cli_env


class OtherModel:
    """A different embedding model (same width), to build a store the real one must refuse."""

    model_id = "other-model@test"

    def __init__(self) -> None:
        self._inner = get_embedder(get_settings())

    def embed_documents(self, texts: list[str]) -> Vectors:
        return self._inner.embed_documents(texts)[:, ::-1].copy()

    def embed_query(self, text: str) -> Vectors:
        return self._inner.embed_query(text)[::-1].copy()


def test_rerun_with_no_change_writes_nothing(home: Path) -> None:
    settings = get_settings()
    store = Store(settings)
    before = store.active_name()
    summary = run_ingest(settings, progress=False)
    assert not summary.changed
    assert "nothing written" in summary.line()
    assert Store(settings).active_name() == before


def test_forced_rebuild_switches_and_drops_the_old_build(home: Path) -> None:
    settings = get_settings()
    store = Store(settings)
    before = store.active_name()
    summary = run_ingest(settings, force=True, progress=False)
    assert summary.changed
    after = store.active_name()
    assert after is not None and after != before
    names = store._collection_names()
    assert before not in names
    assert store.info().chunks == summary.chunks


def test_a_failed_build_leaves_the_old_store_answering(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = get_settings()
    store = Store(settings)
    before = store.active_name()

    def boom(n: int) -> None:
        raise RuntimeError("disk full")

    original = Store.build

    def failing_build(self: Store, *args: object, **kwargs: object) -> str:
        kwargs["progress"] = boom
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "build", failing_build)
    with pytest.raises(RuntimeError):
        run_ingest(settings, force=True, progress=False)
    assert store.active_name() == before
    hits = Retriever(Store(settings), get_embedder(get_settings())).search("hours per week", 2)
    assert len(hits) == 2


def test_killing_ingest_half_way_leaves_the_old_store_answering(home: Path) -> None:
    """SIGKILL a real ingest process after it has written part of the new collection."""
    script = (
        "import sys, time\n"
        "from ingest import run_ingest\n"
        "from skillcheck.config import get_settings\n"
        "from skillcheck.store import Store\n"
        "orig = Store.build\n"
        "def slow(self, chunks, vectors, model, fp, progress=None):\n"
        "    def tick(n):\n"
        "        print('WROTE', n, flush=True); time.sleep(60)\n"
        "    return orig(self, chunks, vectors, model, fp, progress=tick)\n"
        "Store.build = slow\n"
        "run_ingest(get_settings(), force=True, progress=False)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=REPO,
        env=cli_env(SKILLCHECK_HOME=str(home)),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # blocks until the first batch is written
        assert line.startswith("WROTE")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    settings = get_settings()
    store = Store(settings)
    assert len([n for n in store._collection_names() if n.count("-") == 2]) == 2  # old + partial
    hits = Retriever(store, get_embedder(get_settings())).search("organisational chart", 3)
    assert any("organisational chart" in h.chunk.text for h in hits)
    # the next successful build cleans the partial one up
    run_ingest(settings, force=True, progress=False)
    assert len([n for n in store._collection_names() if n.count("-") == 2]) == 1


def test_a_store_built_with_another_model_is_refused(home: Path) -> None:
    settings = get_settings()
    run_ingest(settings, embedder=OtherModel(), progress=False)
    with pytest.raises(EmbeddingMismatchError, match="run `skillcheck ingest`"):
        Retriever(Store(settings), get_embedder(get_settings()))


def test_no_store_says_to_ingest(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="skillcheck ingest"):
        Store(get_settings()).info()


def test_dense_query_returns_cosine_similarities(home: Path) -> None:
    store = Store(get_settings())
    vector = LocalMiniLM().embed_query("organisational chart")
    hits = store.query(vector, 3)
    assert len(hits) == 3
    sims = [h.similarity for h in hits]
    assert sims == sorted(sims, reverse=True)
    assert all(-1.0 <= s <= 1.0 for s in sims)
    assert np.isfinite(sims).all()


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A real `chroma run` server on 127.0.0.1: CI's (CHROMA_TEST_PORT) or one started here."""
    port_env = os.environ.get("CHROMA_TEST_PORT")
    if port_env:
        wait_for_heartbeat(int(port_env), time.monotonic() + 30)
        yield "127.0.0.1", int(port_env)
        return
    with chroma_run(tmp_path_factory.mktemp("chroma-server")) as server:
        yield server.host, server.port


@pytest.mark.chroma_server
def test_ingest_and_query_through_a_chroma_server(
    chroma_server: tuple[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    host, port = chroma_server
    monkeypatch.setenv("CHROMA_HOST", host)
    monkeypatch.setenv("CHROMA_PORT", str(port))
    monkeypatch.setenv("SKILLCHECK_COLLECTION_PREFIX", f"t{os.getpid()}")
    get_settings.cache_clear()
    settings = get_settings()
    store = Store(settings)
    store.reset()
    first = run_ingest(settings, progress=False)
    assert first.changed
    assert not run_ingest(settings, progress=False).changed
    assert "chroma server" in store.location
    hits = Retriever(store, get_embedder(get_settings())).search(
        "How many hours a week must I work?", 4
    )
    assert any("20 hours or more per week" in h.chunk.text for h in hits)
    store.reset()
    assert store.active_name() is None


@pytest.mark.chroma_server
def test_an_unreachable_server_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("CHROMA_PORT", "9")  # discard port: nothing listens
    get_settings.cache_clear()
    with pytest.raises(StoreError, match=r"127\.0\.0\.1:9"):
        Store(get_settings()).active_name()


def test_chunk_metadata_keeps_the_sources_address_and_capture_date() -> None:
    from skillcheck.corpus import build_chunks
    from skillcheck.passages import Passage
    from skillcheck.paths import CORPUS_DIR
    from skillcheck.store import _chunk_from_record, _record_meta, fingerprint

    chunk = next(c for c in build_chunks(CORPUS_DIR) if c.source_id == "vetassess-149212")
    record = _record_meta(chunk)
    assert record["url"].startswith("https://www.vetassess.com.au/")
    assert record["captured"] == ""  # the seeds record no capture date
    assert all(isinstance(v, str | int | float | bool) for v in record.values())  # Chroma's types
    back = _chunk_from_record(chunk.id, chunk.text, {**record, "captured": "2026-11-20"})
    passage = Passage.of(back, 1)
    assert passage.url == record["url"] and passage.captured == "2026-11-20"
    dated = type(chunk)(**{**chunk.__dict__, "meta": {**chunk.meta, "captured": "2026-11-20"}})
    assert fingerprint([dated], "m") != fingerprint([chunk], "m")  # a new date rebuilds
