"""``skillcheck doctor``: checks the configured model server, and says how to fix what fails.

It runs, against the model the settings name (``OPENAI_BASE_URL``, ``SKILLCHECK_MODEL``):
the server is reachable and lists the model; a plain question gets a cited answer
with usage; an eligibility question makes a well-formed ``assess_eligibility`` call
(the facts it states, dates and levels valid, nothing the engine decides); a
follow-up after that tool turn is answered; an off-topic question is refused, not
withheld; and the largest request's input tokens (the context used), against the
context the server reports (llama.cpp, vLLM). A llama.cpp server with one model
answers to any model name, so its model is taken whatever SKILLCHECK_MODEL says. Each turn is
bounded by the usual settings. The result is a table, one check a row, each failure
with its fix; the exit status is 0 when every check passes, else 1.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from skillcheck.assistant import Assistant
from skillcheck.config import Settings, get_settings
from skillcheck.events import Done, Event, ToolResult, ToolStart
from skillcheck.history import Message
from skillcheck.retrieval import open_retriever

PLAIN = "How many hours a week must a job be to count?"
ELIGIBILITY = (
    "Am I eligible? I have a Bachelor of Business (Management), completed 2017-11-30. "
    "I have been a Customer Service Manager since 2018-02-01, paid, 38 hours a week."
)
FOLLOW_UP = "And if that job were only 15 hours a week?"
OFF_TOPIC = "What will the weather be in Paris tomorrow?"
#: Seconds one check's turn may take, so the doctor ends within a minute (4 turns); a
#: real turn may take up to SKILLCHECK_TURN_TIMEOUT.
CHECK_SECONDS = 12.0
NO_KEY_FIX = (
    "set OPENAI_API_KEY (any value, e.g. 'local', for Ollama, vLLM or llama.cpp) and "
    "OPENAI_BASE_URL (ending in /v1) for a local server"
)


@dataclass(frozen=True)
class Check:
    """One row of the table: what was checked, whether it passed, what was seen or to fix."""

    name: str
    ok: bool
    detail: str


def _turn(assistant: Assistant, question: str, history: list[Message]) -> list[Event]:
    return list(assistant.stream(question, history))


def _done(events: list[Event]) -> Done:
    return next(e for e in events if isinstance(e, Done))


def _fell_back(done: Done) -> str | None:
    return next((n.text for n in done.notices if n.kind == "fallback"), None)


BASE_MODEL_HINT = (
    "; a model that runs to the limit on a short question is likely a base model "
    "(use an instruction-tuned one) or needs a larger SKILLCHECK_MAX_TOKENS"
)


def _fix_of(done: Done) -> str:
    text = _fell_back(done) or "the model gave no answer"
    fix = re.sub(r"^The language model could not answer: |\. This is the offline.*$", "", text)
    if "-token limit (SKILLCHECK_MAX_TOKENS)" in fix:
        fix += BASE_MODEL_HINT
    if "limit for a turn (SKILLCHECK_TURN_TIMEOUT)" in fix:
        fix += (
            f" (the doctor gives each check at most {CHECK_SECONDS:.0f} s; a model this slow "
            "makes every answer wait: use a faster or smaller model, or a GPU)"
        )
    return fix


@dataclass
class _Server:
    """What the model list told about the server: the context it reports, if any."""

    context: int | None = None


def _context_of(model: Any) -> int | None:
    """The context size a model entry reports: llama.cpp's ``meta.n_ctx``, vLLM's
    ``max_model_len``; None when the server does not say (OpenAI, Ollama)."""
    extra = getattr(model, "model_extra", None) or {}
    meta = extra.get("meta")
    value = meta.get("n_ctx") if isinstance(meta, dict) else extra.get("max_model_len")
    return value if isinstance(value, int) and value > 0 else None


def _names_of(model: Any) -> list[str]:
    """The names a model entry answers to: its id and llama.cpp's ``aliases``."""
    extra = getattr(model, "model_extra", None) or {}
    aliases = extra.get("aliases")
    names = [str(model.id)]
    if isinstance(aliases, list):
        names += [str(a) for a in aliases if a]
    return names


def _reachable(settings: Settings, server: _Server) -> Iterator[Check]:
    import openai

    key = settings.openai_api_key
    client = openai.OpenAI(
        api_key=key.get_secret_value() if key is not None else "none",
        base_url=settings.openai_base_url,
        timeout=min(settings.llm_timeout, 15.0),
        max_retries=0,
    )
    where = settings.openai_base_url or "https://api.openai.com/v1"
    try:
        models = list(client.models.list())
    except openai.NotFoundError:
        yield Check(
            "reachable", False, f"{where}: no /models (HTTP 404); OPENAI_BASE_URL must end in /v1"
        )
        return
    except openai.AuthenticationError:
        yield Check("reachable", False, f"{where}: the API key was rejected (HTTP 401)")
        return
    except openai.APIError as exc:
        yield Check(
            "reachable",
            False,
            f"{where}: {type(exc).__name__}; is the server running, and is OPENAI_BASE_URL "
            "its address with /v1?",
        )
        return
    yield Check("reachable", True, where)
    ids = [str(m.id) for m in models]
    listed = next((m for m in models if settings.model in _names_of(m)), None)
    if listed is not None:
        server.context = _context_of(listed)
        yield Check("model listed", True, settings.model)
    elif len(models) == 1 and getattr(models[0], "owned_by", None) == "llamacpp":
        # llama-server with one model answers every request with it, whatever its name.
        server.context = _context_of(models[0])
        yield Check(
            "model listed",
            True,
            f"llama.cpp serves its one model, {ids[0]}, whatever the name "
            f"(SKILLCHECK_MODEL={settings.model} is not used; --alias names it)",
        )
    else:
        shown = ", ".join(ids[:5]) + (" ..." if len(ids) > 5 else "") or "none"
        yield Check(
            "model listed",
            False,
            f"{settings.model} is not among the server's models ({shown}); set SKILLCHECK_MODEL",
        )


