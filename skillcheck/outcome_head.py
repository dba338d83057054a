"""A learned second reading for the outcome rule: a logistic head on the bundled MiniLM.

The patterns of :mod:`skillcheck.guard` catch the usual words of a verdict ("you meet",
"eligible", "route 1 is met"); a model also says "You're set", "That's enough for
VETASSESS" or "Your background gets you there". This head scores how much a sentence
reads like a statement of the asker's own outcome, from the sentence's embedding by
the bundled int8 MiniLM (never the configured embedder, so the weights always fit).

The weights (``data/guard/outcome_head.npz``) are made by
``scripts/train_outcome_head.py`` from the tuning sets in ``tests/agent/data/``; the
file records a digest of the sentences it was trained on, and a test checks that it
matches them. :mod:`skillcheck.guard` asks the head only about a sentence that names
the asker in its main clause and is not a question, a request or a requirement.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from skillcheck.paths import DATA_DIR

HEAD_PATH = DATA_DIR / "guard" / "outcome_head.npz"
#: A sentence scoring above this reads as a statement of the asker's outcome. Chosen by
#: 5-fold cross-validation on the tuning sets (0.3: 10 of 2756 missed, 3 of 1966 ordinary
#: sentences flagged, with the patterns and the gate; see the training script's output).
THRESHOLD = 0.3
#: The stricter threshold for a sentence that names no one (a verdict without a subject,
#: or about a client by name). Chosen by leaving each tuning set out in turn (the head
#: trained on the others): the head behind its gate then missed 273 of 2,752 outcome
#: sentences and flagged 3 of 1,964 ordinary ones, against 409 and 3 when it judged only
#: sentences naming the asker (0.8: 251 and 8).
UNNAMED_THRESHOLD = 0.9
#: L2 weight, steps and rate of the training (fixed, so a retrain is reproducible).
L2 = 0.01
STEPS = 2000
RATE = 0.1

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class OutcomeHead:
    """Standardisation and logistic weights over 384 embedding dimensions."""

    mean: Floats
    scale: Floats
    weights: Floats
    bias: float
    digest: str

    def probabilities(self, vectors: npt.ArrayLike) -> Floats:
        """How much each embedded sentence reads as a statement of the asker's outcome."""
        z = (np.asarray(vectors, dtype=np.float64) - self.mean) / self.scale
        out: Floats = 1.0 / (1.0 + np.exp(-(z @ self.weights + self.bias)))
        return out

    def save(self, path: Path = HEAD_PATH) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            np.savez_compressed(
                handle,
                mean=self.mean,
                scale=self.scale,
                weights=self.weights,
                bias=np.asarray([self.bias]),
                digest=np.asarray([self.digest]),
            )

    @classmethod
    def load(cls, path: Path = HEAD_PATH) -> OutcomeHead:
        with np.load(path, allow_pickle=False) as data:
            return cls(
                mean=data["mean"],
                scale=data["scale"],
                weights=data["weights"],
                bias=float(data["bias"][0]),
                digest=str(data["digest"][0]),
            )


def digest(outcome: Sequence[str], ordinary: Sequence[str]) -> str:
    """A digest of a training set (order matters), recorded with the weights."""
    h = hashlib.sha256()
    for label, texts in (("outcome", outcome), ("ordinary", ordinary)):
        for text in texts:
            h.update(f"{label}\t{text}\n".encode())
    return h.hexdigest()[:16]


def fit(vectors: npt.ArrayLike, labels: npt.ArrayLike, tag: str = "") -> OutcomeHead:
    """Logistic regression by full-batch gradient descent (deterministic)."""
    x = np.asarray(vectors, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    z = (x - mean) / scale
    w = np.zeros(x.shape[1])
    b = 0.0
    for _ in range(STEPS):
        p = 1.0 / (1.0 + np.exp(-(z @ w + b)))
        w -= RATE * (z.T @ (p - y) / len(y) + L2 * w)
        b -= RATE * float((p - y).mean())
    return OutcomeHead(mean, scale, w, b, tag)


class _Scorer:
    """The head with its own bundled MiniLM, loaded on first use."""

    def __init__(self) -> None:
        from skillcheck.embeddings import LocalMiniLM

        self._head = OutcomeHead.load()
        self._embedder = LocalMiniLM()
        self._lock = threading.Lock()

    def __call__(self, sentence: str) -> float:
        with self._lock:
            vector = self._embedder.embed_query(sentence)
        return float(self._head.probabilities(vector[None, :])[0])


@lru_cache(maxsize=1)
def scorer() -> _Scorer:
    """The process's scorer (the embedding model is loaded once)."""
    return _Scorer()


def reads_as_outcome(sentence: str, *, named: bool = True) -> bool:
    """True when the learned head scores ``sentence`` above :data:`THRESHOLD` (or above
    :data:`UNNAMED_THRESHOLD` for a sentence that names no one)."""
    return scorer()(sentence) > (THRESHOLD if named else UNNAMED_THRESHOLD)
