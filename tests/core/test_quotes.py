"""Quotes: verbatim sentences, each with a marker that maps to a numbered passage."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from skillcheck.citing import CorpusChunks
from skillcheck.config import get_settings
from skillcheck.corpus import load_sources
from skillcheck.embeddings import get_embedder
from skillcheck.passages import CitationRegistry
from skillcheck.quotes import QuoteBlock, quote_sentences
from skillcheck.retrieval import Retriever
from skillcheck.store import Store


@pytest.fixture
def retriever(home: Path) -> Retriever:
    return Retriever(Store(get_settings()), get_embedder(get_settings()))


def quoted(retriever: Retriever, q: str, pool: bool = False) -> tuple[QuoteBlock, CitationRegistry]:
    registry = CitationRegistry()
    chunks = [h.chunk for h in retriever.search(q, 4)]
    beyond = CorpusChunks(retriever, get_settings().corpus_dir).holding if pool else None
    return quote_sentences(q, chunks, retriever.embedder, registry, holder_of=beyond), registry


QUESTIONS = [
    "How many hours a week must I work?",
    "Which fields of study are highly relevant?",
    "Is a Retail Manager accepted?",
    "What does a Customer Service Manager do?",
    "Do I need an organisational chart?",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_quote_is_verbatim_and_every_marker_maps(retriever: Retriever, question: str) -> None:
    block, registry = quoted(retriever, question)
    texts = {s.meta.id: s.text for s in load_sources(get_settings().corpus_dir)}
    by_n = {p.n: p for p in registry.passages}
    assert block.quotes
    for quote in block.quotes:
        passage = by_n[quote.passage_n]
        assert texts[passage.source][quote.start : quote.end] == quote.text
        assert passage.start <= quote.start and quote.end <= passage.end
        assert any(s <= quote.start and quote.end <= e for s, e in passage.highlights)
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", "\n".join(block.lines))}
    assert markers and markers <= set(by_n)


def test_the_same_sentence_is_not_quoted_twice(retriever: Retriever) -> None:
    q = "What does a Customer Service Manager do, according to VETASSESS?"
    block, _ = quoted(retriever, q)
    assert "\n".join(block.lines).lower().count("plans, administers and reviews") == 1


def test_list_items_are_quoted_with_their_intro(retriever: Retriever) -> None:
    q = "Is a Technical Support Manager suitable?"
    text = "\n".join(quoted(retriever, q)[0].lines)
    assert "Occupations not considered suitable under this ANZSCO code: " in text
    assert "Technical Support Manager" in text


def test_no_chunks_quote_nothing() -> None:
    registry = CitationRegistry()
    block = quote_sentences("anything", [], get_embedder(get_settings()), registry)
    assert block.lines == [] and registry.passages == []


def test_the_anzsco_substitution_sentence_never_stands_alone(retriever: Retriever) -> None:
    """ANZSCO's 'experience may substitute' comes with VETASSESS's qualification rule."""
    q = "I have five years of experience but no diploma. Can experience replace it?"
    block, registry = quoted(retriever, q, pool=True)
    text = "\n".join(block.lines)
    assert "may substitute for the formal qualifications" in text
    assert "Australian Qualifications Framework (AQF) Diploma or higher" in text
    assert "A positive assessment of both qualification level" in text
    assert any("VETASSESS, the assessing authority, still requires" in n for n in block.notes)
    assert {p.source for p in registry.passages} == {"anzsco-1492", "vetassess-149212"}
    assert {int(m) for m in re.findall(r"\[(\d+)\]", text)} <= registry.numbers
