"""The typed events of a chat turn, streamed to the CLI and the UI.

A turn yields any number of ``Token``, ``ToolStart``, ``ToolResult`` and ``Notice``
events, then ``Citations``, then exactly one ``Done`` (or an ``Error`` and then ``Done``).
Tool results carry the tool's own structured output (``artifact``), so callers show
the engine's result, never a model's retelling of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Mode = Literal["offline", "llm"]


@dataclass(frozen=True)
class Token:
    """A piece of the answer text, in order."""

    text: str


@dataclass(frozen=True)
class ToolStart:
    """A tool is about to run (``search_sources``, ``assess_eligibility``, ``lookup_title``)."""

    name: str
    args: dict[str, Any]


@dataclass(frozen=True)
class ToolResult:
    """A tool's structured result: citations, the engine's result, or a title match."""

    name: str
    artifact: Any
    error: str | None = None


@dataclass(frozen=True)
class Notice:
    """Something the user must see beside the answer (fallback, correction, unsupported)."""

    kind: str
    text: str


@dataclass(frozen=True)
class Citations:
    """The numbered passages the answer's ``[n]`` markers point to."""

    citations: list[dict[str, Any]]


@dataclass(frozen=True)
class Error:
    """The turn failed; the message is safe to show (no secrets, no traceback)."""

    message: str


@dataclass(frozen=True)
class Done:
    """The end of a turn, with everything a caller needs to render or store it."""

    answer: str
    mode: Mode
    citations: list[dict[str, Any]] = field(default_factory=list)
    eligibility: dict[str, Any] | None = None
    notices: list[Notice] = field(default_factory=list)
    usage: dict[str, int] = field(default_factory=dict)
    needs_eligibility_form: bool = False


Event = Token | ToolStart | ToolResult | Notice | Citations | Error | Done
