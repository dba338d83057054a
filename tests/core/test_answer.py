"""The offline answer: verbatim sentences, each with a marker that maps to a passage."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from skillcheck.answer import ELIGIBILITY_NOTE, extractive_answer, is_eligibility_question
from skillcheck.config import get_settings
from skillcheck.corpus import load_sources
from skillcheck.embeddings import get_embedder
from skillcheck.retrieval import Retriever
from skillcheck.store import Store


@pytest.fixture
def retriever(home: Path) -> Retriever:
    return Retriever(Store(get_settings()), get_embedder())


QUESTIONS = [
    "How many hours a week must I work?",
    "Which fields of study are highly relevant?",
    "Is a Retail Manager accepted?",
    "What does a Customer Service Manager do?",
    "Do I need an organisational chart?",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_quote_is_verbatim_and_every_marker_maps(retriever: Retriever, question: str) -> None:
    hits = retriever.search(question, 4)
    answer = extractive_answer(question, hits, retriever.embedder)
    texts = {s.meta.id: s.text for s in load_sources(get_settings().corpus_dir)}
    assert answer.quotes
    for quote in answer.quotes:
        cite = answer.citations[quote.hit_n - 1]
        assert texts[cite["source"]][quote.start : quote.end] == quote.text
        assert cite["start"] <= quote.start and quote.end <= cite["end"]
    body = answer.text.split("\n\nSources:")[0]
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", body)}
    assert markers and markers <= {c["n"] for c in answer.citations}


def test_the_same_sentence_is_not_quoted_twice(retriever: Retriever) -> None:
    q = "What does a Customer Service Manager do, according to VETASSESS?"
    answer = extractive_answer(q, retriever.search(q, 4), retriever.embedder)
    assert answer.text.lower().count("plans, administers and reviews") == 1


def test_list_items_are_quoted_with_their_intro(retriever: Retriever) -> None:
    q = "Is a Technical Support Manager suitable?"
    answer = extractive_answer(q, retriever.search(q, 4), retriever.embedder)
    assert "Occupations not considered suitable under this ANZSCO code: " in answer.text
    assert "Technical Support Manager" in answer.text


def test_no_hits_says_the_sources_do_not_answer() -> None:
    answer = extractive_answer("anything", [], get_embedder())
    assert "do not answer" in answer.text and answer.citations == []


def test_an_eligibility_question_points_to_the_eligibility_check(retriever: Retriever) -> None:
    q = "Am I eligible with a diploma and two years as a service manager?"
    assert is_eligibility_question(q)
    assert not is_eligibility_question("What hours count?")
    answer = extractive_answer(q, retriever.search(q, 4), retriever.embedder)
    assert ELIGIBILITY_NOTE in answer.text


def test_the_anzsco_substitution_sentence_never_stands_alone(retriever: Retriever) -> None:
    """ANZSCO's 'experience may substitute' comes with VETASSESS's qualification rule."""
    q = "I have five years of experience but no diploma. Can experience replace it?"
    answer = extractive_answer(q, retriever.search(q, 4), retriever.embedder, pool=retriever.chunks)
    assert "may substitute for the formal qualifications" in answer.text
    assert "Australian Qualifications Framework (AQF) Diploma or higher" in answer.text
    assert "A positive assessment of both qualification level" in answer.text
    assert "VETASSESS, the assessing authority, still requires" in answer.text
    sources = {c["source"] for c in answer.citations}
    assert sources == {"anzsco-1492", "vetassess-149212"}
    body = answer.text.split("\n\nSources:")[0]
    assert {int(m) for m in re.findall(r"\[(\d+)\]", body)} <= {c["n"] for c in answer.citations}
