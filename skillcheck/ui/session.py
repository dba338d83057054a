"""One chat turn for the app: the typed record a turn's events leave, kept as JSON in the session.

The app holds one :class:`~skillcheck.assistant.Assistant` (who answers is decided
there). :class:`TurnRecord` folds the turn's events into a typed record; what goes
into ``st.session_state`` is its JSON (:meth:`TurnRecord.to_message`), and every
rerun renders the turn from that record (:meth:`TurnRecord.from_message`), never
from the run that made it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from skillcheck.events import (
    Citations,
    Done,
    EligibilityRun,
    Error,
    Event,
    Notice,
    Token,
    ToolResult,
    ToolStart,
)
from skillcheck.passages import Passage

STEP_LABELS = {
    "search_sources": "Searching the sources",
    "assess_eligibility": "Checking eligibility",
    "lookup_title": "Looking up the job title",
}
FALLBACK = "fallback"


def new_id() -> str:
    """A short id for a message (anchors of its sources are named after it)."""
    return uuid.uuid4().hex[:10]


@dataclass
class Step:
    """A tool step of a turn, as shown above the answer."""

    name: str
    args: dict[str, Any]
    done: bool = False
    error: str | None = None

    @property
    def label(self) -> str:
        """The step's label in words."""
        return STEP_LABELS.get(self.name, self.name)


@dataclass
class TurnRecord:
    """The assistant message a turn leaves in the history, built event by event."""

    id: str = field(default_factory=new_id)
    text: str = ""
    mode: str = "offline"
    steps: list[Step] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    eligibility: EligibilityRun | None = None
    needs_form: bool = False
    profile: dict[str, Any] | None = None
    suggestions: list[str] = field(default_factory=list)
    error: str | None = None
    done: bool = False
    latency: float | None = None

    def apply(self, event: Event) -> None:
        """Fold one event into the record."""
        if isinstance(event, Token):
            self.text += event.text
        elif isinstance(event, ToolStart):
            self.steps.append(Step(event.name, dict(event.args)))
        elif isinstance(event, ToolResult):
            self._tool_result(event)
        elif isinstance(event, Notice):
            self._notice(event)
        elif isinstance(event, Citations):
            self.passages = list(event.passages)
        elif isinstance(event, Error):
            self.error = event.message
        elif isinstance(event, Done):
            self._done(event)

    def _tool_result(self, event: ToolResult) -> None:
        step = next((s for s in reversed(self.steps) if s.name == event.name and not s.done), None)
        if step is not None:
            step.done = True
            step.error = event.error
        if isinstance(event.artifact, EligibilityRun) and event.error is None:
            self.eligibility = event.artifact

    def _notice(self, event: Notice) -> None:
        if event in self.notices:
            return  # the offline turn repeats its notices at its end: its text stays
        if event.kind == FALLBACK:
            self.text = ""  # what the failed model said is replaced by the offline answer
        self.notices.append(event)

    def _done(self, event: Done) -> None:
        self.done = True
        self.text = event.answer or self.text
        self.mode = event.mode
        if event.passages:
            self.passages = list(event.passages)
        for notice in event.notices:
            if notice not in self.notices:
                self.notices.append(notice)
        if event.eligibility is not None:
            self.eligibility = event.eligibility
        self.needs_form = event.needs_eligibility_form
        self.profile = event.profile
        self.suggestions = list(event.suggestions)
        for step in self.steps:
            step.done = True

    def to_message(self, latency: float | None = None) -> dict[str, Any]:
        """The message as kept in ``st.session_state["messages"]`` (JSON)."""
        return {
            "id": self.id,
            "role": "assistant",
            "kind": "text",
            "content": self.text,
            "mode": self.mode,
            "steps": [
                {"name": s.name, "args": s.args, "done": s.done, "error": s.error}
                for s in self.steps
            ],
            "citations": [p.to_json() for p in self.passages],
            "notices": [{"kind": n.kind, "text": n.text} for n in self.notices],
            "eligibility": self.eligibility.to_json() if self.eligibility else None,
            "needs_form": self.needs_form,
            "profile": self.profile,
            "suggestions": self.suggestions,
            "error": self.error,
            "latency": latency if latency is not None else self.latency,
        }

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> TurnRecord:
        """The record of a stored assistant message (made by :meth:`to_message`)."""
        eligibility = message.get("eligibility")
        run = EligibilityRun.from_json(eligibility) if eligibility else None
        return cls(
            id=str(message["id"]),
            text=str(message.get("content", "")),
            mode=str(message.get("mode", "offline")),
            steps=[
                Step(str(s["name"]), dict(s.get("args") or {}), bool(s.get("done")), s.get("error"))
                for s in message.get("steps") or []
            ],
            passages=[Passage.from_json(c) for c in message.get("citations") or []],
            notices=[Notice(str(n["kind"]), str(n["text"])) for n in message.get("notices") or []],
            eligibility=run,
            needs_form=bool(message.get("needs_form")),
            profile=message.get("profile"),
            suggestions=list(message.get("suggestions") or []),
            error=message.get("error"),
            done=True,
            latency=message.get("latency"),
        )


def user_message(text: str) -> dict[str, Any]:
    """A user's question as kept in the history."""
    return {"id": new_id(), "role": "user", "kind": "text", "content": text}


def history_of(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The conversation's text messages, for the assistant (which reads them as typed)."""
    return [m for m in messages if m.get("kind", "text") == "text" and m.get("content")]
