"""``skillcheck chat``: a conversation in the terminal, answers streamed as they come.

Type a question; ``/clear`` forgets the conversation, ``/quit`` (or end of input)
leaves. Works offline (quoted answers) and with a model (the agent); follow-ups are
understood in the context of the conversation.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from skillcheck.assistant import Assistant
from skillcheck.cli.ask import sources_after
from skillcheck.cli.screen import Screen
from skillcheck.cli.text import check_utf8, tolerant_stdin
from skillcheck.config import get_settings
from skillcheck.errors import SkillcheckError
from skillcheck.events import Done, Error, Event, Notice, Token, ToolStart
from skillcheck.history import Message
from skillcheck.retrieval import open_retriever
from skillcheck.rules.outcomes import OUTCOME_TITLES

HELP = "Ask about the VETASSESS assessment of 149212. /clear forgets, /quit leaves."
MAX_TURNS_KEPT = 10


def _show(event: Event, screen: Screen) -> None:
    if isinstance(event, Token):
        screen.write(event.text)
    elif isinstance(event, ToolStart) and event.name != "search_sources":
        screen.note(f"[running {event.name}]\n")
    elif isinstance(event, Notice) and event.kind != "offline":
        if event.kind == "fallback":  # the model's text so far is taken back
            screen.take_back()
        screen.note(f"note: {event.text}\n")
    elif isinstance(event, Error):
        screen.note(f"error: {event.message}\n")


def _summary(done: Done) -> str:
    lines = []
    listed = sources_after(done).strip()
    if listed:
        lines.append(listed)
    if done.eligibility is not None:
        outcome = OUTCOME_TITLES[done.eligibility.result.outcome]
        pathway = done.eligibility.result.pathway
        lines.append(f"Eligibility check: {outcome}" + (f" (route {pathway})" if pathway else ""))
    if done.needs_eligibility_form:
        lines.append("To check your own profile, run `skillcheck assess` with your facts.")
    return "\n".join(lines)


def chat_loop(assistant: Assistant, lines: TextIO, out: TextIO, err: TextIO, prompt: str) -> int:
    """Answer each line of ``lines`` in turn, keeping the conversation; returns 0."""
    history: list[Message] = []
    while True:
        if prompt:
            out.write(prompt)
            out.flush()
        line = lines.readline()
        if not line:
            return 0
        text = line.strip()
        if text in ("/quit", "/exit"):
            return 0
        if text == "/clear":
            history.clear()
            out.write("(conversation cleared)\n")
            continue
        if not text:
            continue
        if text in ("/help", "?"):
            out.write(HELP + "\n")
            continue
        done: Done | None = None
        screen = Screen(out, err)
        shown: list[Notice] = []  # the offline turn repeats its notices at the end
        try:
            check_utf8(text, "question")
            for event in assistant.stream(text, history):
                if isinstance(event, Notice):
                    if event in shown:
                        continue
                    shown.append(event)
                _show(event, screen)
                if isinstance(event, Done):
                    done = event
        except SkillcheckError as exc:
            err.write(f"error: {exc}\n")
        out.write("\n")
        if done is None or not done.answer:
            continue
        summary = _summary(done)
        if summary:
            out.write(summary + "\n")
        history += [Message("user", text), Message("assistant", done.answer)]
        del history[: -2 * MAX_TURNS_KEPT]


def run_chat(args: argparse.Namespace) -> int:
    """Run the ``chat`` command; returns the exit status."""
    settings = get_settings()
    tolerant_stdin()
    assistant = Assistant(settings, open_retriever(settings), offline=bool(args.offline))
    interactive = sys.stdin.isatty()
    if interactive:
        sys.stdout.write(f"skillcheck chat ({assistant.label}). {HELP}\n")
    return chat_loop(assistant, sys.stdin, sys.stdout, sys.stderr, "you> " if interactive else "")
