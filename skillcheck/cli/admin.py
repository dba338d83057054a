"""``skillcheck admin clean-orphans``: an operator's clean-up of a Chroma data directory.

Run on the host of a ``chroma run`` server (or on a local store), with the server
running or not: it removes the segment directories of dropped builds that Chroma
leaves behind (see :mod:`skillcheck.orphans`), never a live one, and says how much
space came back and how much the server still holds open until it restarts. It reads
no setting: the data directory is ``--path``. A bad path, or a directory that is not a
Chroma store whose live segments can be read, is one line and exit 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from skillcheck.errors import StoreError
from skillcheck.orphans import Cleanup, clean, held_open


def mb(size: int) -> str:
    """Bytes as megabytes with one decimal."""
    return f"{size / 1e6:.1f} MB"


def _shown(path: Path) -> str:
    """A path as printable text (a name that is not UTF-8 keeps its bytes escaped)."""
    return str(path).encode("utf-8", "backslashreplace").decode("utf-8")


def summary(result: Cleanup, dry_run: bool) -> str:
    """The one-line report of a clean-up."""
    count = len(result.orphans) - len(result.failed)
    dirs = f"{count} orphan segment director{'y' if count == 1 else 'ies'}"
    verb = "would remove" if dry_run else "removed"
    return (
        f"{verb} {dirs} ({mb(result.freed)}) from {_shown(result.store)}; "
        f"{result.live} live segments kept"
    )


def run_clean_orphans(args: argparse.Namespace) -> int:
    """Clean ``--path``; the summary on stdout, what is still held open on stderr."""
    store = Path(args.path)
    result = clean(store, dry_run=bool(args.dry_run))
    if not result.live:
        print(f"{_shown(store)}: no live segment is recorded, so nothing was removed")
        return 0
    if args.dry_run:
        for entry in result.orphans:
            print(_shown(entry))
    print(summary(result, bool(args.dry_run)))
    if not args.dry_run:
        for held in held_open(result.orphans):
            if not held.size:
                continue  # emptied before removal: the files it holds take no space
            sys.stderr.write(
                f"note: process {held.pid} (the Chroma server?) still holds {held.files} of the "
                f"removed files open ({mb(held.size)}); that space is freed when it restarts\n"
            )
    if result.failed:
        path, reason = result.failed[0]
        raise StoreError(
            f"{len(result.failed)} orphan directories could not be removed "
            f"(first: {_shown(path)}: {reason}); run this as the user that owns the data"
        )
    return 0
