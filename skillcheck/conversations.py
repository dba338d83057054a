"""Saved conversations and answer feedback, kept on this machine under ``SKILLCHECK_HOME``.

A conversation is one JSON file, ``conversations/<id>.json``: its messages exactly as
the app keeps them (the JSON of :meth:`skillcheck.ui.session.TurnRecord.to_message`),
a title (its first question) and when it was last changed. The id comes from the
app's URL, so it is checked against :data:`ID_PATTERN` before it names a file; an id
that does not match is treated as no conversation at all. Writes go to a temporary
file first and are renamed into place, so a reader never sees half a file.

Retention: at most :data:`KEEP_CONVERSATIONS` conversations are kept, and none older
than :data:`KEEP_DAYS` days; the oldest go first, after every save.

Feedback (thumbs up or down, an optional comment) is kept apart from the
conversation, one file per rated answer under ``feedback/``, with the whole turn it
rates (question, answer, sources, the engine's result), so it outlives the
conversation's retention. ``skillcheck feedback export`` writes it out as JSON lines.
At most :data:`KEEP_FEEDBACK` entries are kept.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ID_PATTERN = re.compile(r"^[0-9a-f]{16}$")
KEEP_CONVERSATIONS = 50
KEEP_DAYS = 30
KEEP_FEEDBACK = 5000
TITLE_CHARS = 60
RATINGS = ("up", "down")


def new_conversation_id() -> str:
    """A fresh, unguessable conversation id (16 hex digits)."""
    return secrets.token_hex(8)


def valid_id(value: object) -> bool:
    """True when ``value`` can name a conversation (or a message) file."""
    return isinstance(value, str) and bool(ID_PATTERN.match(value))


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # missing, half-written by another tool, or not ours: no conversation


@dataclass
class Conversation:
    """One conversation: its id, title, messages (app JSON) and last change (epoch seconds)."""

    id: str
    messages: list[dict[str, Any]] = field(default_factory=list)
    title: str = ""
    updated: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The conversation as stored."""
        return {
            "id": self.id,
            "title": self.title,
            "updated": self.updated,
            "messages": self.messages,
        }


@dataclass(frozen=True)
class Summary:
    """A conversation as the list of past chats shows it."""

    id: str
    title: str
    updated: float


def title_of(messages: list[dict[str, Any]]) -> str:
    """The conversation's title: its first question, cut to :data:`TITLE_CHARS`."""
    for m in messages:
        if m.get("role") == "user" and str(m.get("content") or "").strip():
            text = " ".join(str(m["content"]).split())
            return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1] + "…"
    for m in messages:
        if m.get("kind") in ("form", "eligibility"):
            return "Eligibility check"
    return "New chat"


