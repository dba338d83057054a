"""Builds that cannot collide, and retrievers that see the newest build.

Concurrent ``ingest --force`` runs (real processes), locally and against a real
``chroma run``; a build lock or lease held by a live or a killed holder; the orphan
segment directories of dropped builds; a long-lived retriever after another process
re-ingests a changed corpus.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from skillcheck.config import get_settings
from skillcheck.corpus import build_chunks
from skillcheck.embeddings import get_embedder
from skillcheck.orphans import orphan_segments
from skillcheck.retrieval import Retriever
from skillcheck.store import Store
from tests.conftest import REPO, cli_env, edited_corpus
from tests.core.test_store import chroma_server  # noqa: F401  (a fixture, used by name)

ROUNDS = 5
BUILDERS = 3
#: A bound on any one subprocess of these tests (they take seconds; this is for a hang).
PROC_TIMEOUT = 240
QUESTION = "What qualification do I need?"


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "skillcheck", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=PROC_TIMEOUT,
    )


def _concurrent_ingests(env: dict[str, str]) -> list[tuple[int, str]]:
    """``BUILDERS`` forced ingests started together; each one's exit status and stderr."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "skillcheck", "ingest", "--force", "--quiet"],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(BUILDERS)
    ]
    out = []
    for proc in procs:
        try:
            _, err = proc.communicate(timeout=PROC_TIMEOUT)
        finally:
            if proc.poll() is None:
                proc.kill()
        out.append((proc.returncode, err))
    return out


def _assert_complete(env: dict[str, str]) -> str:
    """The active build holds every chunk and record of the corpus; its name."""
    store = Store(get_settings())
    name = store.active_name()
    assert name is not None, "no active build"
    col = store._active()
    meta = col.metadata or {}
    assert meta["chunk_count"] == len(build_chunks(get_settings().corpus_dir))
    assert col.count() == meta["record_count"]
    return name


