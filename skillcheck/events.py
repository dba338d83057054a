"""The typed events of a chat turn, streamed to every front end (CLI, REPL, app).

A turn yields any number of ``Token``, ``ToolStart``, ``ToolResult`` and ``Notice``
events, then ``Citations``, then exactly one ``Done`` (or an ``Error`` and then ``Done``).
Tool results carry the tool's own typed output (``artifact``), so callers show the
engine's result, never a model's retelling of it. JSON is made only at the edges
(:meth:`Done.to_json`, the app's session state).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from skillcheck.passages import Passage
from skillcheck.rules import AssessmentResult, TitleMatch

Mode = Literal["offline", "llm"]


@dataclass(frozen=True)
class Usage:
    """The model calls of a turn and the tokens they reported (all zero offline)."""

    llm_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0


@dataclass(frozen=True)
class EligibilityRun:
    """One run of the eligibility engine: the profile it was given and its result."""

    profile: dict[str, Any]
    result: AssessmentResult

    def to_json(self) -> dict[str, Any]:
        """``{"input": ..., "result": ...}``, the engine's own JSON output."""
        return {"input": self.profile, "result": self.result.model_dump(mode="json")}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EligibilityRun:
        """The run :meth:`to_json` wrote, read back (the result validated again)."""
        return cls(dict(data.get("input") or {}), AssessmentResult.model_validate(data["result"]))


@dataclass(frozen=True)
class Token:
    """A piece of the answer text, in order."""

    text: str


@dataclass(frozen=True)
class ToolStart:
    """A tool is about to run (``search_sources``, ``assess_eligibility``, ``lookup_title``).

    ``args`` are the tool's arguments as the caller (or the model) gave them.
    """

    name: str
    args: dict[str, Any]


Artifact = list[Passage] | EligibilityRun | TitleMatch | None


@dataclass(frozen=True)
class ToolResult:
    """A tool's typed result: passages, an engine run, or a title match."""

    name: str
    artifact: Artifact
    error: str | None = None


@dataclass(frozen=True)
class Notice:
    """Something the user must see beside the answer (fallback, correction, unsupported)."""

    kind: str
    text: str


@dataclass(frozen=True)
class Citations:
    """The numbered passages the answer's ``[n]`` markers point to."""

    passages: list[Passage]


@dataclass(frozen=True)
class Error:
    """The turn failed; the message is safe to show (no secrets, no traceback)."""

    message: str


@dataclass(frozen=True)
class Done:
    """The end of a turn, with everything a caller needs to render or store it."""

    answer: str
    mode: Mode
    passages: list[Passage] = field(default_factory=list)
    eligibility: EligibilityRun | None = None
    notices: list[Notice] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    needs_eligibility_form: bool = False
    profile: dict[str, Any] | None = None
    suggestions: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The ``ask --json`` record of the turn."""
        record: dict[str, Any] = {
            "answer": self.answer,
            "mode": self.mode,
            "citations": [p.to_json() for p in self.passages],
            "notices": [n.text for n in self.notices],
            "usage": asdict(self.usage),
        }
        if self.eligibility is not None:
            record["eligibility"] = self.eligibility.result.model_dump(mode="json")
        if self.profile is not None:
            record["profile"] = self.profile
        if self.needs_eligibility_form:
            record["needs_eligibility_form"] = True
        if self.suggestions:
            record["suggestions"] = list(self.suggestions)
        return record


Event = Token | ToolStart | ToolResult | Notice | Citations | Error | Done


class ModelFailure(Exception):
    """The model's turn failed after its retries (raised by the agent, caught by the assistant).

    ``reason`` is safe to show (never the server's own message); ``question`` is the
    standalone question the offline answer should take; ``usage`` what was spent.
    """

    def __init__(self, reason: str, question: str | None = None, usage: Usage | None = None):
        super().__init__(reason)
        self.reason = reason
        self.question = question
        self.usage = usage
