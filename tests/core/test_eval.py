"""Retrieval quality on the applicants' question set: the floor the product promises."""

from __future__ import annotations

from pathlib import Path

from skillcheck.config import get_settings
from skillcheck.embeddings import get_embedder
from skillcheck.evaluation import DEFAULT_QUESTIONS, evaluate, load_questions
from skillcheck.retrieval import Retriever
from skillcheck.store import Store


def test_the_question_set_is_large_and_a_third_paraphrased() -> None:
    questions = load_questions(DEFAULT_QUESTIONS)
    assert len(questions) >= 40
    assert sum(q.paraphrased for q in questions) * 3 >= len(questions)


def test_hybrid_recall_at_4_meets_the_floor_and_beats_each_retriever(home: Path) -> None:
    retriever = Retriever(Store(get_settings()), get_embedder())
    questions = load_questions(DEFAULT_QUESTIONS)
    dense, bm25, hybrid = (evaluate(retriever, questions, m) for m in ("dense", "bm25", "hybrid"))
    assert hybrid.recall_at_4 >= 0.95, hybrid.misses
    assert hybrid.recall_at_4 >= max(dense.recall_at_4, bm25.recall_at_4)
    assert hybrid.mrr >= max(dense.mrr, bm25.mrr)


def test_eval_exits_non_zero_under_the_floor(home: Path, capsys: object) -> None:
    from skillcheck.cli import main

    assert main(["eval", "--min-recall", "1.01"]) == 1
    assert main(["eval", "--min-recall", "0.5"]) == 0
