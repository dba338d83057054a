"""The topics' example vectors are kept on disk between processes, keyed by model and text."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from skillcheck import topics as topics_module
from skillcheck.topics import load_topics, score_topics


class CountingEmbedder:
    """A stand-in embedder that counts how many texts it embedded."""

    def __init__(self, model_id: str) -> None:
        self.model_id = model_id
        self.embedded = 0

    def embed_documents(self, texts: list[str]) -> np.ndarray:  # type: ignore[type-arg]
        self.embedded += len(texts)
        rng = np.random.default_rng(len(texts))
        vectors = rng.normal(size=(len(texts), 8)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def embed_query(self, text: str) -> np.ndarray:  # type: ignore[type-arg]
        return self.embed_documents([text])[0]


def test_example_vectors_are_computed_once_per_model_and_reused_from_disk(tmp_path: Path) -> None:
    topics = load_topics()
    examples = sum(len(t.examples) for t in topics.file.topics)
    first = CountingEmbedder("model-a")
    topics_module._EXAMPLE_VECTORS.clear()
    ranked = score_topics("Does part-time work count?", first, topics, tmp_path)
    assert first.embedded == examples + 1 and ranked
    assert len(list(tmp_path.glob("topic-examples-*.npy"))) == 1
    topics_module._EXAMPLE_VECTORS.clear()  # a new process: memory is empty, the disk is not
    again = CountingEmbedder("model-a")
    assert [m.topic_id for m in score_topics("Does part-time work count?", again, topics, tmp_path)]
    assert again.embedded == 1  # only the question
    topics_module._EXAMPLE_VECTORS.clear()
    other = CountingEmbedder("model-b")  # another model never reads model-a's vectors
    score_topics("Does part-time work count?", other, topics, tmp_path)
    assert other.embedded == examples + 1
    assert len(list(tmp_path.glob("topic-examples-*.npy"))) == 2
    topics_module._EXAMPLE_VECTORS.clear()
