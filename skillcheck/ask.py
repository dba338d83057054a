"""``skillcheck ask``: one question, or one per line from stdin, answered with citations.

Without a configured model (or with ``--offline``) the answer is extractive
(:mod:`skillcheck.answer`); the agent takes over when a model is configured.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from skillcheck.answer import Answer, extractive_answer
from skillcheck.config import Settings, get_settings
from skillcheck.errors import SkillcheckError, UserInputError
from skillcheck.resources import open_retriever
from skillcheck.retrieval import Retriever, validate_query


def answer_question(
    retriever: Retriever, settings: Settings, question: str, top_k: int, offline: bool
) -> Answer:
    """Answer one question: with the agent when a model is configured, else extractively."""
    q = validate_query(question, top_k)
    hits = retriever.search(q, top_k)
    return extractive_answer(q, hits, retriever.embedder)


def _emit(answer: Answer, as_json: bool) -> None:
    if as_json:
        print(json.dumps(answer.to_json(), ensure_ascii=False))
    else:
        print(answer.text)


def run_ask(args: argparse.Namespace) -> int:
    """Run the ``ask`` command; returns the exit status."""
    settings = get_settings()
    top_k: int = args.top_k or settings.top_k
    offline = bool(args.offline) or not settings.llm_configured
    if args.question is not None:
        validate_query(args.question, top_k)  # reject bad input before loading anything
        retriever = open_retriever(settings)
        _emit(answer_question(retriever, settings, args.question, top_k, offline), args.json)
        return 0
    if sys.stdin.isatty():
        raise UserInputError("question: missing; give one, or pipe one question per line")
    retriever = open_retriever(settings)
    status = 0
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            answer = answer_question(retriever, settings, line, top_k, offline)
            record: dict[str, Any] = answer.to_json()
        except SkillcheckError as exc:
            record = {"error": str(exc)}
            status = 2
        print(json.dumps(record, ensure_ascii=False), flush=True)  # batch mode: JSON lines
    return status
