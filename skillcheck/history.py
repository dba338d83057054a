"""The conversation so far, as typed messages, and the offline reading of a follow-up.

"And what if I only worked part-time?" means nothing to a retriever on its own. Offline,
a question that looks like a follow-up is joined to the previous question (enough for
retrieval); with a model, :mod:`skillcheck.followups` asks the model to rewrite it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

MAX_HISTORY = 8  # messages of history kept for a turn
MAX_HISTORY_CHARS = 4000  # per message
_FOLLOW_UP = re.compile(
    r"^\s*(and|but|or|so|also|then|what about|how about|what if|and if|same)\b"
    r"|\b(it|that|this|those|these|they|them|there|such|instead|then)\b",
    re.IGNORECASE,
)

Role = Literal["user", "assistant"]


@dataclass(frozen=True)
class Message:
    """One message of the conversation: who said it and what."""

    role: Role
    content: str


def clean_history(history: Iterable[Message | dict[str, Any]] | None) -> list[Message]:
    """The last user and assistant messages with text (other roles dropped, long ones cut).

    Dicts (``{"role", "content"}``, as the app keeps them in its session state) are
    read at this edge and become :class:`Message`.
    """
    out: list[Message] = []
    for item in history or []:
        role: object
        content: object
        if isinstance(item, Message):
            role, content = item.role, item.content
        else:
            role, content = item.get("role"), item.get("content")
        if role in ("user", "assistant") and isinstance(content, str) and content.strip():
            out.append(
                Message("user" if role == "user" else "assistant", content[:MAX_HISTORY_CHARS])
            )
    return out[-MAX_HISTORY:]


def last_question(history: list[Message]) -> str | None:
    """The user's previous question, if any."""
    users = [m.content for m in history if m.role == "user"]
    return users[-1] if users else None


def looks_like_follow_up(question: str, history: list[Message]) -> bool:
    """True when there is a previous question and this one seems to lean on it."""
    if last_question(history) is None:
        return False
    return len(question.split()) <= 8 or bool(_FOLLOW_UP.search(question))


def joined_question(question: str, history: list[Message]) -> str:
    """The offline rewrite: the previous question, then the follow-up."""
    previous = last_question(history)
    if previous is None or not looks_like_follow_up(question, history):
        return question
    return f"{previous.strip()[:500]} {question}"
