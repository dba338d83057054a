"""The model's turn: cited answers from the sources, and the engine as a tool.

Imported only when a model answers (:class:`skillcheck.assistant.Assistant` decides).
One turn:

1. a follow-up is rewritten as a standalone question (:mod:`skillcheck.followups`);
2. the sources are searched for it, and the passages handed to the model as the
   result of a ``search_sources`` call, so a plain question takes one model call;
3. the LangChain v1 agent (``create_agent``) answers, and may search again, look up a
   title, or run the eligibility engine;
4. the answer is released sentence by sentence (:mod:`skillcheck.release`), each one
   checked first: its ``[n]`` markers against the passages of this turn, the API key
   masked, the instructions not repeated, and any sentence about the applicant's own
   outcome replaced by the engine's statement of it.

When the model fails after its bounded retries, :class:`LLMTurn` raises
:class:`~skillcheck.errors.ModelFailure` and the assistant answers offline.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
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

from skillcheck.citing import CitedAnswer, draft_from_history
from skillcheck.config import Settings
from skillcheck.errors import SkillcheckError
from skillcheck.events import (
    Citations,
    Done,
    Error,
    Event,
    ModelFailure,
    Notice,
    Token,
    ToolResult,
    ToolStart,
    Usage,
)
from skillcheck.followups import rewrite_question, to_messages
from skillcheck.guard import NO_DETERMINATION, correction
from skillcheck.history import Message, looks_like_follow_up
from skillcheck.intent import classify
from skillcheck.passages import MarkerFilter, format_passages, markers, with_claim_highlights
from skillcheck.prompts import load_prompt
from skillcheck.release import SentenceRelease
from skillcheck.reply import plan_reply
from skillcheck.retrieval import Retriever
from skillcheck.tools import TurnState, build_tools

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

    def usage(self) -> Usage:
        """The turn's usage so far."""
        return Usage(self.llm_calls, self.input_tokens, self.output_tokens, self.total_tokens)


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


