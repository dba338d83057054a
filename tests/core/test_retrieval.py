"""Hybrid retrieval: BM25 and dense fused by reciprocal rank, each hit cited."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillcheck.config import get_settings
from skillcheck.embeddings import get_embedder
from skillcheck.errors import UserInputError
from skillcheck.lexical import LexicalIndex
from skillcheck.passages import Passage
from skillcheck.retrieval import EXPANSION_WEIGHT, RRF_K, Retriever, tokenize, validate_query
from skillcheck.store import Store


@pytest.fixture
def retriever(home: Path) -> Retriever:
    return Retriever(Store(get_settings()), get_embedder(get_settings()))


def test_tokenize_folds_plurals_and_drops_stop_words() -> None:
    assert tokenize("The Managers are managing policies") == ["manager", "manag", "policy"]


def test_bm25_ranks_the_document_with_the_rare_term_first() -> None:
    bm25 = LexicalIndex.build(
        [("c", "the cat sat"), ("d", "the dog sat"), ("s", "a statutory declaration is needed")]
    )
    top = bm25.top("statutory declaration", 3)
    assert top[0][0] == "s"
    assert len(top) == 1  # documents without a query term are not returned


def test_hybrid_hits_carry_citation_metadata_and_both_ranks(retriever: Retriever) -> None:
    hits = retriever.search("Do I need an organisational chart?", 4)
    assert [h.rank for h in hits] == [1, 2, 3, 4]
    top = hits[0]
    assert "organisational chart" in top.chunk.text
    assert top.dense_rank is not None and top.bm25_rank is not None
    expected = 1 / (RRF_K + top.dense_rank) + 1 / (RRF_K + top.bm25_rank)
    assert top.score == pytest.approx(expected)
    cite = Passage.of(top.chunk, 1)
    assert cite.source == "vetassess-149212"
    assert cite.publisher == "VETASSESS"
    assert cite.end - cite.start == len(cite.text)


def test_scores_never_rise_down_the_ranking(retriever: Retriever) -> None:
    hits = retriever.search("Is a retail manager accepted?", 8)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("mode", ["dense", "bm25"])
def test_single_retriever_modes_only_use_that_retriever(retriever: Retriever, mode: str) -> None:
    hits = retriever.search("highly relevant fields of study", 3, mode=mode)  # type: ignore[arg-type]
    assert hits
    for h in hits:
        if mode == "dense":
            assert h.bm25_rank is None and h.dense_rank is not None
        else:
            assert h.dense_rank is None and h.bm25_rank is not None


def test_the_anzsco_page_is_marked_not_latest(retriever: Retriever) -> None:
    hits = retriever.search("Can three years of experience replace a qualification?", 4)
    anzsco = [Passage.of(h.chunk, 1) for h in hits if h.chunk.source_id == "anzsco-1492"]
    assert anzsco and all(c.latest_release is False for c in anzsco)


@pytest.mark.parametrize(
    ("question", "k", "message"),
    [
        ("", 4, "question: empty"),
        ("   \n", 4, "question: empty"),
        ("x" * 100_000, 4, "too long"),
        ("fine", 0, "top-k"),
        ("fine", 51, "top-k"),
    ],
)
def test_bad_queries_name_the_problem(question: str, k: int, message: str) -> None:
    with pytest.raises(UserInputError, match=message):
        validate_query(question, k)


def test_the_lexicon_maps_everyday_words_to_the_pages_words() -> None:
    from skillcheck.retrieval import Lexicon

    lexicon = Lexicon()
    assert "20 hours" in lexicon.expand("Does my part-time job count?")
    assert "Doctoral" in lexicon.expand("Is a PhD enough?")
    assert lexicon.expand("zebra") == ""


def test_expansion_words_weigh_less_than_typed_words() -> None:
    bm25 = LexicalIndex.build([("p", "paid employment"), ("v", "volunteer work")])
    typed = bm25.top("paid", 2)
    expanded = bm25.top("volunteer", 2, expansion="paid")
    assert typed[0][0] == "p"
    assert expanded[0][0] == "v"  # what the user typed still comes first
    assert dict(expanded)["p"] == pytest.approx(EXPANSION_WEIGHT * typed[0][1])
