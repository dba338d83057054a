"""Disk space back from dropped builds of a Chroma data directory, local or a server's.

chromadb 1.5 (the embedded ``PersistentClient`` and ``chroma run`` alike; 1.5.9 is the
newest release) keeps each collection's vector index in a directory named after its
vector segment's id (``<data>/<segment uuid>/``, listed in the ``segments`` table of
``<data>/chroma.sqlite3``), and ``delete_collection`` removes the rows but leaves the
directory (chroma-core/chroma#5520, open; its ``chroma vacuum`` compacts the SQLite file
only). So every rebuild leaves an orphan directory.

Locally, :func:`remove_orphan_segments` runs after a build has switched, under the
build lock. On a server's host, ``skillcheck admin clean-orphans`` calls :func:`clean`
while the server runs. Both are safe against a collection being created meanwhile:
the directories are listed *before* the live ids are read, and Chroma writes a
segment's row when the collection is created, before the first write makes its
directory; so a directory that was listed and is live is in the ids read after it.
Nothing is deleted when the ids cannot be read, when none are recorded, or when no
directory at all is live (a layout we do not know).

A running server keeps the files of a dropped collection's index open
(chroma-core/chroma#3296), so unlinking them frees no block until it restarts:
:func:`clean` empties each file before removing it, and :func:`held_open` measures
what is still held (Linux ``/proc``).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import stat
from dataclasses import dataclass, field
from pathlib import Path

from skillcheck.errors import StoreError

_SEGMENT_DIR = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
DB_NAME = "chroma.sqlite3"


def read_live_segments(store: Path) -> set[str]:
    """The ids in the store's ``segments`` table; :class:`StoreError` when unreadable."""
    db = store / DB_NAME
    if not db.is_file():
        raise StoreError(f"{store}: not a Chroma data directory (no {DB_NAME} in it)")
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)) as con:
            return {str(row[0]) for row in con.execute("SELECT id FROM segments")}
    except sqlite3.Error as exc:  # not SQLite, locked, no `segments` table: a layout we do not know
        raise StoreError(
            f"{store}: cannot read the live segments from {DB_NAME} ({exc}); nothing removed"
        ) from None


def live_segments(store: Path) -> set[str] | None:
    """The ids in the store's ``segments`` table; None when it cannot be read."""
    try:
        return read_live_segments(store)
    except StoreError:
        return None


def segment_dirs(store: Path) -> list[Path]:
    """The directories of ``store`` named like a segment id (a UUID), live or not."""
    return sorted(e for e in store.iterdir() if e.is_dir() and _SEGMENT_DIR.match(e.name))


def _orphans(store: Path) -> tuple[list[Path], set[str]]:
    """The orphan directories and the live ids; the listing comes first (see the module)."""
    listed = segment_dirs(store)
    live = read_live_segments(store)
    if not live:  # empty: never guess that everything is an orphan
        return [], live
    orphans = [d for d in listed if d.name not in live]
    if listed and len(orphans) == len(listed):
        raise StoreError(
            f"{store}: none of its {len(listed)} segment directories belongs to one of the "
            f"{len(live)} live segments in {DB_NAME}; a layout this tool does not know, so "
            "nothing was removed"
        )
    return orphans, live


def orphan_segments(store: Path) -> list[Path]:
    """Segment directories of ``store`` that no live segment owns ([] if unreadable)."""
    try:
        return _orphans(store)[0]
    except StoreError:
        return []


def remove_orphan_segments(store: Path) -> int:
    """Delete the orphan segment directories of ``store``; how many went."""
    gone = 0
    for entry in orphan_segments(store):
        shutil.rmtree(entry, ignore_errors=True)
        gone += not entry.exists()
    return gone


def tree_size(path: Path) -> int:
    """Bytes on disk under ``path`` (allocated blocks, as ``du`` counts them)."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
    return total


@dataclass
class Cleanup:
    """What :func:`clean` found and did."""

    store: Path
    live: int
    orphans: list[Path]
    freed: int  # bytes of the orphans removed (or, in a dry run, that would be)
    failed: list[tuple[Path, str]] = field(default_factory=list)


def clean(store: Path, *, dry_run: bool = False) -> Cleanup:
    """Remove (or with ``dry_run`` only list) the orphan segment directories of ``store``.

    :class:`StoreError` (one line) when ``store`` is not a directory or not a Chroma
    data directory whose live segments can be read; then nothing is removed.
    """
    if not store.exists():
        raise StoreError(f"{store}: no such directory")
    if not store.is_dir():
        raise StoreError(f"{store}: not a directory")
    orphans, live = _orphans(store)
    sizes = {d: tree_size(d) for d in orphans}
    result = Cleanup(store, len(live), orphans, sum(sizes.values()))
    if dry_run:
        return result
    for entry in orphans:
        try:
            _empty_files(entry)
            shutil.rmtree(entry)
        except FileNotFoundError:
            continue  # gone meanwhile
        except OSError as exc:
            result.failed.append((entry, exc.strerror or type(exc).__name__))
            result.freed -= sizes[entry]
    return result


def _empty_files(directory: Path) -> None:
    """Truncate the regular files under ``directory`` to zero bytes, before removing it.

    A running server keeps a dropped index's files open, so unlinking alone frees no
    block until it restarts; emptying them first frees the space now. It reads them no
    more (their collection is gone, and it does not map them), and a write it might
    still make lands in a file no name reaches. A symlink, or a file with another name
    (a hard link), is left as it is.
    """
    for root, _dirs, files in os.walk(directory):
        for name in files:
            path = os.path.join(root, name)
            with contextlib.suppress(OSError):
                info = os.lstat(path)
                if stat.S_ISREG(info.st_mode) and info.st_nlink == 1:
                    fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
                    try:
                        os.ftruncate(fd, 0)
                    finally:
                        os.close(fd)


@dataclass(frozen=True)
class HeldOpen:
    """Removed files a process still holds open: their blocks are not free yet."""

    pid: int
    files: int
    size: int


def held_open(dirs: list[Path], proc: Path = Path("/proc")) -> list[HeldOpen]:
    """Processes holding files of the (removed) ``dirs`` open, read from ``/proc/*/fd``.

    Only the processes this user may inspect are seen; [] where there is no ``/proc``.
    """
    prefixes = tuple(f"{d}{os.sep}" for d in dirs)
    found = []
    for fd_dir in proc.glob("[0-9]*/fd") if prefixes and proc.is_dir() else []:
        files = size = 0
        with contextlib.suppress(OSError):
            for fd in fd_dir.iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd).startswith(prefixes):
                        files += 1
                        size += os.stat(fd).st_blocks * 512
        if files:
            found.append(HeldOpen(int(fd_dir.parent.name), files, size))
    return found