class LLMTurn:
    """One turn with the model: pre-search, the agent loop, the checks on its answer."""

    def __init__(self, settings: Settings, retriever: Retriever, model: BaseChatModel) -> None:
        self.settings = settings
        self.retriever = retriever
        self.model = model

    def turn(self, q: str, history: list[Message], k: int) -> Iterator[Event]:
        """The events of one turn; raises :class:`ModelFailure` when the model fails."""
        yield from self._llm_turn(self.model, q, history, k)

    def _verified(self, question: str, history: list[Message], turn: TurnState) -> str:
        """Our own cited statements for the question, and the facts read from the chat.

        They go to the model as verified context (numbered like the passages); the
        determination itself still comes only from the assess_eligibility tool.
        """
        today = date.today()
        draft = draft_from_history(history, today)
        plan = plan_reply(
            question,
            embedder=self.retriever.embedder,
            today=today,
            draft=draft,
            cache_dir=self.settings.cache_dir,
        )
        cited = CitedAnswer(turn.registry, self.retriever.chunks, self.settings.corpus_dir)
        lines = [f"- {cited.sentences([said])}" for said in plan.lead]
        out = ""
        if lines and plan.kind != "off_topic":
            out += "Verified statements (skillcheck's reading of the sources; cite them):\n"
            out += "\n".join(lines) + "\n\n"
        if plan.draft is not None:
            profile = plan.draft.to_assess_input(today)
            out += f"Facts read from the conversation (today is {today.isoformat()}):\n"
            out += "\n".join(f"- {u}" for u in plan.understood) + "\n"
            out += f"As assess_eligibility input: {json.dumps(profile)}\n"
            if plan.ask:
                out += "Still missing: " + " ".join(plan.ask) + "\n"
            out += "\n"
        return out

    def _llm_turn(
        self, model: BaseChatModel, q: str, history: list[Message], k: int
    ) -> Iterator[Event]:
        usage = UsageCounter()
        config: RunnableConfig = {"callbacks": [usage], "recursion_limit": RECURSION_LIMIT}
        turn = TurnState()
        standalone = q
        marker_filter = MarkerFilter(turn.registry.numbers)
        key = self.settings.openai_api_key
        release = SentenceRelease(
            secret=key.get_secret_value() if key is not None else None,
            instructions=self._system_prompt(),
            engine=lambda: (
                (turn.eligibility.result.outcome, turn.eligibility.result.summary)
                if turn.eligibility is not None
                else None
            ),
            asked=classify(q).kind == "eligibility",
        )
        guard = TurnGuard(turn)
        try:
            if looks_like_follow_up(q, history):
                prompt = load_prompt("followup", self.settings.prompts_dir)
                standalone = rewrite_question(model, prompt, q, history, config)
            yield ToolStart("search_sources", {"query": standalone, "k": k})
            verified = self._verified(standalone, history, turn)
            found = turn.registry.add([h.chunk for h in self.retriever.search(standalone, k)])
            found = turn.registry.passages  # the verified statements' passages come first
            yield ToolResult("search_sources", found)
            graph = create_agent(
                model,
                build_tools(self.retriever, turn, k, self.settings.prompts_dir),
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
                    verified + format_passages(found),
                    tool_call_id=PRE_SEARCH_ID,
                    name="search_sources",
                    artifact=found,
                ),
            ]
            yield from self._run_graph(graph, messages, config, marker_filter, release, turn)
        except SkillcheckError as exc:
            yield Error(str(exc))
            yield Done(answer="", mode="llm", usage=usage.usage())
            return
        except Exception as exc:  # the model failed after its retries: the assistant falls back
            reason = failure_reason(exc)
            retried = isinstance(exc, openai.APITimeoutError | openai.APIConnectionError) or (
                isinstance(exc, openai.APIStatusError)
                and (exc.status_code == 429 or exc.status_code >= 500)
            )
            tries = f", after {self.settings.llm_max_retries} retries" if retried else ""
            raise ModelFailure(f"{reason}{tries}", standalone, usage.usage()) from None
        yield from self._finish(q, release, turn, guard.stopped, usage, marker_filter)

    def _run_graph(
        self,
        graph: Any,
        messages: list[BaseMessage],
        config: RunnableConfig,
        marker_filter: MarkerFilter,
        release: SentenceRelease,
        turn: TurnState,
    ) -> Iterator[Event]:
        """The graph's events; the model's text only as checked sentences."""
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
                    text = release.feed(marker_filter.feed(str(chunk.text)))
                    if text:
                        yield Token(text)
                continue
            for node, update in payload.items():
                if not isinstance(update, dict):
                    continue
                for message in update.get("messages", []):
                    if node == "model" and isinstance(message, AIMessage):
                        rest = release.feed(marker_filter.flush()) + release.flush()
                        if rest:
                            yield Token(rest)
                        for call in message.tool_calls:
                            yield ToolStart(call["name"], dict(call["args"]))
                    elif isinstance(message, ToolMessage) and node == "tools":
                        error = str(message.content) if message.status == "error" else None
                        yield ToolResult(message.name or "", message.artifact, error=error)
        rest = release.feed(marker_filter.flush()) + release.flush()
        if rest:
            yield Token(rest)

    def _finish(
        self,
        q: str,
        release: SentenceRelease,
        turn: TurnState,
        stopped: str | None,
        usage: UsageCounter,
        marker_filter: MarkerFilter,
    ) -> Iterator[Event]:
        notices: list[Notice] = []
        answer = release.released
        needs_form = classify(q).kind == "eligibility" and turn.eligibility is None
        extra: list[str] = []
        if stopped == "tool_errors":
            detail = turn.tool_errors[-1][:300] if turn.tool_errors else "unknown error"
            # "employment[0]" would read as a citation marker: name the item as people count
            detail = re.sub(r"\[(\d+)\]", lambda m: f" {int(m.group(1)) + 1}", detail)
            extra.append(TOOL_ERROR_MESSAGE.format(detail=detail.rstrip(".")))
            notices.append(Notice("tool_error", "The eligibility check's input was invalid twice."))
            needs_form = True
        elif stopped == "model_calls":
            notices.append(Notice("limit", f"Stopped after {MAX_MODEL_CALLS} model calls."))
        if release.withheld:
            notices.append(
                Notice(
                    "withheld", "The answer repeated the assistant's instructions; it was withheld."
                )
            )
            extra.insert(0, WITHHELD)
        if marker_filter.removed:
            removed = ", ".join(f"[{n}]" for n in dict.fromkeys(marker_filter.removed))
            notices.append(
                Notice(
                    "citations",
                    f"Removed citation markers that point to no passage retrieved for this "
                    f"answer: {removed}.",
                )
            )
        kept = set(markers(answer)) & turn.registry.numbers
        if not kept and not extra and (release.passed or not release.replaced):
            notices.append(Notice("unsupported", UNSUPPORTED))
        fixes: list[str] = []
        for replaced in release.replaced:
            if replaced.engine_outcome is None:
                fix: str | None = NO_DETERMINATION
                needs_form = True
            else:
                fix = correction(replaced.engine_outcome, replaced.stated)
            if fix and fix not in fixes:
                fixes.append(fix)
                notices.append(Notice("correction", fix))
        for text in extra:
            piece = ("\n\n" if answer else "") + text
            answer += piece
            yield Token(piece)
        yield from notices
        passages = with_claim_highlights(turn.registry.passages, answer)
        yield Citations(passages)
        yield Done(
            answer=answer,
            mode="llm",
            passages=passages,
            eligibility=turn.eligibility,
            notices=notices,
            usage=usage.usage(),
            needs_eligibility_form=needs_form,
        )

    def _system_prompt(self) -> str:
        return load_prompt("system", self.settings.prompts_dir).text
