"""The corpus: verbatim chunks that keep their context, a strict manifest, stable ids."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest
import yaml

from skillcheck.corpus import (
    MAX_CHUNK_CHARS,
    MIN_CHUNK_CHARS,
    Source,
    build_chunks,
    chunk_source,
    load_manifest,
    load_sources,
    locate_quote,
)
from skillcheck.errors import CorpusError
from skillcheck.paths import CORPUS_DIR, PACKAGE_DIR

CORPUS = CORPUS_DIR
# shared/ sits beside the clone (CI, /work/main) or further up (a worktree under /work/wt)
SEEDS = next(
    (d / "shared" / "seeds" for d in PACKAGE_DIR.parents if (d / "shared" / "seeds").is_dir()),
    PACKAGE_DIR.parent.parent / "shared" / "seeds",
)


def test_sources_are_the_seeds_word_for_word() -> None:
    manifest = load_manifest(CORPUS)
    assert manifest.sources
    for meta in manifest.sources:
        assert meta.seed_file
        seed = SEEDS / meta.seed_file
        # shared/ sits beside the clone in CI and on dev machines: missing is a failure
        assert seed.is_file(), f"seed {seed} is missing: the corpus cannot be checked"
        assert (CORPUS / meta.file).read_bytes() == seed.read_bytes(), meta.file


def test_every_chunk_is_a_verbatim_slice_of_its_source() -> None:
    texts = {s.meta.id: s.text for s in load_sources(CORPUS)}
    chunks = build_chunks(CORPUS)
    assert len(chunks) >= 20
    for chunk in chunks:
        assert texts[chunk.source_id][chunk.start : chunk.end] == chunk.text


def test_boilerplate_lines_are_in_no_chunk() -> None:
    for chunk in build_chunks(CORPUS):
        for phrase in ("Skip to main content", "Back to top of the page", "Start your online"):
            assert phrase not in chunk.text


def test_a_list_item_travels_with_the_line_that_introduces_it() -> None:
    chunks = build_chunks(CORPUS)
    retail = [c for c in chunks if "Retail Manager" in c.text]
    assert retail
    assert all("Occupations not considered suitable" in c.text for c in retail)
    fields = next(c for c in chunks if "Customer Service Management" in c.text)
    assert "Highly relevant major fields of study include:" in fields.text


def test_sections_name_the_heading_above_the_passage() -> None:
    chunks = build_chunks(CORPUS)
    route4 = next(c for c in chunks if "minimum 4 years of relevant employment" in c.text)
    assert route4.section == "Group C > 4"
    chart = next(c for c in chunks if "organisational chart" in c.text)
    assert chart.section == "Supporting material for assessment"


def test_a_nested_list_stays_with_the_line_that_announces_it() -> None:
    chunks = build_chunks(CORPUS)
    skill = next(c for c in chunks if "In Australia:" in c.text)
    assert "Indicative Skill Level:" in skill.text  # "... outlined below:" announces both lists
    assert "In New Zealand:" in skill.text


def test_numbered_steps_join_the_heading_they_sit_under() -> None:
    chunks = build_chunks(CORPUS)
    how = next(c for c in chunks if "Find the VETASSESS occupation" in c.text)
    assert how.section == "How to apply"
    for step in ("Match your skills", "Get ready to apply", "Apply online"):
        assert step in how.text


def _source(text: str) -> Source:
    meta = load_manifest(CORPUS).sources[1].model_copy(update={"id": "synthetic"})
    return Source(meta=meta, text=text)


def test_short_pieces_join_within_their_section_only() -> None:
    text = (
        "Alpha\n\nShort first paragraph about alpha.\n\nSecond line under alpha:\n\n"
        "  • one item\n\nBeta\n\nBeta has a short paragraph of its own.\n"
    )
    chunks = chunk_source(_source(text), [])
    assert [c.section for c in chunks] == ["Alpha", "Beta"]
    assert "one item" in chunks[0].text and "Beta" not in chunks[0].text


def test_joining_never_grows_a_chunk_past_the_maximum() -> None:
    long_paragraph = "Long sentence about the topic. " * (MAX_CHUNK_CHARS // 31)
    text = f"Alpha\n\nTiny.\n\nIntro line:\n\n  • item\n\n{long_paragraph.strip()}\n"
    chunks = chunk_source(_source(text), [])
    assert len(chunks) == 2
    assert all(len(c.text) <= MAX_CHUNK_CHARS for c in chunks)
    assert len(chunks[0].text) < MIN_CHUNK_CHARS  # too short, but the next one cannot fit it


def test_corpus_chunks_respect_the_size_bounds_where_they_can() -> None:
    """No chunk is too long; each short one is short for a reason the joiner respects."""
    chunks = build_chunks(CORPUS)
    assert all(len(c.text) <= MAX_CHUNK_CHARS for c in chunks)
    short = 0
    for a, b in itertools.pairwise([*chunks, None]):
        assert a is not None
        if len(a.text) >= MIN_CHUNK_CHARS:
            continue
        short += 1
        ends_its_source = b is None or b.source_id != a.source_id
        next_is_another_heading = b is not None and _top(b.section) != _top(a.section)
        would_overflow = b is not None and b.end - a.start > MAX_CHUNK_CHARS
        assert ends_its_source or next_is_another_heading or would_overflow, a.section
    assert short >= 1  # the corpus has short chunks, so the rule above was exercised


def _top(section: str) -> str:
    return section.split(" > ")[0]


def test_joining_short_corpus_pieces_fills_chunks_toward_the_minimum() -> None:
    """Without joining, the corpus would have more pieces under the minimum."""
    chunks = build_chunks(CORPUS)
    short = [c for c in chunks if len(c.text) < MIN_CHUNK_CHARS]
    assert len(short) <= len(chunks) // 2
    occupation = [c for c in chunks if c.section == "Occupation description"]
    assert occupation and all(len(c.text) >= MIN_CHUNK_CHARS for c in occupation)


def test_chunk_ids_are_stable_and_unique() -> None:
    first = [c.id for c in build_chunks(CORPUS)]
    second = [c.id for c in build_chunks(CORPUS)]
    assert first == second
    assert len(set(first)) == len(first)
    assert all(cid.split(":")[0] in {"anzsco-1492", "vetassess-149212"} for cid in first)


def test_locate_quote_finds_the_chunk_and_offsets() -> None:
    quote = "20 hours or more per week"
    found = locate_quote("vetassess-149212", quote, CORPUS)
    assert found is not None
    text = (CORPUS / "vetassess-149212.txt").read_text("utf-8")
    assert text[found.start : found.end] == quote
    assert locate_quote("vetassess-149212", "not in the page at all", CORPUS) is None


def _copy_corpus(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def test_a_third_source_is_a_file_and_a_manifest_entry(tmp_path: Path) -> None:
    corpus = _copy_corpus(tmp_path)
    text = "Extra Page\n\nApplicants should keep payslips for every period of employment.\n"
    (corpus / "extra.txt").write_text(text, encoding="utf-8")
    manifest = yaml.safe_load((corpus / "manifest.yaml").read_text("utf-8"))
    import hashlib

    entry = dict(manifest["sources"][1])
    entry.update(id="extra", file="extra.txt", sha256=hashlib.sha256(text.encode()).hexdigest())
    manifest["sources"].append(entry)
    (corpus / "manifest.yaml").write_text(yaml.safe_dump(manifest), encoding="utf-8")
    extra = [c for c in build_chunks(corpus) if c.source_id == "extra"]
    assert [c.text for c in extra] == [text.strip()]


def test_a_changed_source_fails_its_hash_check(tmp_path: Path) -> None:
    corpus = _copy_corpus(tmp_path)
    path = corpus / "vetassess-149212.txt"
    path.write_text(path.read_text("utf-8") + "tampered", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"vetassess-149212.txt: sha256"):
        load_sources(corpus)


def test_an_unknown_manifest_key_is_rejected(tmp_path: Path) -> None:
    corpus = _copy_corpus(tmp_path)
    manifest = yaml.safe_load((corpus / "manifest.yaml").read_text("utf-8"))
    manifest["sources"][0]["colour"] = "blue"
    (corpus / "manifest.yaml").write_text(yaml.safe_dump(manifest), encoding="utf-8")
    with pytest.raises(CorpusError, match="colour"):
        load_manifest(corpus)


def test_a_missing_source_file_is_named(tmp_path: Path) -> None:
    corpus = _copy_corpus(tmp_path)
    (corpus / "anzsco-1492.txt").unlink()
    with pytest.raises(CorpusError, match=r"anzsco-1492\.txt"):
        load_sources(corpus)


def _manifest_with(tmp_path: Path, line: str, value: str) -> Path:
    """A copy of the corpus whose first source's ``line`` key reads ``value`` (as written)."""
    corpus = _copy_corpus(tmp_path)
    path = corpus / "manifest.yaml"
    lines = path.read_text("utf-8").split("\n")
    at = next(i for i, x in enumerate(lines) if x.startswith(f"    {line}:"))
    lines[at] = f"    {line}: {value}"
    path.write_text("\n".join(lines), encoding="utf-8")
    return corpus


