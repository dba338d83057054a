"""Score answers against the answer set: fully answered, a direct first sentence, and
cited passages that bear on none of the question's patterns (a proxy for misleading).

``score_answers(questions, answer_fn)`` takes any ``answer_fn(question) -> EvalAnswer``;
``skillcheck eval --answers`` passes :func:`skillcheck.evaluation.turn_answer_fn`, which
asks the real offline assistant.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from skillcheck.paths import EVAL_DIR

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9'\"(])")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LineRef(_Strict):
    source: str
    line: int = Field(ge=1)


class AnswerQuestion(_Strict):
    """One question of the answer set and what its answer must say and cite."""

    id: str
    question: str
    lead: list[str] = Field(min_length=1)
    must: list[str] = Field(default_factory=list)
    not_lead: list[str] = Field(default_factory=list)
    cite: list[LineRef] = Field(default_factory=list)


class _AnswerFile(_Strict):
    questions: list[AnswerQuestion]


def load_answer_set(path: Path | None = None) -> list[AnswerQuestion]:
    """The questions of an answer-set file (the tuning part by default)."""
    raw = yaml.safe_load((path or EVAL_DIR / "answers.yaml").read_text(encoding="utf-8"))
    return _AnswerFile.model_validate(raw).questions


@dataclass(frozen=True)
class CitedPassage:
    """A passage the answer cites: lines start..end (inclusive) of a source, and its text."""

    source: str
    start_line: int
    end_line: int
    text: str


@dataclass(frozen=True)
class EvalAnswer:
    text: str
    cited: list[CitedPassage] = field(default_factory=list)


@dataclass(frozen=True)
class QuestionScore:
    id: str
    fully_answered: bool
    direct: bool
    must_missed: list[str]
    not_lead_hit: list[str]
    cites_missed: list[str]
    off_pattern: list[str]  # cited passages matching none of the question's patterns
    first_sentence: str


@dataclass(frozen=True)
class AnswerScore:
    per_question: list[QuestionScore]

    @property
    def n(self) -> int:
        return len(self.per_question)

    def _rate(self, values: list[bool]) -> float:
        return sum(values) / len(values) if values else 0.0

    @property
    def fully_answered(self) -> float:
        return self._rate([q.fully_answered for q in self.per_question])

    @property
    def direct(self) -> float:
        return self._rate([q.direct for q in self.per_question])

    @property
    def misleading(self) -> float:
        """Share of questions with a cited passage matching none of their patterns."""
        return self._rate([bool(q.off_pattern) for q in self.per_question])

    def table(self) -> str:
        """A printable table: one row per question, then the totals."""
        rows = [f"{'id':28} full direct off-pattern  what is wrong"]
        for q in self.per_question:
            wrong = [f"must {m!r}" for m in q.must_missed]
            wrong += [f"not_lead {m!r}" for m in q.not_lead_hit]
            wrong += [f"cite {c}" for c in q.cites_missed]
            if not q.direct:
                wrong.append(f"first: {q.first_sentence[:60]!r}")
            rows.append(
                f"{q.id:28} {'yes' if q.fully_answered else 'NO':4} "
                f"{'yes' if q.direct else 'NO':6} {len(q.off_pattern):11}  {'; '.join(wrong)}"
            )
        rows.append(
            f"fully answered {sum(q.fully_answered for q in self.per_question)}/{self.n} "
            f"({self.fully_answered:.2f}); direct first sentence "
            f"{sum(q.direct for q in self.per_question)}/{self.n} ({self.direct:.2f}); "
            f"a cited passage matching none of the patterns "
            f"{sum(bool(q.off_pattern) for q in self.per_question)}/{self.n} "
            f"({self.misleading:.2f})"
        )
        return "\n".join(rows)


def first_sentence(text: str) -> str:
    """The answer's first sentence (up to the first . ! or ? followed by a capital)."""
    stripped = text.strip()
    return _SENTENCE_END.split(stripped, maxsplit=1)[0] if stripped else ""


def _search(pattern: str, text: str) -> bool:
    return re.search(pattern, text, re.IGNORECASE | re.MULTILINE) is not None


def score_one(q: AnswerQuestion, answer: EvalAnswer) -> QuestionScore:
    first = first_sentence(answer.text)
    must_missed = [m for m in q.must if not _search(m, answer.text)]
    direct = any(_search(p, first) for p in q.lead)
    not_lead_hit = [p for p in q.not_lead if _search(p, first)]

    def covered(ref: LineRef) -> bool:
        return any(
            c.source == ref.source and c.start_line <= ref.line <= c.end_line for c in answer.cited
        )

    cites_missed = [f"{c.source}:{c.line}" for c in q.cite if not covered(c)]
    patterns = [*q.must, *q.lead]
    off_pattern = [
        f"{c.source}:{c.start_line}-{c.end_line}"
        for c in answer.cited
        if not any(c.source == r.source and c.start_line <= r.line <= c.end_line for r in q.cite)
        and not any(_search(p, c.text) for p in patterns)
    ]
    full = direct and not must_missed and not not_lead_hit and not cites_missed
    return QuestionScore(
        q.id, full, direct, must_missed, not_lead_hit, cites_missed, off_pattern, first
    )


def score_answers(
    questions: list[AnswerQuestion], answer_fn: Callable[[str], EvalAnswer]
) -> AnswerScore:
    """Ask every question and score the answers."""
    return AnswerScore([score_one(q, answer_fn(q.question)) for q in questions])
