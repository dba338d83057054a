"""``skillcheck admin clean-orphans``: dropped builds' segment directories, never a live one.

Chroma 1.5 leaves a dropped collection's index directory behind (chroma-core/chroma
#5520). Locally our builds remove them; on a ``chroma run`` server's host the operator
runs this command. Here: bad paths and stores that cannot be read are one line and
exit 2 with nothing removed; on a local store only orphans go; a collection written
just after the live ids were read is kept; and against a real ``chroma run``, ten
rebuilds, the clean-up (its disk numbers printed), ``ask`` answering from the server
without a rebuild, and rebuilds while the clean-up runs.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest import run_ingest
from skillcheck import orphans
from skillcheck.cli import main
from skillcheck.config import get_settings
from skillcheck.embeddings import get_embedder
from skillcheck.orphans import live_segments, orphan_segments, segment_dirs, tree_size
from skillcheck.retrieval import Retriever
from skillcheck.store import Store
from tests.chroma_run import free_port, wait_for_heartbeat
from tests.conftest import REPO, cli_env

QUESTION = "How many hours a week must I work?"
REBUILDS = 10
PROC_TIMEOUT = 240


def _clean(path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "skillcheck", "admin", "clean-orphans", "--path", str(path), *extra],
        cwd=REPO,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=PROC_TIMEOUT,
    )


def _one_line_exit_2(done: subprocess.CompletedProcess[str], *said: str) -> None:
    assert done.returncode == 2, done
    assert done.stdout == "" and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("skillcheck: error: ") and "Traceback" not in done.stderr
    for words in said:
        assert words in done.stderr, done.stderr


def _fake_orphan(store: Path) -> Path:
    """A copy of a live segment directory under an id no segment has: a dropped build's."""
    live = next(d for d in segment_dirs(store) if d.name in (live_segments(store) or set()))
    orphan = store / str(uuid.uuid4())
    shutil.copytree(live, orphan)
    return orphan


# --- bad input: one line, exit 2, nothing removed ------------------------------------------
def test_a_missing_path_is_one_line(tmp_path: Path) -> None:
    _one_line_exit_2(_clean(tmp_path / "nowhere"), "no such directory")