@pytest.mark.parametrize(
    ("key", "value", "said"),
    [
        ("url", "www.abs.gov.au/anzsco", "is not an https:// address"),
        ("url", "http://www.abs.gov.au/anzsco", "is not an https:// address"),
        ("url", '"https://www.abs.gov.au/a page"', "is not an https:// address"),
        ("url", '"https://<script>.com/"', "is not an https:// address"),
        ("url", "42", "is not an https:// address"),
        ("captured", '"22/11/2026"', "is not a date written YYYY-MM-DD"),
        ("captured", "2026-13-45", "is not a real date"),  # unquoted: YAML would choke on it
        ("captured", "2026-11-31", "is not a real date"),
        ("captured", "20261122", "is not a date written YYYY-MM-DD"),
    ],
)
def test_a_malformed_url_or_capture_date_is_one_line_naming_file_and_key(
    tmp_path: Path, key: str, value: str, said: str
) -> None:
    corpus = _manifest_with(tmp_path, key, value)
    with pytest.raises(CorpusError) as caught:
        load_manifest(corpus)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{corpus / 'manifest.yaml'}: sources.0 (anzsco-1492).{key}: ")
    assert said in message


def test_url_and_capture_date_are_read_into_every_chunk(tmp_path: Path) -> None:
    manifest = load_manifest(CORPUS)
    vetassess = next(s for s in manifest.sources if s.id == "vetassess-149212")
    assert vetassess.url == (
        "https://www.vetassess.com.au/check-my-occupation/professional-occupations/"
        "customer-service-manager"
    )
    corpus = _manifest_with(tmp_path, "captured", "2026-11-20")  # written unquoted
    first = load_manifest(corpus).sources[0]
    assert first.captured is not None and first.captured.isoformat() == "2026-11-20"
    chunks = build_chunks(corpus)
    anzsco = [c for c in chunks if c.source_id == "anzsco-1492"]
    assert anzsco and all(c.meta["captured"] == "2026-11-20" for c in anzsco)
    assert all(c.meta["url"] == "" for c in anzsco)  # not recorded: empty, never invented
    others = [c for c in chunks if c.source_id == "vetassess-149212"]
    assert others and all(c.meta["url"] == vetassess.url for c in others)


def test_the_manifest_records_no_address_or_date_the_seeds_do_not_hold() -> None:
    readme = (SEEDS / "README.md").read_text("utf-8")
    for meta in load_manifest(CORPUS).sources:
        seed = (SEEDS / str(meta.seed_file)).read_text("utf-8")
        if meta.captured is not None:  # a capture date must be stated beside the seed
            assert meta.captured.isoformat() in readme + seed, meta.id
        assert meta.capture_note, meta.id
