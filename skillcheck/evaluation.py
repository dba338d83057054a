"""``skillcheck eval``: retrieval (recall@1, recall@4, MRR of dense, BM25 and hybrid) and answers.

The retrieval set (``skillcheck/data/eval/questions.yaml``) names, for each question,
the source and a verbatim quote of the passage that answers it; a retrieved chunk is
relevant when it contains that quote. ``--answers`` asks the answer set's questions
of the offline assistant, as a user would, and scores what it says
(:mod:`skillcheck.answer_eval`).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from skillcheck.answer_eval import CitedPassage, EvalAnswer, load_answer_set, score_answers
from skillcheck.assistant import Assistant
from skillcheck.config import get_settings
from skillcheck.corpus import load_sources
from skillcheck.errors import UserInputError
from skillcheck.events import Done
from skillcheck.paths import EVAL_DIR
from skillcheck.retrieval import Mode, Retriever, open_retriever

#: The set retrieval was tuned on (lexicon, RRF k, chunk sizes): dev-set numbers.
DEFAULT_QUESTIONS = EVAL_DIR / "questions.yaml"
#: Written blind, after tuning, by someone who saw neither retrieval results nor the
#: lexicon; never tuned on. ``skillcheck eval --questions`` it for an honest estimate.
HELDOUT_QUESTIONS = EVAL_DIR / "heldout.yaml"
MODES: tuple[Mode, ...] = ("dense", "bm25", "hybrid")


class Expected(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str
    quote: str


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    question: str
    paraphrased: bool
    answer: Expected
    also: list[Expected] = []

    def answered_by(self, source: str, text: str) -> bool:
        """True when a passage holds the answer's quote or one of the ``also`` quotes."""
        return any(e.source == source and e.quote in text for e in [self.answer, *self.also])


class QuestionSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    questions: list[Question]


@dataclass(frozen=True)
class Scores:
    """The metrics of one retriever over the set."""

    mode: str
    recall_at_1: float
    recall_at_4: float
    mrr: float
    misses: list[str]


def load_questions(path: Path) -> list[Question]:
    """The question set; a malformed file is a :class:`UserInputError` naming it."""
    if not path.is_file():
        raise UserInputError(f"questions: {path} not found")
    try:
        return QuestionSet.model_validate(yaml.safe_load(path.read_text("utf-8"))).questions
    except (yaml.YAMLError, ValidationError) as exc:
        raise UserInputError(f"questions: {path} is malformed ({exc.__class__.__name__})") from None


def evaluate(
    retriever: Retriever, questions: list[Question], mode: Mode, depth: int = 10
) -> Scores:
    """Score one retriever: the rank of the first chunk that holds the answer's quote."""
    r1 = r4 = rr = 0.0
    misses = []
    for q in questions:
        hits = retriever.search(q.question, depth, mode=mode)
        rank = next(
            (h.rank for h in hits if q.answered_by(h.chunk.source_id, h.chunk.text)),
            None,
        )
        if rank is not None:
            r1 += rank == 1
            r4 += rank <= 4
            rr += 1.0 / rank
        if rank is None or rank > 4:
            misses.append(q.id)
    n = max(len(questions), 1)
    return Scores(mode, r1 / n, r4 / n, rr / n, misses)


def table(scores: list[Scores], count: int) -> str:
    """The side-by-side Markdown table."""
    rows = [
        f"| retriever | recall@1 | recall@4 | MRR |  ({count} questions)",
        "| --- | --- | --- | --- |",
    ]
    rows += [
        f"| {s.mode} | {s.recall_at_1:.3f} | {s.recall_at_4:.3f} | {s.mrr:.3f} |" for s in scores
    ]
    return "\n".join(rows)


def question_set(name: str | None) -> Path:
    """The question file ``name`` names: a path, or a packaged set (``questions``, ``heldout``)."""
    if not name:
        return DEFAULT_QUESTIONS
    packaged = EVAL_DIR / f"{name}.yaml"
    return packaged if "/" not in name and packaged.is_file() else Path(name)


#: The day the answer set is asked on: its facts ("since 2022") are read against it.
ANSWERS_DAY = date(2026, 11, 25)


def turn_answer_fn(
    assistant: Assistant, corpus_dir: Path, today: date = ANSWERS_DAY
) -> Callable[[str], EvalAnswer]:
    """Ask the assistant, as ``skillcheck ask`` does; the passages its answer cites."""
    texts = {s.meta.id: s.text for s in load_sources(corpus_dir)}

    def line_of(source: str, offset: int) -> int:
        return texts[source].count("\n", 0, offset) + 1

    def answer(question: str) -> EvalAnswer:
        done = next(e for e in assistant.stream(question, today=today) if isinstance(e, Done))
        cited = [
            CitedPassage(p.source, line_of(p.source, p.start), line_of(p.source, p.end), p.text)
            for p in done.passages
            if f"[{p.n}]" in done.answer
        ]
        return EvalAnswer(done.answer, cited)

    return answer


def run_answer_eval(args: argparse.Namespace) -> int:
    """Score the offline answers on an answer set; exit 1 under ``--min-answered``."""
    name = args.answers
    path = EVAL_DIR / f"{name}.yaml" if "/" not in name else Path(name)
    if not path.is_file():
        raise UserInputError(f"answers: {path} not found")
    settings = get_settings()
    assistant = Assistant(settings, open_retriever(settings), offline=True)
    score = score_answers(load_answer_set(path), turn_answer_fn(assistant, settings.corpus_dir))
    print(score.table() if args.verbose else score.table().splitlines()[-1])
    if score.fully_answered < args.min_answered:
        print(f"FAIL: fully answered {score.fully_answered:.3f} < {args.min_answered}")
        return 1
    return 0


def run_eval(args: argparse.Namespace) -> int:
    """Run ``skillcheck eval``; exit 1 when hybrid recall@4 is under the floor."""
    if args.answers:
        return run_answer_eval(args)
    questions = load_questions(question_set(args.questions))
    retriever = open_retriever(get_settings())
    scores = [evaluate(retriever, questions, mode) for mode in MODES]
    if args.json:
        print(json.dumps([s.__dict__ for s in scores]))
    else:
        print(table(scores, len(questions)))
        for s in scores:
            if s.misses:
                print(f"{s.mode} misses (not in top 4): {', '.join(s.misses)}")
    hybrid = scores[-1]
    if hybrid.recall_at_4 < args.min_recall:
        print(f"FAIL: hybrid recall@4 {hybrid.recall_at_4:.3f} < {args.min_recall}")
        return 1
    return 0
