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

Every turn is bounded: the whole turn by a deadline (``SKILLCHECK_TURN_TIMEOUT``,
enforced around all of it, not per read), each answer by ``max_tokens`` (sent on every
request, and a character cap for a server that ignores it), and the loop by a cap on
tool calls (``SKILLCHECK_MAX_TOOL_CALLS``). When the model fails after its bounded
retries, or a bound is reached, or its stream ends cut off, malformed, not a stream
at all, or empty, :class:`LLMTurn` raises :class:`~skillcheck.events.ModelFailure`
with the reason in plain words, and the assistant answers offline with a notice.
"""

from __future__ import annotations

import contextvars
import json
import logging
import queue
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any
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

if TYPE_CHECKING:
    from langchain_openai import ChatOpenAI

MAX_MODEL_CALLS = 6  # per turn: the agent loop's bound (the tool-call cap stops first)
MAX_TOOL_ERRORS = 2  # per tool: a bad call is answered once; the second ends the turn
ENGINE_TOOL = "assess_eligibility"
RECURSION_LIMIT = 6 * (MAX_MODEL_CALLS + 2)  # graph steps; the guard stops first
#: The id of our own search call: 9 letters and digits, as Mistral-family chat templates
#: require of every tool-call id (others accept any string).
PRE_SEARCH_ID = "presearch"
#: An answer longer than this many characters per allowed token is stopped (a server
#: that ignores ``max_tokens``); English runs at about 4 characters a token.
CHARS_PER_TOKEN_CAP = 8

TOOL_ERROR_MESSAGE = (
    "I could not run the eligibility check: the facts sent to it were invalid twice "
    "({detail}). Please enter your qualifications and jobs in the eligibility form "
    "(or `skillcheck assess`), which checks each field."
)
#: What the system prompt asks the model to say (its refusals, "the sources do not
#: answer this"): repeating these words is the answer we want, not a leak.
ASKED_TO_SAY = (
    "I only answer questions about the VETASSESS skills assessment for Customer Service "
    "Manager (ANZSCO 149212), and about that occupation as ANZSCO describes it. "
    "I can only answer about this occupation and its assessment. "
    "The sources do not answer this. "
    "I do not give legal or migration advice, and the assessing authority makes the real "
    "decision."
)
UNSUPPORTED = (
    "This answer cites none of the passages retrieved for it: treat it as unsupported, not as fact."
)
WITHHELD = (
    "I can't share my instructions. I answer questions about the VETASSESS assessment "
    "of Customer Service Manager (ANZSCO 149212) from the ANZSCO and VETASSESS pages."
)


def build_chat_model(settings: Settings) -> BaseChatModel:
    """The OpenAI (or OpenAI-compatible) chat model the settings describe.

    The answer's length is capped on every request: OpenAI itself gets
    ``max_completion_tokens`` (what ``ChatOpenAI`` sends for ``max_tokens``; its
    reasoning models refuse the old name), any other server the ``max_tokens`` that
    Ollama, vLLM and llama.cpp all read.
    """
    base = settings.openai_base_url
    openai_itself = base is None or "api.openai.com" in base
    return _chat_openai_class()(
        model=settings.model,
        api_key=settings.openai_api_key,
        base_url=base,
        timeout=settings.llm_timeout,
        max_retries=settings.llm_max_retries,
        stream_usage=True,
        max_completion_tokens=settings.max_tokens if openai_itself else None,
        extra_body=None if openai_itself else {"max_tokens": settings.max_tokens},
    )


def _is_json_object(text: Any) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except (TypeError, ValueError):
        return False


@cache
def _chat_openai_class() -> type[ChatOpenAI]:
    """``ChatOpenAI`` whose requests every server accepts.

    An assistant message's empty content goes as ``""``, not null (``ChatOpenAI``
    sends null beside tool calls; some llama.cpp builds and LM Studio reject it). A
    tool call whose arguments were not valid JSON goes back as ``{}`` (its error is in
    the tool message that answers it): Ollama and older vLLM reject the request
    that repeats invalid arguments.
    """
    from langchain_openai import ChatOpenAI

    class StringContentChatOpenAI(ChatOpenAI):
        def _get_request_payload(
            self, input_: Any, *, stop: list[str] | None = None, **kwargs: Any
        ) -> dict[str, Any]:
            payload: dict[str, Any] = super()._get_request_payload(input_, stop=stop, **kwargs)
            for message in payload.get("messages", []):
                if message.get("role") != "assistant":
                    continue
                if message.get("content") is None:
                    message["content"] = ""
                for call in message.get("tool_calls") or []:
                    function = call.get("function") or {}
                    if not _is_json_object(function.get("arguments")):
                        function["arguments"] = "{}"
            return payload

    return StringContentChatOpenAI


class TurnLimit(Exception):
    """A bound of the turn was reached, or the model's reply was unusable.

    ``reason`` is plain words for the user's notice ("its answer was empty").
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Cancelled(Exception):
    """The turn's deadline passed: the worker stops at its next token."""