def test_a_file_is_not_a_data_directory(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    _one_line_exit_2(_clean(tmp_path / "f"), "not a directory")


def test_a_directory_without_chroma_sqlite3_is_not_a_store(tmp_path: Path) -> None:
    stray = tmp_path / str(uuid.uuid4())
    stray.mkdir()
    _one_line_exit_2(_clean(tmp_path), "not a Chroma data directory", "chroma.sqlite3")
    assert stray.is_dir()


@pytest.mark.parametrize("kind", ["not-sqlite", "no-segments-table"])
def test_an_unreadable_catalogue_removes_nothing(tmp_path: Path, kind: str) -> None:
    db = tmp_path / "chroma.sqlite3"
    if kind == "not-sqlite":
        db.write_text("not a database at all, but long enough to be read as a header " * 4)
    else:
        with sqlite3.connect(db) as con:
            con.execute("CREATE TABLE collections (id TEXT)")
    stray = tmp_path / str(uuid.uuid4())
    stray.mkdir()
    _one_line_exit_2(_clean(tmp_path), "cannot read the live segments", "nothing removed")
    assert stray.is_dir()


def test_a_store_with_no_live_segment_is_left_alone(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "chroma.sqlite3") as con:
        con.execute("CREATE TABLE segments (id TEXT, type TEXT, scope TEXT, collection TEXT)")
    stray = tmp_path / str(uuid.uuid4())
    stray.mkdir()
    done = _clean(tmp_path)
    assert done.returncode == 0 and "nothing was removed" in done.stdout, done
    assert stray.is_dir()


def test_a_layout_where_no_directory_is_live_removes_nothing(home: Path) -> None:
    store = get_settings().store_path
    live = [d for d in segment_dirs(store) if d.name in (live_segments(store) or set())]
    moved = [d.rename(store / str(uuid.uuid4())) for d in live]  # as if named otherwise
    _one_line_exit_2(_clean(store), "none of its", "nothing was removed")
    assert all(d.is_dir() for d in moved)


# --- a local store ----------------------------------------------------------------------------
def test_only_orphans_go_and_the_store_still_answers(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = get_settings()
    store = settings.store_path
    live_before = {d.name for d in segment_dirs(store)}
    orphan = _fake_orphan(store)
    other = store / "not-a-segment"  # a directory that is not named like one is not ours
    other.mkdir()
    assert main(["admin", "clean-orphans", "--path", str(store), "--dry-run"]) == 0
    listed = capsys.readouterr().out
    assert listed.startswith(f"{orphan}\nwould remove 1 orphan segment directory (")
    assert orphan.is_dir()  # a dry run removes nothing
    assert main(["admin", "clean-orphans", "--path", str(store)]) == 0
    said = capsys.readouterr().out
    assert said.startswith("removed 1 orphan segment directory (") and "live segments kept" in said
    assert not orphan.exists() and other.is_dir()
    assert {d.name for d in segment_dirs(store)} == live_before
    hits = Retriever(Store(settings), get_embedder(settings)).search(QUESTION, 4, mode="dense")
    assert len(hits) == 4


def test_a_collection_written_just_after_the_read_is_kept(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race with a build: its directory appears after the live ids were read."""
    store = get_settings().store_path
    orphan = _fake_orphan(store)
    newcomer = store / str(uuid.uuid4())
    real = orphans.read_live_segments

    def read_then_a_build_writes(path: Path) -> set[str]:
        live = real(path)
        newcomer.mkdir()  # its row was committed after our read, its directory now
        return live

    monkeypatch.setattr(orphans, "read_live_segments", read_then_a_build_writes)
    result = orphans.clean(store)
    assert result.orphans == [orphan] and not orphan.exists()
    assert newcomer.is_dir()


def test_files_held_open_are_found_by_process(tmp_path: Path) -> None:
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("no /proc on this system: held_open reports nothing by design")
    removed = tmp_path.resolve() / str(uuid.uuid4())
    removed.mkdir()
    with (removed / "data_level0.bin").open("wb") as f:
        f.write(b"x" * 20_000)
        f.flush()
        shutil.rmtree(removed)
        held = [h for h in orphans.held_open([removed]) if h.pid == os.getpid()]
        assert len(held) == 1 and held[0].files == 1 and held[0].size >= 20_000
    assert not [h for h in orphans.held_open([removed]) if h.pid == os.getpid()]


# --- a real `chroma run` ----------------------------------------------------------------------
@pytest.fixture
def own_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, int, Path]]:
    """A `chroma run` of this test's own (its data directory is measured), and its env."""
    data = tmp_path.resolve() / "chroma-data"
    port = free_port()
    log_path = tmp_path / "chroma.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("chroma")), "run", "--path", str(data),
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_for_heartbeat(port, time.monotonic() + 60, proc)
        for name, value in {
            "CHROMA_HOST": "127.0.0.1",
            "CHROMA_PORT": str(port),
            "SKILLCHECK_COLLECTION_PREFIX": "orphans",
            "SKILLCHECK_HOME": str(tmp_path / "home"),
        }.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        yield data, proc.pid, log_path
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def _server_env() -> dict[str, str]:
    """The CLI's environment with this test's server (cli_env drops CHROMA_HOST)."""
    return cli_env(CHROMA_HOST=os.environ["CHROMA_HOST"])


def _ask_answers_from_the_server() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "skillcheck", "ask", "--offline", QUESTION],
        cwd=REPO,
        env=_server_env(),
        capture_output=True,
        text=True,
        timeout=PROC_TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    assert "20 hours or more per week" in done.stdout
    assert "build" not in done.stderr.lower() and "ingest" not in done.stderr.lower()
    assert not (Path(os.environ["SKILLCHECK_HOME"]) / "chroma").exists()  # no local store
    settings = get_settings()
    hits = Retriever(Store(settings), get_embedder(settings)).search(QUESTION, 4, mode="dense")
    assert len(hits) == 4  # the active build's vector index is whole


def _free_pages(data: Path) -> int:
    """Bytes of chroma.sqlite3's free pages (what ``chroma vacuum`` would give back)."""
    with contextlib.closing(
        sqlite3.connect(f"file:{data / 'chroma.sqlite3'}?mode=ro", uri=True)
    ) as con:
        free = con.execute("PRAGMA freelist_count").fetchone()[0]
        return int(free) * int(con.execute("PRAGMA page_size").fetchone()[0])


def _held(dirs: list[Path], pid: int) -> tuple[int, int]:
    """Files of ``dirs`` the server holds open, and their bytes."""
    held = [h for h in orphans.held_open(dirs) if h.pid == pid]
    return sum(h.files for h in held), sum(h.size for h in held)


@pytest.mark.chroma_server
def test_ten_rebuilds_on_a_server_then_clean_up_while_it_runs(
    own_server: tuple[Path, int, Path],
) -> None:
    data, pid, log = own_server
    settings = get_settings()
    run_ingest(settings, progress=False)
    first = tree_size(data)
    for _ in range(REBUILDS):
        run_ingest(settings, force=True, progress=False)
    active = Store(settings).active_name()
    before, dirs_before = tree_size(data), len(segment_dirs(data))
    stale = orphan_segments(data)
    assert len(stale) >= REBUILDS  # chromadb still leaves them (chroma-core/chroma#5520)
    live_before = set(segment_dirs(data)) - set(stale)

    done = _clean(data)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"removed {len(stale)} orphan segment directories (")
    after, dirs_after = tree_size(data), len(segment_dirs(data))
    held_files, held_bytes = _held(stale, pid)
    print(
        f"\nchroma run data dir: {first / 1e6:.2f} MB after the first build; after "
        f"{REBUILDS} rebuilds {before / 1e6:.2f} MB ({dirs_before} segment directories, "
        f"{len(stale)} orphans); after clean-orphans {after / 1e6:.2f} MB ({dirs_after}); "
        f"the server still holds {held_files} removed files open, {held_bytes} bytes; "
        f"chroma.sqlite3 {(data / 'chroma.sqlite3').stat().st_size / 1e6:.2f} MB of it "
        f"({_free_pages(data) / 1e6:.2f} MB free pages, reused by later writes)"
    )
    assert orphan_segments(data) == [] and set(segment_dirs(data)) == live_before
    assert after < before
    assert held_bytes == 0 and done.stderr == ""  # emptied: the space is back while it runs
    assert Store(settings).active_name() == active
    _ask_answers_from_the_server()

    # rebuilds while the clean-up runs again and again: no build loses its segments
    builder = subprocess.Popen(
        [sys.executable, "-m", "skillcheck", "ingest", "--force", "--quiet"],
        cwd=REPO,
        env=_server_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    cleanups = 0
    try:
        deadline = time.monotonic() + PROC_TIMEOUT
        while builder.poll() is None and cleanups < 5000 and time.monotonic() < deadline:
            orphans.clean(data)  # what the command runs, without a process start each time
            cleanups += 1
            time.sleep(0.02)
        _, err = builder.communicate(timeout=PROC_TIMEOUT)
    finally:
        if builder.poll() is None:
            builder.kill()
    assert builder.returncode == 0, err
    assert cleanups >= 1
    assert Store(settings).active_name() != active
    print(f"{cleanups} clean-ups ran during a rebuild")
    assert _clean(data).returncode == 0
    _ask_answers_from_the_server()
    said = log.read_text("utf-8", "replace")
    assert "panicked" not in said and "ERROR" not in said, said[-2000:]