class ConversationStore:
    """Conversations and feedback under ``root`` (the app passes ``SKILLCHECK_HOME``)."""

    def __init__(
        self,
        root: Path,
        *,
        keep: int = KEEP_CONVERSATIONS,
        keep_days: float = KEEP_DAYS,
        keep_feedback: int = KEEP_FEEDBACK,
    ) -> None:
        self.dir = root / "conversations"
        self.feedback_dir = root / "feedback"
        self.keep = keep
        self.keep_seconds = keep_days * 86400
        self.keep_feedback = keep_feedback

    def _path(self, conversation_id: str) -> Path:
        if not valid_id(conversation_id):
            raise ValueError(f"not a conversation id: {conversation_id!r}")
        return self.dir / f"{conversation_id}.json"

    def load(self, conversation_id: str) -> Conversation | None:
        """The stored conversation, or None (unknown, expired, unreadable or a bad id)."""
        if not valid_id(conversation_id):
            return None
        data = _read_json(self._path(conversation_id))
        if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
            return None
        return Conversation(
            id=conversation_id,
            messages=[m for m in data["messages"] if isinstance(m, dict)],
            title=str(data.get("title") or ""),
            updated=float(data.get("updated") or 0.0),
        )

    def save(self, conversation: Conversation, *, now: float | None = None) -> None:
        """Store ``conversation`` (an empty one is not stored), then apply the retention."""
        if not conversation.messages:
            return
        conversation.updated = time.time() if now is None else now
        conversation.title = title_of(conversation.messages)
        _write_json(self._path(conversation.id), conversation.to_json())
        self.prune(now=conversation.updated)

    def delete(self, conversation_id: str) -> None:
        """Forget one conversation (no error if it is not there)."""
        if valid_id(conversation_id):
            self._path(conversation_id).unlink(missing_ok=True)

    def list(self) -> list[Summary]:
        """Every stored conversation, the most recent first."""
        out = []
        for path in self.dir.glob("*.json"):
            data = _read_json(path)
            if isinstance(data, dict) and valid_id(path.stem):
                out.append(
                    Summary(
                        path.stem, str(data.get("title") or ""), float(data.get("updated") or 0)
                    )
                )
        return sorted(out, key=lambda s: s.updated, reverse=True)

    def prune(self, *, now: float | None = None) -> int:
        """Drop conversations past the retention limits; how many were dropped."""
        now = time.time() if now is None else now
        dropped = 0
        for i, summary in enumerate(self.list()):
            if i >= self.keep or now - summary.updated > self.keep_seconds:
                self.delete(summary.id)
                dropped += 1
        return dropped

    # --- feedback ---------------------------------------------------------------------

    def _feedback_path(self, conversation_id: str, message_id: str) -> Path:
        if not (valid_id(conversation_id) and re.fullmatch(r"[0-9a-f]{10}", message_id)):
            raise ValueError("feedback needs a conversation id and a message id")
        return self.feedback_dir / f"{conversation_id}-{message_id}.json"

    def save_feedback(
        self,
        conversation_id: str,
        turn: dict[str, Any],
        rating: str,
        comment: str = "",
        *,
        now: float | None = None,
    ) -> dict[str, Any]:
        """Store (or replace) the feedback on one answer, with the turn it rates; the entry."""
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}, not {rating!r}")
        message_id = str(turn.get("message_id") or "")
        entry = {
            "conversation": conversation_id,
            "message": message_id,
            "rating": rating,
            "comment": comment.strip()[:2000],
            "at": time.time() if now is None else now,
            "question": turn.get("question", ""),
            "answer": turn.get("answer", ""),
            "sources": turn.get("sources", []),
            "eligibility": turn.get("eligibility"),
            "mode": turn.get("mode"),
        }
        _write_json(self._feedback_path(conversation_id, message_id), entry)
        self._prune_feedback()
        return entry

    def feedback_of(self, conversation_id: str, message_id: str) -> dict[str, Any] | None:
        """The feedback stored on one answer, if any."""
        try:
            path = self._feedback_path(conversation_id, message_id)
        except ValueError:
            return None
        data = _read_json(path)
        return data if isinstance(data, dict) else None

    def feedback(self) -> Iterator[dict[str, Any]]:
        """Every feedback entry, the oldest first."""
        entries = [
            data
            for path in self.feedback_dir.glob("*.json")
            if isinstance(data := _read_json(path), dict)
        ]
        yield from sorted(entries, key=lambda e: float(e.get("at") or 0))

    def _prune_feedback(self) -> None:
        paths = sorted(self.feedback_dir.glob("*.json"), key=lambda p: p.stat().st_mtime)
        for path in paths[: max(0, len(paths) - self.keep_feedback)]:
            path.unlink(missing_ok=True)


def turn_for_feedback(messages: list[dict[str, Any]], message_id: str) -> dict[str, Any]:
    """The rated turn: the answer ``message_id``, the question before it, its sources and result."""
    for i, m in enumerate(messages):
        if m.get("id") != message_id:
            continue
        question = next(
            (
                str(p.get("content") or "")
                for p in reversed(messages[:i])
                if p.get("role") == "user"
            ),
            "",
        )
        return {
            "message_id": message_id,
            "question": question,
            "answer": str(m.get("content") or ""),
            "sources": [
                {k: c.get(k) for k in ("n", "source", "title", "section", "text", "url")}
                for c in m.get("citations") or []
                if isinstance(c, dict)
            ],
            "eligibility": m.get("eligibility"),
            "mode": m.get("mode"),
        }
    raise KeyError(f"no message {message_id!r} in the conversation")
