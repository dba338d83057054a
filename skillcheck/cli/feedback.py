"""``skillcheck feedback export``: the app's thumbs up/down and comments, as JSON lines.

Each line is one rated answer with the turn it rates (question, answer, sources, the
engine's result), read from ``SKILLCHECK_HOME/feedback/`` (see
:mod:`skillcheck.conversations`), the oldest first.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from skillcheck.config import get_settings
from skillcheck.conversations import ConversationStore
from skillcheck.errors import UserInputError


def _write(out: TextIO, store: ConversationStore, rating: str | None) -> int:
    count = 0
    for entry in store.feedback():
        if rating is None or entry.get("rating") == rating:
            out.write(json.dumps(entry, ensure_ascii=False) + "\n")
            count += 1
    return count


def run_feedback(args: argparse.Namespace) -> int:
    """Export the stored feedback to stdout or ``--output``; a count on stderr."""
    store = ConversationStore(get_settings().home)
    if args.output in (None, "-"):
        count = _write(sys.stdout, store, args.rating)
    else:
        path = Path(args.output)
        if not path.parent.is_dir():
            raise UserInputError(f"--output: the folder {path.parent} does not exist")
        with path.open("w", encoding="utf-8") as out:
            count = _write(out, store, args.rating)
    sys.stderr.write(f"{count} feedback entr{'y' if count == 1 else 'ies'} exported\n")
    return 0
