"""One chat turn for the app: the adapter over the event stream and the record it leaves.

:func:`turn_events` is the only place that decides who answers (the agent when it
can be imported and a model is configured, else the offline turn); everything else
consumes :mod:`skillcheck.events`. :class:`TurnRecord` folds those events into the
message kept in ``st.session_state``, so a rerun renders the turn from history
(citations, tool steps and tool artifacts included), never from the run that made it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from skillcheck.chat import offline_turn
from skillcheck.config import Settings
from skillcheck.errors import SkillcheckError
from skillcheck.events import Citations, Done, Error, Event, Notice, Token, ToolResult, ToolStart
from skillcheck.retrieval import Retriever

STEP_LABELS = {
    "search_sources": "Searching the sources",
    "assess_eligibility": "Checking eligibility",
    "lookup_title": "Looking up the job title",
}
FALLBACK = "fallback"


def new_id() -> str:
    """A short id for a message (anchors of its sources are named after it)."""
    return uuid.uuid4().hex[:10]


def mode_label(settings: Settings) -> str:
    """What answers: "offline" or the configured model's name."""
    if not settings.llm_configured:
        return "offline (quotes from the sources, no language model)"
    where = f" at {settings.openai_base_url}" if settings.openai_base_url else ""
    return f"model {settings.model}{where}"


def make_assistant(settings: Settings, retriever: Retriever) -> Any | None:
    """The agent, when its module is present and a model is configured; else None."""
    if not settings.llm_configured:
        return None
    try:
        from skillcheck.agent import Assistant
    except ImportError:
        return None
    return Assistant(settings, retriever)


def _history(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [
        {"role": str(m["role"]), "content": str(m.get("content", ""))}
        for m in messages
        if m.get("kind", "text") == "text" and m.get("content")
    ]


def turn_events(
    assistant: Any | None,
    retriever: Retriever,
    question: str,
    messages: list[dict[str, Any]],
    top_k: int,
) -> Iterator[Event]:
    """THE adapter: the events of one turn, from the agent or the offline turn.

    A model that fails (raises) is replaced by the offline answer, announced by a
    ``Notice`` of kind ``"fallback"``; an input error is an ``Error`` event.
    """
    try:
        if assistant is None:
            yield from offline_turn(retriever, question, top_k)
            return
        try:
            yield from assistant.stream(question, _history(messages), top_k=top_k)
        except SkillcheckError:
            raise
        except Exception as exc:  # the model or its client failed: answer offline
            notice = Notice(
                FALLBACK,
                f"The language model failed ({exc.__class__.__name__}); "
                "this is the offline answer, quoted from the sources.",
            )
            yield notice
            yield from offline_turn(retriever, question, top_k, notices=[notice])
    except SkillcheckError as exc:
        yield Error(str(exc))
        yield Done(answer="", mode="offline")


@dataclass
class TurnRecord:
    """The assistant message a turn leaves in the history, built event by event."""

    id: str = field(default_factory=new_id)
    text: str = ""
    mode: str = "offline"
    steps: list[dict[str, Any]] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)
    notices: list[dict[str, str]] = field(default_factory=list)
    eligibility: dict[str, Any] | None = None
    needs_form: bool = False
    error: str | None = None
    done: bool = False

    def apply(self, event: Event) -> None:
        """Fold one event into the record."""
        if isinstance(event, Token):
            self.text += event.text
        elif isinstance(event, ToolStart):
            self.steps.append(
                {
                    "name": event.name,
                    "label": STEP_LABELS.get(event.name, event.name),
                    "args": dict(event.args),
                    "done": False,
                    "error": None,
                }
            )
        elif isinstance(event, ToolResult):
            self._tool_result(event)
        elif isinstance(event, Notice):
            self._notice(event)
        elif isinstance(event, Citations):
            self.citations = list(event.citations)
        elif isinstance(event, Error):
            self.error = event.message
        elif isinstance(event, Done):
            self._done(event)

    def _tool_result(self, event: ToolResult) -> None:
        step = next(
            (s for s in reversed(self.steps) if s["name"] == event.name and not s["done"]), None
        )
        if step is not None:
            step["done"] = True
            step["error"] = event.error
        if event.name == "assess_eligibility" and event.error is None:
            artifact = event.artifact
            if isinstance(artifact, dict):
                payload = step["args"] if step else {}
                self.eligibility = {"input": payload.get("profile", payload), "result": artifact}

    def _notice(self, event: Notice) -> None:
        if event.kind == FALLBACK:
            self.text = ""  # what the failed model said is replaced by the offline answer
        entry = {"kind": event.kind, "text": event.text}
        if entry not in self.notices:
            self.notices.append(entry)

    def _done(self, event: Done) -> None:
        self.done = True
        self.text = event.answer or self.text
        self.mode = event.mode
        if event.citations:
            self.citations = list(event.citations)
        for notice in event.notices:
            self._notice_quiet(notice)
        if event.eligibility is not None:
            current = self.eligibility or {"input": {}}
            self.eligibility = {"input": current.get("input", {}), "result": event.eligibility}
        self.needs_form = event.needs_eligibility_form
        for step in self.steps:
            step["done"] = True

    def _notice_quiet(self, notice: Notice) -> None:
        entry = {"kind": notice.kind, "text": notice.text}
        if entry not in self.notices:
            self.notices.append(entry)

    def to_message(self, latency: float | None = None) -> dict[str, Any]:
        """The message as stored in ``st.session_state["messages"]``."""
        return {
            "id": self.id,
            "role": "assistant",
            "kind": "text",
            "content": self.text,
            "mode": self.mode,
            "steps": self.steps,
            "citations": self.citations,
            "notices": self.notices,
            "eligibility": self.eligibility,
            "needs_form": self.needs_form,
            "error": self.error,
            "latency": latency,
        }


def user_message(text: str) -> dict[str, Any]:
    """A user's question as stored in the history."""
    return {"id": new_id(), "role": "user", "kind": "text", "content": text}