def run_checks(settings: Settings, assistant: Assistant) -> Iterator[Check]:
    """The checks, in order, each as soon as it is done."""
    server = _Server()
    yield from _reachable(settings, server)
    largest = 0

    plain = _turn(assistant, PLAIN, [])
    done = _done(plain)
    largest = max(largest, done.usage.input_tokens // max(1, done.usage.llm_calls))
    cited = bool(re.search(r"\[\d+\]", done.answer))
    if done.mode != "llm":
        yield Check("plain cited answer", False, _fix_of(done))
    elif not cited:
        yield Check("plain cited answer", False, "the answer cites no passage; try a larger model")
    else:
        usage = done.usage
        yield Check(
            "plain cited answer",
            usage.total_tokens > 0,
            f"{len(done.answer)} characters, {usage.input_tokens} tokens in, "
            f"{usage.output_tokens} out"
            if usage.total_tokens
            else "no usage reported (the server ignores stream_options.include_usage)",
        )

    events = _turn(assistant, ELIGIBILITY, [])
    done = _done(events)
    largest = max(largest, done.usage.input_tokens // max(1, done.usage.llm_calls))
    calls = [e for e in events if isinstance(e, ToolStart) and e.name == "assess_eligibility"]
    ran = [e for e in events if isinstance(e, ToolResult) and e.name == "assess_eligibility"]
    if done.mode != "llm":
        yield Check("eligibility tool call", False, _fix_of(done))
    elif not calls:
        yield Check(
            "eligibility tool call",
            False,
            "the model did not call assess_eligibility; use a model that supports tool calls",
        )
    elif any(r.error for r in ran):
        bad = next(r.error for r in ran if r.error)
        yield Check("eligibility tool call", False, f"invalid arguments: {str(bad)[:120]}")
    else:
        outcome = done.eligibility.result.outcome if done.eligibility else "not run"
        yield Check("eligibility tool call", True, f"well-formed; the engine says {outcome}")

    history = [Message("user", ELIGIBILITY), Message("assistant", done.answer)]
    follow = _done(_turn(assistant, FOLLOW_UP, history))
    largest = max(largest, follow.usage.input_tokens // max(1, follow.usage.llm_calls))
    yield Check(
        "follow-up after a tool turn",
        follow.mode == "llm" and bool(follow.answer.strip()),
        f"{len(follow.answer)} characters" if follow.mode == "llm" else _fix_of(follow),
    )

    off = _done(_turn(assistant, OFF_TOPIC, []))
    kinds = {n.kind for n in off.notices}
    if off.mode != "llm":
        yield Check("off-topic question", False, _fix_of(off))
    else:
        yield Check(
            "off-topic question",
            "withheld" not in kinds,
            "refused" if "withheld" not in kinds else "the refusal was withheld as a leak",
        )

    yield _context_check(largest, settings.max_tokens, server.context)


def _context_check(largest: int, max_tokens: int, context: int | None) -> Check:
    """The context a request needs (its input tokens plus the answer cap) against the server's."""
    if not largest:
        return Check("context used", False, "no usage reported: the context used is unknown")
    need = largest + max_tokens
    said = (
        f"about {largest} input tokens a request (the largest turn's average), plus up to "
        f"{max_tokens} for the answer (SKILLCHECK_MAX_TOKENS)"
    )
    if context is None:
        return Check("context used", True, f"{said}: the server's context must hold both")
    if need > context:
        return Check(
            "context used",
            False,
            f"{said} is more than the server's {context}-token context: raise it "
            "(llama.cpp -c, vLLM --max-model-len) or lower SKILLCHECK_MAX_TOKENS",
        )
    return Check("context used", True, f"{said}, within the server's {context}-token context")


def print_table(checks: Iterator[Check], out: TextIO) -> bool:
    """Print the checks as a table as they come; True when all passed."""
    width = 28
    out.write(f"{'check':{width}} {'result':6}  detail / fix\n")
    out.write(f"{'-' * width} {'-' * 6}  {'-' * 40}\n")
    ok = True
    for check in checks:
        ok = ok and check.ok
        out.write(f"{check.name:{width}} {'ok' if check.ok else 'FAIL':6}  {check.detail}\n")
        out.flush()
    return ok


def run_doctor(args: argparse.Namespace) -> int:
    """Run the ``doctor`` command; 0 when every check passes, else 1."""
    settings = get_settings()
    if not settings.llm_configured:
        print_table(iter([Check("model configured", False, NO_KEY_FIX)]), sys.stdout)
        return 1
    bounded = settings.model_copy(
        update={"turn_timeout": min(settings.turn_timeout, CHECK_SECONDS)}
    )
    assistant = Assistant(bounded, open_retriever(settings))
    sys.stdout.write(f"skillcheck doctor: {assistant.label}\n")
    return 0 if print_table(run_checks(settings, assistant), sys.stdout) else 1
