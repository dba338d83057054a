"""The chat agent: cited answers from the sources, and the engine as a tool.

One turn, with a model configured:

1. a follow-up is rewritten as a standalone question (:mod:`skillcheck.followups`);
2. the sources are searched for it, and the passages handed to the model as the
   result of a ``search_sources`` call, so a plain question takes one model call;
3. the LangChain v1 agent (``create_agent``) answers, and may search again, look up a
   title, or run the eligibility engine;
4. the answer's ``[n]`` markers are checked against the passages of this turn, and its
   claims about eligibility against the engine's outcome.

Without a model (the default), or when the model fails after its bounded retries, the
turn is the offline one (:func:`skillcheck.chat.offline_turn`). Either way the caller
gets the same typed events (:mod:`skillcheck.events`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from uuid import UUID

import openai
from langchain.agents import create_agent
from langchain.agents.middleware import AgentMiddleware, AgentState, hook_config
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    ToolMessage,
)
from langchain_core.outputs import LLMResult
from langchain_core.runnables import RunnableConfig
from langgraph.runtime import Runtime

from skillcheck.answer import is_eligibility_question
from skillcheck.chat import offline_turn
from skillcheck.citations import MarkerFilter, format_passages
from skillcheck.config import Settings
from skillcheck.errors import SkillcheckError
from skillcheck.events import (
    Citations,
    Done,
    Error,
    Event,
    Mode,
    Notice,
    Token,
    ToolResult,
    ToolStart,
)
from skillcheck.followups import (
    clean_history,
    joined_question,
    looks_like_follow_up,
    rewrite_question,
    to_messages,
)
from skillcheck.guard import NO_DETERMINATION, correction, leaks, stated_outcome
from skillcheck.prompts import load_prompt
from skillcheck.retrieval import Retriever, validate_query
from skillcheck.tools import Engine, TurnState, build_tools, default_engine

log = logging.getLogger(__name__)

MAX_MODEL_CALLS = 6  # per turn: the agent loop's bound
MAX_TOOL_ERRORS = 2  # a bad tool call is answered once; the second ends the turn
RECURSION_LIMIT = 6 * (MAX_MODEL_CALLS + 2)  # graph steps; the guard stops first
PRE_SEARCH_ID = "pre_search"

TOOL_ERROR_MESSAGE = (
    "I could not run the eligibility check: the facts sent to it were invalid twice "
    "({detail}). Please enter your qualifications and jobs in the eligibility form "
    "(or `skillcheck assess`), which checks each field."
)
UNSUPPORTED = (
    "This answer cites none of the passages retrieved for it: treat it as unsupported, not as fact."
)
WITHHELD = (
    "I can't share my instructions. I answer questions about the VETASSESS assessment "
    "of Customer Service Manager (ANZSCO 149212) from the ANZSCO and VETASSESS pages."
)


def build_chat_model(settings: Settings) -> BaseChatModel:
    """The OpenAI (or OpenAI-compatible) chat model the settings describe."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=settings.model,
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url,
        timeout=settings.llm_timeout,
        max_retries=settings.llm_max_retries,
        stream_usage=True,
    )


class UsageCounter(BaseCallbackHandler):
    """Counts the model calls of a turn and the tokens they report."""

    def __init__(self) -> None:
        self.llm_calls = 0
        self.input_tokens = 0
        self.output_tokens = 0
        self.total_tokens = 0

    def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[BaseMessage]], **kwargs: Any
    ) -> None:
        self.llm_calls += 1

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        for generations in response.generations:
            for generation in generations:
                usage = getattr(getattr(generation, "message", None), "usage_metadata", None)
                if usage:
                    self.input_tokens += int(usage.get("input_tokens", 0))
                    self.output_tokens += int(usage.get("output_tokens", 0))
                    self.total_tokens += int(usage.get("total_tokens", 0))

    def as_dict(self) -> dict[str, int]:
        """The ``usage`` record of ``skillcheck ask --json``."""
        return {
            "llm_calls": self.llm_calls,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "total_tokens": self.total_tokens,
        }


