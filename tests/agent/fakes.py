"""Test doubles: a scripted chat model that can call tools, and a small stand-in engine."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any, Literal

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import BaseModel, ConfigDict, Field


class ScriptedModel(FakeMessagesListChatModel):
    """Answers with ``responses`` in order (never cycling) and records what it was sent."""

    seen: list[list[BaseMessage]] = Field(default_factory=list)

    def bind_tools(self, tools: Any, **kwargs: Any) -> ScriptedModel:  # type: ignore[override]
        return self

    def _next(self, messages: list[BaseMessage]) -> BaseMessage:
        if self.i >= len(self.responses):
            raise AssertionError(f"model called {self.i + 1} times, scripted {len(self.responses)}")
        self.seen.append(list(messages))
        response = self.responses[self.i]
        self.i += 1
        return response

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._next(messages))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        response = self._next(messages)
        assert isinstance(response, AIMessage)
        text = str(response.content)
        pieces = [text[i : i + 7] for i in range(0, len(text), 7)] or [""]
        for n, piece in enumerate(pieces):
            last = n == len(pieces) - 1
            chunk = AIMessageChunk(
                content=piece,
                tool_call_chunks=[
                    {
                        "name": c["name"],
                        "args": _json(c["args"]),
                        "id": c["id"],
                        "index": k,
                        "type": "tool_call_chunk",
                    }
                    for k, c in enumerate(response.tool_calls)
                ]
                if last
                else [],
                usage_metadata={"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}
                if last
                else None,
            )
            if run_manager and piece:
                run_manager.on_llm_new_token(piece, chunk=ChatGenerationChunk(message=chunk))
            yield ChatGenerationChunk(message=chunk)


def _json(args: dict[str, Any]) -> str:
    import json

    return json.dumps(args)


def scripted(*responses: BaseMessage) -> ScriptedModel:
    """A fresh scripted model (its own record of calls)."""
    return ScriptedModel(responses=list(responses), seen=[])


def call(name: str, args: dict[str, Any], id_: str = "call_1", text: str = "") -> AIMessage:
    """A model message that calls one tool."""
    return AIMessage(
        text, tool_calls=[{"name": name, "args": args, "id": id_, "type": "tool_call"}]
    )


class _Qualification(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = ""
    level: Literal["certificate_iv", "diploma", "bachelor", "master"]
    field: str = ""
    completed: date | None = None


class _Job(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = ""
    start: date
    end: date | None = None
    hours_per_week: float = Field(ge=0, le=168)
    paid: bool = True
    relevance: Literal["highly_relevant", "relevant", "not_relevant"] | None = None


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")
    occupation: str = "149212"
    application_date: date = date(2026, 11, 22)
    qualifications: list[_Qualification] = []
    employment: list[_Job] = []


class _Result(BaseModel):
    outcome: str
    pathway: int | None
    warnings: list[str] = []
    disclaimer: str = "Not the assessing authority's decision."


class FakeEngine:
    """A stand-in with the engine's API: a diploma or higher and a year of counted work."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def input_schema(self) -> dict[str, Any]:
        return _Input.model_json_schema()

    def assess(self, data: dict[str, Any]) -> _Result:
        self.calls.append(data)
        facts = _Input.model_validate(data)
        if not any(q.level != "certificate_iv" and q.completed for q in facts.qualifications):
            return _Result(outcome="does_not_meet", pathway=None)
        days = sum(
            ((j.end or facts.application_date) - j.start).days
            for j in facts.employment
            if j.paid and j.hours_per_week >= 20 and j.relevance == "highly_relevant"
        )
        if days >= 365:
            return _Result(outcome="meets_criteria", pathway=1)
        return _Result(outcome="does_not_meet", pathway=None)

    def lookup_title(self, title: str) -> dict[str, Any]:
        return {"title": title, "status": "unsuitable" if "retail" in title.lower() else "unknown"}
