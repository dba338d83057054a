"""The lexical index: built at ingest with bm25s, kept with its build, opened without chunks."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ingest import run_ingest
from skillcheck.config import get_settings
from skillcheck.embeddings import get_embedder
from skillcheck.errors import StoreError
from skillcheck.lexical import LexicalIndex, ServerShelf, tokenize
from skillcheck.retrieval import Retriever
from skillcheck.store import Store
from tests.core.test_store import chroma_server  # noqa: F401  (the module's server fixture)

DOCS = [
    ("a:1", "Paid employment of 20 hours or more per week counts."),
    ("a:2", "An organisational chart shows superiors and subordinates."),
    ("b:1", "A statutory declaration may support self-employment."),
    ("b:2", "Employment must be highly relevant to the nominated occupation."),
]


def test_a_saved_index_answers_like_the_one_built(tmp_path: Path) -> None:
    built = LexicalIndex.build(DOCS)
    built.save(tmp_path / "ix")
    loaded = LexicalIndex.load(tmp_path / "ix")
    for query in ("hours per week", "organisational chart", "employment", "zebra"):
        assert loaded.top(query, 4) == built.top(query, 4)
    assert loaded.top("statutory declarations", 2)[0][0] == "b:1"  # plural folded
    assert loaded.top("zebra", 4) == []


def test_an_index_of_no_chunks_finds_nothing(tmp_path: Path) -> None:
    empty = LexicalIndex.build([])
    empty.save(tmp_path / "ix")
    assert len(LexicalIndex.load(tmp_path / "ix")) == 0
    assert LexicalIndex.load(tmp_path / "ix").top("anything", 4) == []


def test_an_index_of_another_version_is_refused(tmp_path: Path) -> None:
    LexicalIndex.build(DOCS).save(tmp_path / "ix")
    meta = tmp_path / "ix" / "skillcheck.json"
    meta.write_text(json.dumps({"lexical_version": 0, "documents": len(DOCS)}), "utf-8")
    with pytest.raises(StoreError, match=r"version 0.*ingest --force"):
        LexicalIndex.load(tmp_path / "ix")


def test_opening_reads_no_chunk_and_a_search_fetches_only_its_hits(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetched: list[list[str]] = []
    original = Store.chunks_by_id

    def spy(self: Store, ids: list[str], build: str | None = None) -> object:
        fetched.append(list(ids))
        return original(self, ids, build=build)

    def no_full_read(self: Store, build: str | None = None) -> None:
        raise AssertionError("the retriever read every chunk")

    monkeypatch.setattr(Store, "chunks", no_full_read)
    monkeypatch.setattr(Store, "chunks_by_id", spy)
    retriever = Retriever(Store(get_settings()), get_embedder(get_settings()))
    seen: set[str] = set()
    for question in ("Do I need an organisational chart?", "Does part-time work count?"):
        for mode in ("hybrid", "dense", "bm25"):
            calls = len(fetched)
            hits = retriever.search(question, 3, mode=mode)  # type: ignore[arg-type]
            ids = [h.chunk.id for h in hits]
            assert len(hits) == 3
            asked = [i for call in fetched[calls:] for i in call]
            assert sorted(asked) == sorted(set(ids) - seen)  # only its hits, each read once
            seen |= set(ids)
    assert fetched  # the chunks did come from the store


def test_the_chunks_kept_by_id_are_bounded(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import skillcheck.retrieval as retrieval

    monkeypatch.setattr(retrieval, "CHUNK_CACHE", 2)
    retriever = Retriever(Store(get_settings()), get_embedder(get_settings()))
    hits = retriever.search("Do I need an organisational chart?", 5)
    assert len(hits) == 5
    assert list(retriever._fetched) == [h.chunk.id for h in hits][-2:]


def test_the_index_lives_beside_the_store_and_goes_with_its_build(home: Path) -> None:
    settings = get_settings()
    store = Store(settings)
    root = settings.store_path / "lexical"
    before = store.active_name()
    assert before is not None
    assert sorted(p.name for p in root.iterdir()) == [before]
    run_ingest(settings, force=True, progress=False)
    after = store.active_name()
    assert after is not None and after != before
    assert sorted(p.name for p in root.iterdir()) == [after]  # the old one is gone with its build
    store.reset()
    assert list(root.iterdir()) == []


def test_a_missing_index_is_one_line_naming_the_fix(home: Path) -> None:
    settings = get_settings()
    store = Store(settings)
    store.lexical.drop(str(store.active_name()))
    with pytest.raises(StoreError, match=r"missing or unreadable.*skillcheck ingest --force"):
        Retriever(store, get_embedder(settings))
    run_ingest(settings, force=True, progress=False)
    assert Retriever(Store(settings), get_embedder(settings)).search("hours per week", 2)


def test_a_build_that_fails_writing_its_index_leaves_the_old_one_answering(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = get_settings()
    before = Store(settings).active_name()

    def boom(self: LexicalIndex, directory: Path) -> None:
        directory.mkdir(parents=True)
        (directory / "partial").write_text("x")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(LexicalIndex, "save", boom)
    with pytest.raises(StoreError, match="disk is full"):
        run_ingest(settings, force=True, progress=False)
    store = Store(settings)
    assert store.active_name() == before
    assert sorted(p.name for p in (settings.store_path / "lexical").iterdir()) == [before]
    monkeypatch.undo()
    assert Retriever(store, get_embedder(settings)).search("organisational chart", 2)


def test_tokenize_is_what_the_index_sees() -> None:
    assert tokenize("Supervisors supervising") == ["supervisor", "supervis"]


@pytest.mark.chroma_server
def test_every_instance_loads_the_builds_index_from_the_server(
    chroma_server: tuple[str, int],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    host, port = chroma_server
    monkeypatch.setenv("CHROMA_HOST", host)
    monkeypatch.setenv("CHROMA_PORT", str(port))
    monkeypatch.setenv("SKILLCHECK_COLLECTION_PREFIX", f"lx{os.getpid()}")
    monkeypatch.setenv("SKILLCHECK_HOME", str(tmp_path / "writer"))
    get_settings.cache_clear()
    writer = Store(get_settings())
    writer.reset()
    try:
        run_ingest(get_settings(), progress=False)
        build = writer.active_name()
        assert build is not None
        assert ServerShelf.side_name(build) in writer._collection_names()
        question = "How many hours a week must I work?"
        # another instance: its own home, so its own (empty) cache
        monkeypatch.setenv("SKILLCHECK_HOME", str(tmp_path / "reader"))
        get_settings.cache_clear()
        reader = Retriever(Store(get_settings()), get_embedder(get_settings()))
        hits = reader.search(question, 4, mode="bm25")
        assert any("20 hours or more per week" in h.chunk.text for h in hits)
        assert (get_settings().cache_dir / "lexical").is_dir()
        # a new build replaces the side collection of the old one
        run_ingest(get_settings(), force=True, progress=False)
        names = writer._collection_names()
        assert ServerShelf.side_name(build) not in names
        new = writer.active_name()
        assert new is not None and ServerShelf.side_name(new) in names
        again = Retriever(Store(get_settings()), get_embedder(get_settings()))
        assert [h.chunk.id for h in again.search(question, 4, mode="bm25")] == [
            h.chunk.id for h in hits
        ]
    finally:
        writer.reset()
    assert not [n for n in writer._collection_names() if n.startswith(f"lx{os.getpid()}-")]


@pytest.mark.chroma_server
def test_a_damaged_index_on_the_server_is_refused(
    chroma_server: tuple[str, int],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    host, port = chroma_server
    monkeypatch.setenv("CHROMA_HOST", host)
    monkeypatch.setenv("CHROMA_PORT", str(port))
    monkeypatch.setenv("SKILLCHECK_COLLECTION_PREFIX", f"ld{os.getpid()}")
    get_settings.cache_clear()
    store = Store(get_settings())
    store.reset()
    try:
        run_ingest(get_settings(), progress=False)
        build = str(store.active_name())
        side = store._client.get_collection(ServerShelf.side_name(build), embedding_function=None)
        side.update(ids=["chunk_ids.npy#0"], documents=["AAAA"], embeddings=[[0.0]])
        with pytest.raises(StoreError, match="damaged"):
            Retriever(Store(get_settings()), get_embedder(get_settings()))
    finally:
        store.reset()


@pytest.mark.parametrize(
    ("question", "page_words"),
    [
        ("Are team leads accepted?", "Customer Service Agent or Supervisor"),  # team leader
        ("Which other job titles are accepted?", "alternative titles"),  # job title
        ("Which roles won't VETASSESS take?", "not considered suitable"),
        ("Which jobs are rejected for this code?", "not considered suitable"),
        ("What is the ABS classification of this job?", "Standard Classification"),
    ],
)
def test_the_lexicon_matches_by_stems_and_knows_the_opposites(
    question: str, page_words: str
) -> None:
    from skillcheck.lexical import Lexicon

    assert page_words in Lexicon().expand(question)


def test_a_single_lexicon_word_is_not_folded_past_its_plural() -> None:
    from skillcheck.lexical import Lexicon

    # "counter" (a shop counter) is a lexicon word; "count" must not find it
    assert "front-line retail" not in Lexicon().expand("Does that count?")
    assert "front-line retail" in Lexicon().expand("I worked at the counter")


def test_a_long_story_weighs_no_more_than_its_ask() -> None:
    from skillcheck.lexical import split_ask

    story = (
        "I worked nine years in hospitality and retail, then managed a team of twelve "
        "support staff at a bank, handling complaints and refunds, and I hold a diploma. "
        "Which document about the company structure must I submit?"
    )
    parts = split_ask(story)
    assert parts.ask == "Which document about the company structure must I submit?"
    assert 0 < parts.detail_weight < 1
    short = split_ask("My title is Customer Experience Manager. Is that accepted?")
    assert short.detail_weight == 1.0  # short details are the question's substance
    assert split_ask("What hours count?").details == ""


def test_the_ask_outranks_the_story_in_bm25() -> None:
    from skillcheck.lexical import Lexicon, weighted_texts

    story = (
        "I have worked full time for nine years as a customer service manager, managing "
        "fifteen staff, handling complaints and reviewing service policies at a bank. "
        "Do I need an organisational chart?"
    )
    index = LexicalIndex.build(
        [
            ("emp", "employment customer service manager staff complaints policies bank years"),
            ("org", "An organisational chart must be submitted."),
        ]
    )
    assert index.top_weighted(weighted_texts(story, Lexicon()), 2)[0][0] == "org"
    # weighed equally, the story's many words would win
    assert index.top(story, 2)[0][0] == "emp"