def _turn_messages(messages: list[Any]) -> list[Any]:
    """The messages since the turn's question (the last human message)."""
    for i in range(len(messages) - 1, -1, -1):
        if isinstance(messages[i], HumanMessage):
            return messages[i:]
    return messages


class TurnGuard(AgentMiddleware[AgentState[Any], Any]):
    """Bounds the loop: at most ``MAX_MODEL_CALLS`` calls, and one retry of a bad tool call.

    A tool call whose arguments are not even JSON (``invalid_tool_calls``) is answered
    with the parse error, like a tool's validation error, so the model can correct it.
    """

    def __init__(self, turn: TurnState) -> None:
        super().__init__()
        self.turn = turn
        self.calls = 0
        self.stopped: str | None = None

    @hook_config(can_jump_to=["end"])
    def before_model(self, state: AgentState[Any], runtime: Runtime[Any]) -> dict[str, Any] | None:
        errors = [
            str(m.content)
            for m in _turn_messages(list(state["messages"]))
            if isinstance(m, ToolMessage) and m.status == "error"
        ]
        self.turn.tool_errors = errors
        if len(errors) >= MAX_TOOL_ERRORS:
            self.stopped = "tool_errors"
            return {"jump_to": "end"}
        if self.calls >= MAX_MODEL_CALLS:
            self.stopped = "model_calls"
            return {"jump_to": "end"}
        self.calls += 1
        return None

    @hook_config(can_jump_to=["model"])
    def after_model(self, state: AgentState[Any], runtime: Runtime[Any]) -> dict[str, Any] | None:
        last = state["messages"][-1]
        if not isinstance(last, AIMessage) or not last.invalid_tool_calls:
            return None
        replies = []
        for bad in last.invalid_tool_calls:
            name = bad.get("name") or "unknown"
            replies.append(
                ToolMessage(
                    f"Error: the arguments of {name} are not valid JSON "
                    f"({bad.get('error') or 'unparseable'}). Call it again with valid "
                    "JSON arguments that follow its schema.",
                    tool_call_id=bad.get("id") or "invalid",
                    name=name,
                    status="error",
                )
            )
        update: dict[str, Any] = {"messages": replies}
        if not last.tool_calls:
            update["jump_to"] = "model"
        return update


def failure_reason(exc: BaseException) -> str:
    """What went wrong with the model, safe to show: never the error's own message."""
    if isinstance(exc, openai.APITimeoutError):
        return "the request timed out"
    if isinstance(exc, openai.RateLimitError):
        return "rate limited (HTTP 429)"
    if isinstance(exc, openai.AuthenticationError):
        return "the API key was rejected (HTTP 401)"
    if isinstance(exc, openai.APIStatusError):
        return f"server error (HTTP {exc.status_code})"
    if isinstance(exc, openai.APIConnectionError):
        return "could not connect to the model server"
    return f"unexpected error ({type(exc).__name__})"