class _QuietCancel(logging.Filter):
    """Drops LangChain's warning about our own :class:`_Cancelled` (it is no error)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "_Cancelled" not in record.getMessage()


logging.getLogger("langchain_core.callbacks.manager").addFilter(_QuietCancel())


def within_deadline(
    produce: Callable[[], Iterator[Event]], seconds: float, stop: threading.Event
) -> Iterator[Event]:
    """The events of ``produce()``, run in a worker thread, for at most ``seconds`` in all.

    Past the deadline :class:`TurnLimit` is raised here, whatever the worker is
    doing (a read that trickles a token every second never times out by itself);
    ``stop`` is set so the worker ends at its next token or event and is abandoned
    (a daemon thread; a blocked read ends at the client's own timeout).
    An exception of the worker is raised here, in the caller's thread.
    """
    box: queue.Queue[tuple[str, Any]] = queue.Queue()

    def work() -> None:
        try:
            for event in produce():
                if stop.is_set():
                    return
                box.put(("event", event))
        except BaseException as exc:  # handed to the caller's thread, raised there
            box.put(("error", exc))
        else:
            box.put(("end", None))

    context = contextvars.copy_context()
    worker = threading.Thread(
        target=context.run, args=(work,), daemon=True, name="skillcheck-model-turn"
    )
    end = time.monotonic() + seconds
    worker.start()
    try:
        while True:
            try:
                kind, value = box.get(timeout=max(0.0, end - time.monotonic()))
            except queue.Empty:
                raise TurnLimit(
                    f"it gave no complete answer within the {seconds:g}-second limit for a "
                    "turn (SKILLCHECK_TURN_TIMEOUT)"
                ) from None
            if kind == "event":
                yield value
            elif kind == "error":
                raise value
            else:
                return
    finally:
        stop.set()


class UsageCounter(BaseCallbackHandler):
    """Counts the model calls of a turn and the tokens they report.

    Once ``stop`` is set (the turn's deadline passed), the next token or model call
    raises, so an abandoned turn stops reading from the server.
    """

    raise_error = True

    def __init__(self, stop: threading.Event | None = None) -> None:
        self.stop = stop or threading.Event()
        self.llm_calls = 0
        self.input_tokens = 0
        self.output_tokens = 0
        self.total_tokens = 0

    def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[BaseMessage]], **kwargs: Any
    ) -> None:
        if self.stop.is_set():
            raise _Cancelled
        self.llm_calls += 1

    def on_llm_new_token(self, token: Any, **kwargs: Any) -> None:
        if self.stop.is_set():
            raise _Cancelled

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


def _tool_calls_made(messages: list[Any]) -> int:
    """The model's tool calls in ``messages`` (our own pre-search call not counted)."""
    return sum(
        1
        for m in messages
        if isinstance(m, AIMessage)
        for c in [*m.tool_calls, *m.invalid_tool_calls]
        if c.get("id") != PRE_SEARCH_ID
    )


def unusable_reply(message: AIMessage, max_tokens: int) -> str | None:
    """Why the model's ``message`` must not be used, in plain words; None when it may.

    A reply cut off (``finish_reason`` "length", or none at all: the stream ended
    early), stopped by a content filter, not a chat-completions stream (nothing came),
    or empty is unusable: it is never shown as a complete answer, nor its tool calls run.
    """
    finish = message.response_metadata.get("finish_reason")
    has_calls = bool(message.tool_calls or message.invalid_tool_calls)
    has_text = bool(str(message.text).strip())
    if finish == "length":
        return f"its answer was cut off at the {max_tokens}-token limit (SKILLCHECK_MAX_TOKENS)"
    if finish == "content_filter":
        return "the server's content filter stopped its answer"
    if finish is None and not has_calls and not has_text:
        return (
            "the server's reply was not a chat-completions stream; check OPENAI_BASE_URL "
            "(it usually ends in /v1)"
        )
    if finish is None:
        return "the answer stream ended before the answer was complete"
    if not has_calls and not has_text:
        return "its answer was empty"
    return None


class TurnGuard(AgentMiddleware[AgentState[Any], Any]):
    """Bounds the loop: the tool-call cap, ``MAX_MODEL_CALLS``, one retry of a bad call per tool.

    Every model reply is checked before anything else sees it (:func:`unusable_reply`):
    an unusable one, or one that goes past the tool-call cap, ends the turn with
    :class:`TurnLimit`, so a cut tool call never runs. A tool call whose arguments are
    not even JSON (``invalid_tool_calls``) is answered with the parse error, like a
    tool's validation error, so the model can correct it.
    """

    def __init__(self, turn: TurnState, max_tool_calls: int = 4, max_tokens: int = 800) -> None:
        super().__init__()
        self.turn = turn
        self.max_tool_calls = max_tool_calls
        self.max_tokens = max_tokens
        self.calls = 0
        self.stopped: str | None = None

    @hook_config(can_jump_to=["end"])
    def before_model(self, state: AgentState[Any], runtime: Runtime[Any]) -> dict[str, Any] | None:
        errors = [
            (m.name or "unknown", str(m.content))
            for m in _turn_messages(list(state["messages"]))
            if isinstance(m, ToolMessage) and m.status == "error"
        ]
        self.turn.tool_errors = [text for name, text in errors if name == ENGINE_TOOL]
        if len(self.turn.tool_errors) >= MAX_TOOL_ERRORS:
            self.stopped = "tool_errors"
            return {"jump_to": "end"}
        for name, count in Counter(name for name, _ in errors).items():
            if count >= MAX_TOOL_ERRORS:  # each tool its own limit
                raise TurnLimit(f"its {name} calls were invalid {count} times")
        if self.calls >= MAX_MODEL_CALLS:
            raise TurnLimit(f"it made {self.calls} model calls without a final answer")
        self.calls += 1
        return None

    @hook_config(can_jump_to=["model"])
    def after_model(self, state: AgentState[Any], runtime: Runtime[Any]) -> dict[str, Any] | None:
        last = state["messages"][-1]
        if not isinstance(last, AIMessage):
            return None
        reason = unusable_reply(last, self.max_tokens)
        if reason is not None:
            raise TurnLimit(reason)
        made = _tool_calls_made(_turn_messages(list(state["messages"])))
        if made > self.max_tool_calls:
            raise TurnLimit(
                f"it called tools {made} times without answering (the limit is "
                f"{self.max_tool_calls}, SKILLCHECK_MAX_TOOL_CALLS)"
            )
        if not last.invalid_tool_calls:
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


#: A server's error message (lower case) that says what to fix, and the fix in our words.
_KNOWN_FIXES = (
    (
        ("enable-auto-tool-choice", "tool-call-parser"),
        "the vLLM server was started without tool calling (HTTP 400); restart it with "
        "--enable-auto-tool-choice --tool-call-parser NAME (the parser for your model, "
        "e.g. hermes, llama3_json or mistral)",
    ),
    (
        ("--jinja",),
        "the llama.cpp server needs --jinja for tool calls (HTTP 400); restart llama-server "
        "with --jinja",
    ),
    (
        (
            "context length",
            "context_length_exceeded",
            "maximum context",
            "context size",
            "context window",
        ),
        "the conversation is longer than the model's context (HTTP 400); raise the server's "
        "context (Ollama: OLLAMA_CONTEXT_LENGTH; llama.cpp: -c; vLLM: --max-model-len), or "
        "lower SKILLCHECK_TOP_K or SKILLCHECK_MAX_TOKENS",
    ),
)


def _server_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else inner
        return f"{exc.message} {message}".lower()
    return str(exc.message).lower()


def failure_reason(exc: BaseException, settings: Settings | None = None) -> str:
    """What went wrong with the model and how to fix it, safe to show.

    Never the server's own message: a known one is recognised and said in our words
    with its fix (vLLM without tool flags, llama.cpp without --jinja, a context
    overflow, a base URL without /v1, an unknown model name).
    """
    if isinstance(exc, openai.APITimeoutError):
        return "the request timed out"
    if isinstance(exc, openai.RateLimitError):
        return "rate limited (HTTP 429)"
    if isinstance(exc, openai.AuthenticationError):
        return "the API key was rejected (HTTP 401)"
    if isinstance(exc, openai.APIStatusError):
        said = _server_message(exc)
        for needles, fix in _KNOWN_FIXES:
            if any(n in said for n in needles):
                return fix
        if exc.status_code == 404:
            model = settings.model if settings is not None else "the model"
            if "model" in said:
                return (
                    f"the server does not know the model {model} (HTTP 404); set "
                    "SKILLCHECK_MODEL to a model it lists (skillcheck doctor shows them)"
                )
            base = settings.openai_base_url if settings is not None else None
            return (
                f"no chat endpoint at {base or 'the base URL'} (HTTP 404); OPENAI_BASE_URL "
                "must end in /v1, e.g. http://localhost:11434/v1"
            )
        return f"server error (HTTP {exc.status_code})"
    if isinstance(exc, openai.APIConnectionError):
        return "could not connect to the model server"
    if isinstance(exc, openai.APIError):  # an error event in the middle of the stream
        return "the server reported an error in the middle of its answer"
    if isinstance(exc, json.JSONDecodeError):
        return "the server sent a malformed answer stream"
    if isinstance(exc, ValueError) and "No generations" in str(exc):  # not one SSE event came
        return (
            "the server's reply was not a chat-completions stream; check OPENAI_BASE_URL "
            "(it usually ends in /v1)"
        )
    return f"unexpected error ({type(exc).__name__})"


@dataclass
class _Progress:
    """What a turn has got to, for the failure raised when its deadline passes."""

    usage: UsageCounter
    standalone: str
    stop: threading.Event = field(default_factory=threading.Event)


class LLMTurn:
    """One turn with the model: pre-search, the agent loop, the checks on its answer."""

    def __init__(self, settings: Settings, retriever: Retriever, model: BaseChatModel) -> None:
        self.settings = settings
        self.retriever = retriever
        self.model = model

    def turn(self, q: str, history: list[Message], k: int) -> Iterator[Event]:
        """The events of one turn; raises :class:`ModelFailure` when the model fails.

        The whole turn (the follow-up rewrite, the search, every model call and tool)
        has ``SKILLCHECK_TURN_TIMEOUT`` seconds: past it, the model's turn is dropped.
        """
        stop = threading.Event()
        progress = _Progress(UsageCounter(stop), q, stop)
        try:
            yield from within_deadline(
                lambda: self._llm_turn(self.model, q, history, k, progress),
                self.settings.turn_timeout,
                stop,
            )
        except TurnLimit as exc:
            raise ModelFailure(exc.reason, progress.standalone, progress.usage.usage()) from None

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
        cited = CitedAnswer(turn.registry, self.retriever, self.settings.corpus_dir)
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
        self,
        model: BaseChatModel,
        q: str,
        history: list[Message],
        k: int,
        progress: _Progress,
    ) -> Iterator[Event]:
        usage = progress.usage
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
            allowed=ASKED_TO_SAY,
        )
        guard = TurnGuard(turn, self.settings.max_tool_calls, self.settings.max_tokens)
        try:
            if looks_like_follow_up(q, history):
                prompt = load_prompt("followup", self.settings.prompts_dir)
                standalone = rewrite_question(model, prompt, q, history, config)
                progress.standalone = standalone
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
        except TurnLimit as exc:
            raise ModelFailure(exc.reason, standalone, usage.usage()) from None
        except Exception as exc:  # the model failed after its retries: the assistant falls back
            reason = failure_reason(exc, self.settings)
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
        """The graph's events; the model's text only as checked sentences.

        A reply longer than ``max_tokens`` allows (a server that ignores it) is
        stopped as it streams: :class:`TurnLimit`.
        """
        cap = self.settings.max_tokens * CHARS_PER_TOKEN_CAP
        size = 0  # characters of the model's current reply, text and tool arguments
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
                    size += len(str(chunk.text))
                    if isinstance(chunk, AIMessageChunk):
                        size += sum(len(c.get("args") or "") for c in chunk.tool_call_chunks)
                    if size > cap:
                        raise TurnLimit(
                            f"its answer ran past the {self.settings.max_tokens}-token limit "
                            "(SKILLCHECK_MAX_TOKENS) and was stopped"
                        )
                    text = release.feed(marker_filter.feed(str(chunk.text)))
                    if text:
                        yield Token(text)
                continue
            for node, update in payload.items():
                if not isinstance(update, dict):
                    continue
                for message in update.get("messages", []):
                    if node == "model" and isinstance(message, AIMessage):
                        size = 0
                        rest = release.feed(marker_filter.flush()) + release.flush()
                        if message.tool_calls:  # text said before a tool call: its own paragraph
                            rest += release.paragraph_break()
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
        """The system prompt, with today's date (the model must not guess it)."""
        text = load_prompt("system", self.settings.prompts_dir).text
        return f"{text.rstrip()}\n\nToday's date is {date.today().isoformat()}."
