"""The answer sets, asked of the real offline turn, stay at or above their floors; the scorer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from skillcheck.answer_eval import (
    AnswerQuestion,
    CitedPassage,
    EvalAnswer,
    load_answer_set,
    score_answers,
)
from skillcheck.assistant import Assistant
from skillcheck.config import Settings
from skillcheck.evaluation import turn_answer_fn
from skillcheck.paths import EVAL_DIR
from skillcheck.retrieval import open_retriever
from tests.answers.conftest import TODAY


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    settings = Settings(home=tmp_path_factory.mktemp("eval-home"), openai_api_key=None)
    retriever = open_retriever(settings, say=lambda _m: None, progress=False)
    return Assistant(settings, retriever, offline=True)


#: Measured with the real offline turn on the tuning part (63 questions): fully answered
#: 1.00, direct 1.00, a cited passage matching none of the patterns 0.13. Floors leave a
#: little room.
FULLY_FLOOR = 0.95
DIRECT_FLOOR = 0.95
OFF_PATTERN_CEILING = 0.25
#: The developers' held-out part (15 questions, written before any answer to them was seen,
#: never tuned on; not blind to the topics): fully 1.00, direct 1.00, off-pattern 0.27.
HELDOUT_FULLY_FLOOR = 0.8
HELDOUT_DIRECT_FLOOR = 0.9


def test_the_tuning_part_has_at_least_45_questions() -> None:
    assert len(load_answer_set()) >= 45


def _answers(assistant: Assistant) -> Callable[[str], EvalAnswer]:
    return turn_answer_fn(assistant, Path(assistant.settings.corpus_dir), TODAY)


def test_the_answers_score_at_or_above_the_floor(assistant: Assistant) -> None:
    score = score_answers(load_answer_set(), _answers(assistant))
    print(score.table())
    assert score.fully_answered >= FULLY_FLOOR
    assert score.direct >= DIRECT_FLOOR
    assert score.misleading <= OFF_PATTERN_CEILING


def test_the_heldout_part_scores_at_or_above_its_floor(assistant: Assistant) -> None:
    questions = load_answer_set(EVAL_DIR / "answers_heldout.yaml")
    assert len(questions) >= 15
    score = score_answers(questions, _answers(assistant))
    print(score.table())
    assert score.fully_answered >= HELDOUT_FULLY_FLOOR
    assert score.direct >= HELDOUT_DIRECT_FLOOR


_Q = AnswerQuestion(
    id="hours",
    question="Does part-time work count?",
    lead=["20 hours"],
    must=["not counted"],
    not_lead=["^Apply"],
    cite=[{"source": "vetassess-149212", "line": 46}],  # type: ignore[list-item]
)


def test_a_quote_only_answer_is_not_fully_answered() -> None:
    quote = EvalAnswer(
        "Apply online when you're ready.",
        [CitedPassage("vetassess-149212", 137, 137, "Apply online when you’re ready.")],
    )
    (row,) = score_answers([_Q], lambda _q: quote).per_question
    assert not row.fully_answered and not row.direct
    assert row.not_lead_hit == ["^Apply"] and row.cites_missed == ["vetassess-149212:46"]
    assert row.off_pattern == ["vetassess-149212:137-137"]


def test_a_direct_cited_answer_is_fully_answered() -> None:
    good = EvalAnswer(
        "Only at 20 hours or more a week. Less is not counted.",
        [CitedPassage("vetassess-149212", 44, 46, "** Highly relevant paid employment")],
    )
    (row,) = score_answers([_Q], lambda _q: good).per_question
    assert row.fully_answered and row.direct and not row.off_pattern
