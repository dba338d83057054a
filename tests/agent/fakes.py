"""Test doubles: a scripted chat model that can call tools (the engine is always the real one)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field


class ScriptedModel(FakeMessagesListChatModel):
    """Answers with ``responses`` in order (never cycling) and records what it was sent.

    Each reply ends with the ``finish_reason`` a server would send ("tool_calls" or
    "stop") unless its ``response_metadata`` already names one.
    """

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
        message = self._next(messages)
        if isinstance(message, AIMessage):
            message = message.model_copy(
                update={"response_metadata": {**_finish(message), **message.response_metadata}}
            )
        return ChatResult(generations=[ChatGeneration(message=message)])

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
                response_metadata={**_finish(response), **response.response_metadata}
                if last
                else {},
            )
            if run_manager and piece:
                run_manager.on_llm_new_token(piece, chunk=ChatGenerationChunk(message=chunk))
            yield ChatGenerationChunk(message=chunk)


def _finish(message: AIMessage) -> dict[str, Any]:
    return {"finish_reason": "tool_calls" if message.tool_calls else "stop"}


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


class FailingModel(ScriptedModel):
    """Streams ``text``, then fails as a dropped connection would."""

    text: str = ""

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        yield ChatGenerationChunk(message=AIMessageChunk(content=self.text))
        raise RuntimeError("connection reset")


def scripted_assistant(model: ScriptedModel) -> Any:
    """A stand-in for the app's cached ``get_assistant`` whose assistant uses ``model``."""
    from skillcheck.assistant import Assistant

    def get_assistant(settings: Any, retriever: Any, offline: bool) -> Assistant:
        return Assistant(settings, retriever, model, offline=offline)

    get_assistant.clear = lambda: None  # type: ignore[attr-defined]
    return get_assistant