class Assistant:
    """Answers questions, one turn at a time, as a stream of typed events.

    ``model`` is any LangChain chat model (tests inject fakes); without one, the
    settings' model is used when configured, else every turn is offline.
    """

    def __init__(
        self,
        settings: Settings,
        retriever: Retriever,
        model: BaseChatModel | None = None,
        *,
        engine: Engine | None = None,
        offline: bool = False,
    ) -> None:
        self.settings = settings
        self.retriever = retriever
        self.top_k = settings.top_k
        self._engine = engine
        if model is None and settings.llm_configured and not offline:
            model = build_chat_model(settings)
        self.model = None if offline else model
        self._secret = (
            settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        )

    @property
    def mode(self) -> str:
        """``llm`` when a model answers, else ``offline``."""
        return "offline" if self.model is None else "llm"

    @property
    def engine(self) -> Engine:
        """The eligibility engine (loaded on first use)."""
        if self._engine is None:
            self._engine = default_engine()
        return self._engine

    def stream(
        self,
        question: str,
        history: list[dict[str, Any]] | None = None,
        top_k: int | None = None,
    ) -> Iterator[Event]:
        """The events of one turn: tokens, tool steps, notices, citations, then ``Done``.

        ``history`` is the conversation so far (``{"role", "content"}`` dicts, user and
        assistant only); ``top_k`` overrides the settings' number of passages.
        """
        k = self.top_k if top_k is None else top_k
        for event in self._stream(question, clean_history(history), k):
            yield self._scrub(event)

    def _stream(self, question: str, history: list[dict[str, str]], k: int) -> Iterator[Event]:
        mode: Mode = "offline" if self.model is None else "llm"
        try:
            q = validate_query(question, k)
        except SkillcheckError as exc:
            yield Error(str(exc))
            yield Done(answer="", mode=mode)
            return
        if self.model is None:
            yield from self._offline(joined_question(q, history), k, [], {})
            return
        yield from self._llm_turn(self.model, q, history, k)

    def _offline(
        self, query: str, k: int, notices: list[Notice], usage: dict[str, int]
    ) -> Iterator[Event]:
        try:
            for event in offline_turn(self.retriever, query, k, notices):
                yield replace(event, usage=usage) if isinstance(event, Done) else event
        except SkillcheckError as exc:
            yield Error(str(exc))
            yield Done(answer="", mode="offline", notices=notices, usage=usage)

    def _llm_turn(
        self, model: BaseChatModel, q: str, history: list[dict[str, str]], k: int
    ) -> Iterator[Event]:
        usage = UsageCounter()
        config: RunnableConfig = {"callbacks": [usage], "recursion_limit": RECURSION_LIMIT}
        turn = TurnState()
        standalone = q
        tokens: list[str] = []
        marker_filter = MarkerFilter(turn.registry.numbers)
        guard = TurnGuard(turn)
        try:
            if looks_like_follow_up(q, history):
                prompt = load_prompt("followup", self.settings.prompts_dir)
                standalone = rewrite_question(model, prompt, q, history, config)
            yield ToolStart("search_sources", {"query": standalone, "k": k})
            found = turn.registry.add(self.retriever.search(standalone, k))
            yield ToolResult("search_sources", found)
            graph = create_agent(
                model,
                build_tools(self.retriever, self.engine, turn, k, self.settings.prompts_dir),
                system_prompt=self._system_prompt(),
                middleware=[guard],
            )
            messages = [
                *to_messages(history),
                HumanMessage(q),
                AIMessage(
                    "",
                    tool_calls=[
                        {
                            "name": "search_sources",
                            "args": {"query": standalone},
                            "id": PRE_SEARCH_ID,
                            "type": "tool_call",
                        }
                    ],
                ),
                ToolMessage(
                    format_passages(found),
                    tool_call_id=PRE_SEARCH_ID,
                    name="search_sources",
                    artifact=found,
                ),
            ]
            for event in self._run_graph(graph, messages, config, marker_filter, turn):
                if isinstance(event, Token):
                    tokens.append(event.text)
                yield event
        except SkillcheckError as exc:
            yield Error(str(exc))
            yield Done(answer="", mode="llm", usage=usage.as_dict())
            return
        except Exception as exc:  # the model failed after its retries: answer offline
            reason = failure_reason(exc)
            log.warning("model call failed, answering offline: %s", reason)
            retried = isinstance(exc, openai.APITimeoutError | openai.APIConnectionError) or (
                isinstance(exc, openai.APIStatusError)
                and (exc.status_code == 429 or exc.status_code >= 500)
            )
            tries = f", after {self.settings.llm_max_retries} retries" if retried else ""
            notice = Notice(
                "fallback",
                f"The language model could not answer ({reason}{tries}): this is the "
                "offline answer, quoted from the sources.",
            )
            yield from self._offline(standalone, k, [notice], usage.as_dict())
            return
        yield from self._finish(q, "".join(tokens), turn, guard.stopped, usage, marker_filter)

    def _run_graph(
        self,
        graph: Any,
        messages: list[BaseMessage],
        config: RunnableConfig,
        marker_filter: MarkerFilter,
        turn: TurnState,
    ) -> Iterator[Event]:
        stream = graph.stream(
            {"messages": messages}, config=config, stream_mode=["messages", "updates"]
        )
        for stream_mode, payload in stream:
            marker_filter.allowed = turn.registry.numbers
            if stream_mode == "messages":
                chunk, meta = payload
                if meta.get("langgraph_node") == "model" and isinstance(
                    chunk, AIMessageChunk | AIMessage
                ):
                    text = marker_filter.feed(str(chunk.text))
                    if text:
                        yield Token(text)
                continue
            for node, update in payload.items():
                if not isinstance(update, dict):
                    continue
                for message in update.get("messages", []):
                    if node == "model" and isinstance(message, AIMessage):
                        rest = marker_filter.flush()
                        if rest:
                            yield Token(rest)
                        for call in message.tool_calls:
                            yield ToolStart(call["name"], dict(call["args"]))
                    elif isinstance(message, ToolMessage) and node == "tools":
                        error = str(message.content) if message.status == "error" else None
                        yield ToolResult(message.name or "", message.artifact, error=error)
        rest = marker_filter.flush()
        if rest:
            yield Token(rest)

    def _finish(
        self,
        q: str,
        answer: str,
        turn: TurnState,
        stopped: str | None,
        usage: UsageCounter,
        marker_filter: MarkerFilter,
    ) -> Iterator[Event]:
        notices: list[Notice] = []
        kept = set(marker_filter.kept)
        needs_form = is_eligibility_question(q) and turn.eligibility is None
        extra: list[str] = []
        if stopped == "tool_errors":
            detail = turn.tool_errors[-1][:300] if turn.tool_errors else "unknown error"
            extra.append(TOOL_ERROR_MESSAGE.format(detail=detail.rstrip(".")))
            notices.append(Notice("tool_error", "The eligibility check's input was invalid twice."))
            needs_form = True
        elif stopped == "model_calls":
            notices.append(Notice("limit", f"Stopped after {MAX_MODEL_CALLS} model calls."))
        if leaks(answer, self._system_prompt()):
            notices.append(
                Notice(
                    "withheld", "The answer repeated the assistant's instructions; it was withheld."
                )
            )
            answer, kept = WITHHELD, set()
        if marker_filter.removed:
            answer = re.sub(r"[ \t]+(?=[.,;:])", "", answer)
            removed = ", ".join(f"[{n}]" for n in dict.fromkeys(marker_filter.removed))
            notices.append(
                Notice(
                    "citations",
                    f"Removed citation markers that point to no passage retrieved for this "
                    f"answer: {removed}.",
                )
            )
        if not kept and not extra:
            notices.append(Notice("unsupported", UNSUPPORTED))
        stated = stated_outcome(answer)
        if turn.eligibility is not None:
            fix = correction(str(turn.eligibility.get("outcome")), stated)
            if fix:
                extra.append(fix)
                notices.append(Notice("correction", fix))
        elif stated is not None:
            extra.append(NO_DETERMINATION)
            notices.append(Notice("correction", NO_DETERMINATION))
            needs_form = True
        for text in extra:
            piece = ("\n\n" if answer else "") + text
            answer += piece
            yield Token(piece)
        yield from notices
        citations = turn.registry.citations
        yield Citations(citations)
        yield Done(
            answer=answer,
            mode="llm",
            citations=citations,
            eligibility=turn.eligibility,
            notices=notices,
            usage=usage.as_dict(),
            needs_eligibility_form=needs_form,
        )

    def _system_prompt(self) -> str:
        return load_prompt("system", self.settings.prompts_dir).text

    def _scrub(self, event: Event) -> Event:
        """The event with the API key masked wherever it might appear (it never should)."""
        secret = self._secret
        if not secret or secret not in repr(event):
            return event
        changes: dict[str, Any] = {
            name: value.replace(secret, "***")
            for name, value in vars(event).items()
            if isinstance(value, str)
        }
        if isinstance(event, Done):
            changes["notices"] = [
                Notice(n.kind, n.text.replace(secret, "***")) for n in event.notices
            ]
        return replace(event, **changes)
