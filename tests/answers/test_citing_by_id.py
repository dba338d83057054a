"""Citing reads only the chunks it cites, by id, never the whole build."""

from __future__ import annotations

import dataclasses
import re
from datetime import date

import pytest

from skillcheck.assistant import Assistant
from skillcheck.citing import CitedAnswer
from skillcheck.config import Settings
from skillcheck.corpus import Chunk, build_chunks
from skillcheck.events import Done
from skillcheck.passages import CitationRegistry
from skillcheck.paths import CORPUS_DIR
from skillcheck.retrieval import Retriever, open_retriever
from skillcheck.store import Store
from skillcheck.topics import load_topics

DAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory) -> Retriever:
    settings = Settings(home=tmp_path_factory.mktemp("citing-home"), openai_api_key=None)
    return open_retriever(settings, say=lambda _m: None, progress=False)


class Reader:
    """Chunks by id from a fixed set, recording every id asked for."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self.chunks = {c.id: c for c in chunks}
        self.asked: list[str] = []

    def chunks_by_id(self, ids: list[str]) -> dict[str, Chunk]:
        self.asked.extend(ids)
        return {i: self.chunks[i] for i in ids if i in self.chunks}


def test_an_answer_reads_its_cited_chunks_by_id_and_never_the_whole_build(
    retriever: Retriever, monkeypatch: pytest.MonkeyPatch
) -> None:
    def whole_build(self: Store, build: str | None = None) -> list[Chunk]:
        raise AssertionError("citing read every chunk of the build")

    monkeypatch.setattr(Store, "chunks", whole_build)
    asked: list[str] = []
    read = retriever.chunks_by_id

    def spy(ids: list[str]) -> dict[str, Chunk]:
        asked.extend(ids)
        return read(ids)

    monkeypatch.setattr(retriever, "chunks_by_id", spy)
    assistant = Assistant(retriever.store.settings, retriever, offline=True)
    # a topic's statement, and a question whose quotes need a companion from another page
    for question in ("Does part-time work count?", "Can experience replace a diploma?"):
        done = list(assistant.stream(question, [], today=DAY))[-1]
        assert isinstance(done, Done)
        cited = {int(n) for n in re.findall(r"\[(\d+)\]", done.answer)}
        assert cited, done.answer
    assert asked and len(set(asked)) <= 8  # a few chunks by id, not the 21 of the build


def test_a_line_is_cited_from_the_build_s_chunk_in_the_build_s_offsets() -> None:
    topics = load_topics()
    said = topics.say("hours_part_time")
    local = build_chunks(CORPUS_DIR)
    moved = [dataclasses.replace(c, start=c.start + 7, end=c.end + 7) for c in local]
    registry = CitationRegistry()
    answer = CitedAnswer(registry, Reader(moved), CORPUS_DIR)
    text = answer.sentences(said)
    assert re.search(r"\[1\]", text)
    passage = registry.passages[0]
    start, end = passage.highlights[0]
    assert passage.start <= start < end <= passage.end
    quoted = passage.text[start - passage.start : end - passage.start]
    assert quoted and quoted in " ".join(r.quote for s in said for r in s.refs)


def test_a_line_whose_chunk_is_not_in_the_build_is_not_cited() -> None:
    said = load_topics().say("hours_part_time")
    local = build_chunks(CORPUS_DIR)
    edited = [dataclasses.replace(c, text=c.text.replace("20 hours", "25 hours")) for c in local]
    for chunks in ([], edited):  # a build of other pages; a build whose text differs
        reader = Reader(chunks)
        registry = CitationRegistry()
        text = CitedAnswer(registry, reader, CORPUS_DIR).sentences(said)
        assert reader.asked  # asked by id, and nothing found
        assert "[" not in text and registry.passages == []


def test_a_companion_is_read_by_id_from_the_other_page() -> None:
    local = build_chunks(CORPUS_DIR)
    reader = Reader(local)
    answer = CitedAnswer(CitationRegistry(), reader, CORPUS_DIR)
    quote = "Australian Qualifications Framework (AQF) Diploma or higher"
    holder = answer.lookup.holding("vetassess-149212", quote)
    assert holder is not None and quote in holder.text
    assert reader.asked == [holder.id]
    assert answer.lookup.holding("anzsco-1492", quote) is None  # not on that page
