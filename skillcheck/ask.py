"""``skillcheck ask``: one question, or one per line from stdin, answered with citations.

Without a configured model (or with ``--offline``) the answer is extractive
(:mod:`skillcheck.answer`); with one, the agent (:mod:`skillcheck.agent`) answers.
Both come as the same events; ``--json`` prints the turn's record, with the engine's
output under ``"eligibility"`` when the eligibility tool ran, and the model calls and
tokens of the turn under ``"usage"``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any

from skillcheck.agent import Assistant
from skillcheck.config import Settings, get_settings
from skillcheck.errors import SkillcheckError, UserInputError
from skillcheck.events import Done, Error, Event, Token
from skillcheck.resources import open_retriever
from skillcheck.retrieval import Retriever, validate_query

NO_USAGE = {"llm_calls": 0, "input_tokens": 0, "output_tokens": 0, "total_tokens": 0}


def collect(events: Iterator[Event], on_token: Callable[[str], None] | None = None) -> Done:
    """Run a turn to its ``Done``; an ``Error`` with no answer is raised as one line."""
    error: str | None = None
    done: Done | None = None
    for event in events:
        if isinstance(event, Token) and on_token is not None:
            on_token(event.text)
        elif isinstance(event, Error):
            error = event.message
        elif isinstance(event, Done):
            done = event
    if done is None or (error is not None and not done.answer):
        raise SkillcheckError(error or "the turn ended without an answer")
    return done


def turn_record(done: Done) -> dict[str, Any]:
    """The ``--json`` record of a turn."""
    record: dict[str, Any] = {
        "answer": done.answer,
        "mode": done.mode,
        "citations": done.citations,
        "notices": [n.text for n in done.notices],
        "usage": {**NO_USAGE, **done.usage},
    }
    if done.eligibility is not None:
        record["eligibility"] = done.eligibility
    if done.needs_eligibility_form:
        record["needs_eligibility_form"] = True
    return record


def answer_question(
    retriever: Retriever, settings: Settings, question: str, top_k: int, offline: bool
) -> dict[str, Any]:
    """Answer one question: with the agent when a model is configured, else extractively."""
    assistant = Assistant(settings, retriever, offline=offline)
    return turn_record(collect(assistant.stream(question, top_k=top_k)))


def _print_notices(done: Done) -> None:
    for notice in done.notices:
        if notice.kind != "offline":
            sys.stderr.write(f"note: {notice.text}\n")


def run_ask(args: argparse.Namespace) -> int:
    """Run the ``ask`` command; returns the exit status."""
    settings = get_settings()
    top_k: int = args.top_k or settings.top_k
    offline = bool(args.offline) or not settings.llm_configured
    if args.question is not None:
        validate_query(args.question, top_k)  # reject bad input before loading anything
        assistant = Assistant(settings, open_retriever(settings), offline=offline)
        turn = assistant.stream(args.question, top_k=top_k)
        if args.json:
            print(json.dumps(turn_record(collect(turn)), ensure_ascii=False))
            return 0
        done = collect(turn, on_token=lambda t: print(t, end="", flush=True))
        print()
        _print_notices(done)
        return 0
    if sys.stdin.isatty():
        raise UserInputError("question: missing; give one, or pipe one question per line")
    assistant = Assistant(settings, open_retriever(settings), offline=offline)
    status = 0
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            record = turn_record(collect(assistant.stream(line, top_k=top_k)))
        except SkillcheckError as exc:
            record = {"error": str(exc)}
            status = 2
        print(json.dumps(record, ensure_ascii=False), flush=True)  # batch mode: JSON lines
    return status
