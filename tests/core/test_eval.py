"""Retrieval quality on the applicants' question set: the floor the product promises."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillcheck.config import get_settings
from skillcheck.corpus import build_chunks
from skillcheck.embeddings import get_embedder
from skillcheck.evaluation import DEFAULT_QUESTIONS, HELDOUT_QUESTIONS, evaluate, load_questions
from skillcheck.paths import CORPUS_DIR
from skillcheck.retrieval import Retriever, tokenize
from skillcheck.store import Store

SETS = [DEFAULT_QUESTIONS, HELDOUT_QUESTIONS]


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.name)
def test_the_question_set_is_large_and_a_third_paraphrased(path: Path) -> None:
    questions = load_questions(path)
    assert len(questions) >= 40
    assert len({q.id for q in questions}) == len(questions)
    assert sum(q.paraphrased for q in questions) * 3 >= len(questions)


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.name)
def test_every_labelled_passage_exists_and_paraphrases_share_no_word(path: Path) -> None:
    chunks = build_chunks(CORPUS_DIR)
    for q in load_questions(path):
        for expected in (q.answer, *q.also):
            assert any(
                c.source_id == expected.source and expected.quote in c.text for c in chunks
            ), (q.id, expected.quote)
        if q.paraphrased:
            assert not set(tokenize(q.question)) & set(tokenize(q.answer.quote)), q.id


def test_the_held_out_set_shares_no_question_with_the_tuning_set() -> None:
    tuning = {q.question.casefold() for q in load_questions(DEFAULT_QUESTIONS)}
    assert not tuning & {q.question.casefold() for q in load_questions(HELDOUT_QUESTIONS)}


def test_hybrid_meets_the_floors_and_beats_each_retriever_on_the_tuning_set(home: Path) -> None:
    retriever = Retriever(Store(get_settings()), get_embedder(get_settings()))
    questions = load_questions(DEFAULT_QUESTIONS)
    dense, bm25, hybrid = (evaluate(retriever, questions, m) for m in ("dense", "bm25", "hybrid"))
    assert hybrid.recall_at_4 >= 0.95, hybrid.misses
    assert hybrid.mrr >= 0.85
    for metric in ("recall_at_1", "recall_at_4", "mrr"):
        assert getattr(hybrid, metric) >= max(getattr(dense, metric), getattr(bm25, metric))


def test_eval_exits_non_zero_under_the_floor(home: Path, capsys: object) -> None:
    from skillcheck.cli import main

    assert main(["eval", "--min-recall", "1.01"]) == 1
    assert main(["eval", "--min-recall", "0.5"]) == 0
