"""Disk space back from dropped builds of a local Chroma store.

chromadb 1.5's ``PersistentClient`` keeps each collection's vector index in a
directory named after its vector segment's id (``<store>/<segment uuid>/``, listed in
the ``segments`` table of ``<store>/chroma.sqlite3``), and ``delete_collection``
removes the rows but leaves the directory (chroma-core/chroma#5520; its ``chroma
vacuum`` compacts the SQLite file only). So every rebuild left an orphan directory.
After a build has switched, :func:`remove_orphan_segments` deletes the directories
that belong to no segment. It runs under the build lock, so no build is in progress.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import sqlite3
from pathlib import Path

_SEGMENT_DIR = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def live_segments(store: Path) -> set[str] | None:
    """The ids in the store's ``segments`` table; None when it cannot be read."""
    db = store / "chroma.sqlite3"
    if not db.is_file():
        return None
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)) as con:
            return {str(row[0]) for row in con.execute("SELECT id FROM segments")}
    except sqlite3.Error:
        return None  # a layout we do not know: leave everything alone


def orphan_segments(store: Path) -> list[Path]:
    """Segment directories of ``store`` that no live segment owns."""
    live = live_segments(store)
    if not live:  # unreadable, or empty: never guess that everything is an orphan
        return []
    return sorted(
        entry
        for entry in store.iterdir()
        if entry.is_dir() and _SEGMENT_DIR.match(entry.name) and entry.name not in live
    )


def remove_orphan_segments(store: Path) -> int:
    """Delete the orphan segment directories of ``store``; how many went."""
    gone = 0
    for entry in orphan_segments(store):
        shutil.rmtree(entry, ignore_errors=True)
        gone += not entry.exists()
    return gone
