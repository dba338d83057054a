"""The corpus: verbatim chunks that keep their context, a strict manifest, stable ids."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from skillcheck.config import REPO_DIR
from skillcheck.corpus import build_chunks, load_manifest, load_sources, locate_quote
from skillcheck.errors import CorpusError

CORPUS = REPO_DIR / "corpus"
SEEDS = REPO_DIR.parent / "shared" / "seeds"


def test_sources_are_the_seeds_word_for_word() -> None:
    manifest = load_manifest(CORPUS)
    for meta in manifest.sources:
        assert meta.seed_file
        seed = SEEDS / meta.seed_file
        if seed.is_file():  # shared/ sits beside the clone in CI and on dev machines
            assert (CORPUS / meta.file).read_bytes() == seed.read_bytes()


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
