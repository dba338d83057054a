"""``skillcheck ask``: one question, or one per line from stdin, answered with citations.

The assistant (:mod:`skillcheck.assistant`) answers, offline or with the configured
model; ``--json`` prints the turn's record (:meth:`skillcheck.events.Done.to_json`),
with the engine's output under ``"eligibility"`` when the engine ran, and the model
calls and tokens of the turn under ``"usage"``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator

from skillcheck.assistant import Assistant
from skillcheck.cli.screen import Screen
from skillcheck.cli.text import check_utf8, tolerant_stdin
from skillcheck.config import get_settings
from skillcheck.errors import SkillcheckError, UserInputError
from skillcheck.events import Done, Error, Event, Notice, Token
from skillcheck.passages import markers
from skillcheck.quotes import sources_list
from skillcheck.retrieval import open_retriever, validate_query


def collect(events: Iterator[Event], screen: Screen | None = None) -> Done:
    """Run a turn to its ``Done``; an ``Error`` with no answer is raised as one line.

    With a ``screen`` the answer is printed as it streams. When the model fails after
    some of its text was printed, that text is taken back (erased on a terminal, else
    marked as cut off) before the fallback notice and the offline answer, so the
    model's part never reads as part of the answer.
    """
    error: str | None = None
    done: Done | None = None
    fallen_back = False
    for event in events:
        if isinstance(event, Token) and screen is not None:
            screen.write(event.text)
        elif isinstance(event, Notice) and event.kind == "fallback" and screen is not None:
            if not fallen_back:  # the offline turn repeats its notices at the end
                fallen_back = True
                screen.take_back()
                screen.note(f"note: {event.text}\n")
        elif isinstance(event, Error):
            error = event.message
        elif isinstance(event, Done):
            done = event
    if done is None or (error is not None and not done.answer):
        raise SkillcheckError(error or "the turn ended without an answer")
    return done


def sources_after(done: Done) -> str:
    """The sources list to print after an answer that cites passages but lists none.

    The offline answer ends with its own list; a model's answer carries only ``[n]``
    markers, so the terminal gets the same list (address and capture date included).
    """
    if "\nSources:\n" in f"\n{done.answer}":
        return ""
    cited = [p for p in done.passages if p.n in set(markers(done.answer))]
    return f"\nSources:\n{sources_list(cited)}\n" if cited else ""


def _print_notices(done: Done) -> None:
    for notice in done.notices:
        if notice.kind not in ("offline", "fallback"):  # a fallback is said as it happens
            sys.stderr.write(f"note: {notice.text}\n")


def run_ask(args: argparse.Namespace) -> int:
    """Run the ``ask`` command; returns the exit status."""
    if args.question is not None:
        check_utf8(args.question, "question")
    settings = get_settings()
    top_k: int = args.top_k or settings.top_k
    if args.question is not None:
        validate_query(args.question, top_k)  # reject bad input before loading anything
        assistant = Assistant(settings, open_retriever(settings), offline=bool(args.offline))
        turn = assistant.stream(args.question, top_k=top_k)
        if args.json:
            print(json.dumps(collect(turn).to_json(), ensure_ascii=False))
            return 0
        done = collect(turn, Screen(sys.stdout, sys.stderr))
        print()
        print(sources_after(done), end="")
        _print_notices(done)
        return 0
    if sys.stdin.isatty():
        raise UserInputError("question: missing; give one, or pipe one question per line")
    tolerant_stdin()
    assistant = Assistant(settings, open_retriever(settings), offline=bool(args.offline))
    status = 0
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            check_utf8(line, "question")
            record = collect(assistant.stream(line, top_k=top_k)).to_json()
        except SkillcheckError as exc:
            record = {"error": str(exc)}
            status = 2
        print(json.dumps(record, ensure_ascii=False), flush=True)  # batch mode: JSON lines
    return status