def _assert_ask_answers_without_building(env: dict[str, str]) -> None:
    done = _run(["ask", "--offline", QUESTION], env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip(), "no answer"
    assert "build" not in done.stderr.lower() and "ingest" not in done.stderr.lower(), done.stderr


def _rounds(env: dict[str, str]) -> list[str]:
    """Run the rounds; after each, the store is complete and ``ask`` does not rebuild."""
    actives = []
    waited = 0
    for round_no in range(1, ROUNDS + 1):
        results = _concurrent_ingests(env)
        for code, err in results:
            assert code == 0, f"round {round_no}: exit {code}: {err[-500:]}"
            assert "Traceback" not in err and "Error" not in err, f"round {round_no}: {err}"
        waited += sum("waiting for another build" in err for _, err in results)
        actives.append(_assert_complete(env))
        _assert_ask_answers_without_building(env)
    assert waited >= 1, "the builders never overlapped: nothing was tested"
    return actives


def test_three_concurrent_forced_ingests_for_five_rounds_locally(home: Path) -> None:
    actives = _rounds(cli_env(SKILLCHECK_HOME=str(home)))
    assert len(set(actives)) == ROUNDS  # every round switched to a build of its own
    store_path = get_settings().store_path
    assert orphan_segments(store_path) == []
    dirs = [p for p in store_path.iterdir() if p.is_dir() and p.name != "lexical"]
    assert len(dirs) == 1, dirs  # the active build's vector segment, nothing else
    lexical = [p.name for p in (store_path / "lexical").iterdir()]
    assert lexical == [actives[-1]]  # and the active build's lexical index alone


@pytest.fixture
def server_env(
    chroma_server: tuple[str, int],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Iterator[dict[str, str]]:
    """This test's own collection prefix on the shared test server, built once."""
    host, port = chroma_server
    prefix = f"b{os.getpid()}x{time.monotonic_ns() % 10**8}"
    values = {
        "CHROMA_HOST": host,
        "CHROMA_PORT": str(port),
        "SKILLCHECK_COLLECTION_PREFIX": prefix,
        "SKILLCHECK_HOME": str(tmp_path / "home"),
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    env = cli_env(**values)
    built = _run(["ingest", "--quiet"], env)
    assert built.returncode == 0, built.stderr
    yield env
    Store(get_settings()).reset()


@pytest.mark.chroma_server
def test_three_concurrent_forced_ingests_for_five_rounds_on_a_server(
    server_env: dict[str, str],
) -> None:
    actives = _rounds(server_env)
    assert len(set(actives)) == ROUNDS
    store = Store(get_settings())
    builds = [n for n in store._collection_names() if n.startswith(f"{store.prefix}-")]
    assert sorted(builds) == sorted(
        [f"{store.prefix}-active", actives[-1], f"{actives[-1]}-lexical"]
    )  # no lease, tombstone, dropped build or its lexical index left behind


# --- a holder that is alive, or killed --------------------------------------------------
_HOLD = (
    "import sys, time\n"
    "from skillcheck.config import get_settings\n"
    "from skillcheck.store import Store\n"
    "with Store(get_settings()).building():\n"
    "    print('HELD', flush=True)\n"
    "    time.sleep(300)\n"
)


def _holder(env: dict[str, str]) -> subprocess.Popen[str]:
    """A process that takes the build lock or lease and keeps it until killed."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if line.strip() != "HELD":
        proc.kill()
        raise AssertionError(f"holder did not take the lock: {line!r} {proc.stderr}")
    return proc


def _kill(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def _live_holder_makes_a_builder_give_up(env: dict[str, str]) -> None:
    before = Store(get_settings()).active_name()
    holder = _holder(env)
    try:
        done = _run(["ingest", "--force", "--quiet"], {**env, "SKILLCHECK_BUILD_WAIT_SECONDS": "1"})
    finally:
        _kill(holder)
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines[0].startswith("waiting for another build"), done.stderr
    assert f"pid {holder.pid} " in lines[0]
    assert len(lines) == 2 and lines[1].startswith("skillcheck: error: another build"), lines
    assert "SKILLCHECK_BUILD_WAIT_SECONDS" in lines[1]
    assert Store(get_settings()).active_name() == before  # nothing switched


def test_a_live_local_holder_makes_a_builder_give_up_with_one_line(home: Path) -> None:
    _live_holder_makes_a_builder_give_up(cli_env(SKILLCHECK_HOME=str(home)))


def test_a_killed_local_holder_frees_the_lock_at_once(home: Path) -> None:
    env = cli_env(SKILLCHECK_HOME=str(home), SKILLCHECK_BUILD_WAIT_SECONDS="60")
    before = Store(get_settings()).active_name()
    _kill(_holder(env))
    done = _run(["ingest", "--force", "--quiet"], env)
    assert done.returncode == 0, done.stderr
    assert "waiting" not in done.stderr  # the kernel dropped the dead holder's lock
    assert _assert_complete(env) != before


@pytest.mark.chroma_server
def test_a_live_lease_holder_makes_a_builder_give_up_with_one_line(
    server_env: dict[str, str],
) -> None:
    _live_holder_makes_a_builder_give_up(server_env)


@pytest.mark.chroma_server
def test_a_killed_lease_holder_expires_and_a_later_build_takes_over(
    server_env: dict[str, str],
) -> None:
    env = {**server_env, "SKILLCHECK_BUILD_LEASE_SECONDS": "10"}
    holder = _holder(env)
    _kill(holder)
    store = Store(get_settings())
    lease = f"{store.prefix}-lease"
    assert lease in store._collection_names()  # the dead holder's lease is still there
    started = time.monotonic()
    done = _run(["ingest", "--force", "--quiet"], {**env, "SKILLCHECK_BUILD_WAIT_SECONDS": "60"})
    assert done.returncode == 0, done.stderr
    if "waiting" in done.stderr:  # it came before the lease expired (not under heavy load)
        assert "waiting for another build of chroma server" in done.stderr
        assert f"pid {holder.pid} " in done.stderr
    assert time.monotonic() - started < 60
    _assert_complete(env)
    names = store._collection_names()
    assert not [n for n in names if n.startswith(lease)]  # taken over, then released


def test_a_bad_wait_setting_is_one_line() -> None:
    done = _run(["ingest"], cli_env(SKILLCHECK_BUILD_WAIT_SECONDS="-1"))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "SKILLCHECK_BUILD_WAIT_SECONDS" in done.stderr


# --- orphans ------------------------------------------------------------------------------
def test_forced_rebuilds_leave_no_orphan_segment_directory(home: Path) -> None:
    from ingest import run_ingest

    settings = get_settings()
    for _ in range(3):
        run_ingest(settings, force=True, progress=False)
    assert orphan_segments(settings.store_path) == []
    segments = [p for p in settings.store_path.iterdir() if p.is_dir() and p.name != "lexical"]
    assert len(segments) == 1
    assert len(list((settings.store_path / "lexical").iterdir())) == 1
    hits = Retriever(Store(settings), get_embedder(settings)).search(QUESTION, 3)
    assert len(hits) == 3  # the live segment was kept


# --- fresh text ---------------------------------------------------------------------------
OLD_HOURS = "20 hours or more per week"
NEW_HOURS = "27 hours or more per week"


def _changed_corpus(tmp_path: Path) -> Path:
    """A copy of the corpus where the hours threshold reads differently (manifest fixed)."""
    return edited_corpus(
        tmp_path / "changed-corpus",
        "vetassess-149212.txt",
        lambda text: text.replace(OLD_HOURS, NEW_HOURS),
    )


def _reingest_elsewhere(env: dict[str, str], corpus: Path) -> None:
    done = _run(["ingest", "--quiet"], {**env, "SKILLCHECK_CORPUS_DIR": str(corpus)})
    assert done.returncode == 0, done.stderr


def _assert_sees_the_new_text(retriever: Retriever, before: str) -> None:
    question = "How many hours a week must I work?"
    for mode in ("bm25", "dense", "hybrid"):  # BM25 first: only the pointer tells it
        hits = retriever.search(question, 4, mode=mode)  # type: ignore[arg-type]
        assert len(hits) == 4, (mode, hits)  # no dense hit dropped for an unknown chunk id
        texts = " ".join(h.chunk.text for h in hits)
        assert NEW_HOURS in texts and OLD_HOURS not in texts, mode
    assert retriever.build != before
    assert all(OLD_HOURS not in c.text for c in retriever.store.chunks(build=retriever.build))


def test_a_long_lived_retriever_answers_from_a_build_made_by_another_process(
    home: Path, tmp_path: Path
) -> None:
    settings = get_settings()
    retriever = Retriever(Store(settings), get_embedder(settings))
    before = retriever.build
    hits = retriever.search("How many hours a week must I work?", 4)
    assert any(OLD_HOURS in h.chunk.text for h in hits)
    _reingest_elsewhere(cli_env(SKILLCHECK_HOME=str(home)), _changed_corpus(tmp_path))
    _assert_sees_the_new_text(retriever, before)


def test_a_search_that_read_the_pointer_just_before_a_switch_still_gets_the_new_build(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build it pinned is dropped under it: it reopens the new one, drops no hit."""
    settings = get_settings()
    retriever = Retriever(Store(settings), get_embedder(settings))
    before = retriever.build
    _reingest_elsewhere(cli_env(SKILLCHECK_HOME=str(home)), _changed_corpus(tmp_path))
    real = retriever.store.pointer
    stale = iter([before])  # the first read is from just before the switch
    monkeypatch.setattr(retriever.store, "pointer", lambda: next(stale, None) or real())
    hits = retriever.search("How many hours a week must I work?", 4, mode="dense")
    assert len(hits) == 4
    assert any(NEW_HOURS in h.chunk.text for h in hits)
    assert retriever.build not in (before, "")


@pytest.mark.chroma_server
def test_a_long_lived_retriever_on_a_server_sees_a_reingest(
    server_env: dict[str, str], tmp_path: Path
) -> None:
    settings = get_settings()
    retriever = Retriever(Store(settings), get_embedder(settings))
    before = retriever.build
    assert any(OLD_HOURS in h.chunk.text for h in retriever.search("hours a week", 4))
    _reingest_elsewhere(server_env, _changed_corpus(tmp_path))
    _assert_sees_the_new_text(retriever, before)


_READER = (
    "import sys\n"
    "from skillcheck.config import get_settings\n"
    "from skillcheck.retrieval import open_retriever\n"
    "r = open_retriever(get_settings(), build=False)\n"
    "def show():\n"
    "    hits = r.search('How many hours a week must I work?', 4)\n"
    "    text = ' '.join(h.chunk.text for h in hits)\n"
    f"    print(r.build, {NEW_HOURS!r} in text, {OLD_HOURS!r} in text, flush=True)\n"
    "show()\n"
    "sys.stdin.readline()\n"
    "show()\n"
)


@pytest.mark.chroma_server
def test_two_running_instances_see_a_reingest_on_the_server_without_restart(
    server_env: dict[str, str], tmp_path: Path
) -> None:
    """Two long-lived processes (as two app instances or chats) over one `chroma run`."""
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", _READER],
            cwd=REPO,
            env=server_env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        firsts = []
        for reader in readers:
            assert reader.stdout is not None
            firsts.append(reader.stdout.readline().split())
        assert all(first[1:] == ["False", "True"] for first in firsts), firsts
        _reingest_elsewhere(server_env, _changed_corpus(tmp_path))
        for reader, first in zip(readers, firsts, strict=True):
            out, err = reader.communicate("\n", timeout=PROC_TIMEOUT)
            assert reader.returncode == 0, err
            build, new, old = out.split()
            assert (new, old) == ("True", "False"), out
            assert build != first[0]
    finally:
        for reader in readers:
            _kill(reader)
