"""The offline embedder: hash-checked files, unit vectors, meaning over wording."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from skillcheck.embeddings import (
    MODEL_SHA256,
    TOKENIZER_PATH,
    LocalMiniLM,
    local_model_path,
    sha256_file,
)
from skillcheck.errors import ModelFileError


@pytest.fixture(scope="module")
def model() -> LocalMiniLM:
    return LocalMiniLM()


def test_the_pinned_model_file_is_the_one_installed() -> None:
    assert sha256_file(local_model_path()) == MODEL_SHA256


def test_vectors_are_unit_length_and_384_wide(model: LocalMiniLM) -> None:
    vectors = model.embed_documents(["a diploma in business", "twenty hours a week"])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_batched_and_single_embeddings_agree(model: LocalMiniLM) -> None:
    texts = ["short", "a much longer sentence about customer service managers and their staff"]
    batch = model.embed_documents(texts)
    for text, vec in zip(texts, batch, strict=True):
        assert float(np.dot(model.embed_query(text), vec)) > 0.999


def test_meaning_beats_wording(model: LocalMiniLM) -> None:
    q = model.embed_query("Does my part-time job count?")
    near = model.embed_query("Employment of 20 hours or more per week is counted.")
    far = model.embed_query("Submit an organisational chart on company letterhead.")
    assert float(np.dot(q, near)) > float(np.dot(q, far))


def test_a_tampered_model_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "model.onnx"
    shutil.copy(local_model_path(), bad)
    with bad.open("r+b") as fh:
        fh.seek(1000)
        fh.write(b"\x00\x01\x02")
    with pytest.raises(ModelFileError, match="sha256"):
        LocalMiniLM(model_path=bad)


def test_a_tampered_tokenizer_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "tokenizer.json"
    bad.write_text(TOKENIZER_PATH.read_text("utf-8").replace("[UNK]", "[UNX]", 1), "utf-8")
    with pytest.raises(ModelFileError, match="tokenizer"):
        LocalMiniLM(tokenizer_path=bad)


def test_a_missing_model_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="not found"):
        LocalMiniLM(model_path=tmp_path / "absent.onnx")
