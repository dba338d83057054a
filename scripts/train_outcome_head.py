"""Train the outcome rule's learned head (skillcheck/data/guard/outcome_head.npz).

Reads the tuning sets of sentences in tests/agent/data/ (outcome_sentences.yaml and every
outcome_sentences_tuningN.yaml; never a blind set), prints 5-fold
cross-validated misses and false alarms of the whole rule (patterns + head behind its gate) per
threshold, then fits on all of them and writes the weights with a digest of the data.

    .venv/bin/python scripts/train_outcome_head.py [--check]

``--check`` only prints the cross-validation, writing nothing.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from skillcheck import guard, outcome_head  # noqa: E402
from skillcheck.embeddings import LocalMiniLM  # noqa: E402

DATA = ROOT / "tests" / "agent" / "data"


def set_number(path: Path) -> int:
    """The number a set's file name ends with (tuning12 -> 12; none -> 0)."""
    found = re.search(r"(\d+)$", path.stem)
    return int(found.group(1)) if found else 0


def tuning_paths() -> list[Path]:
    """Our own set, then every set that was blind once, in the order they were written."""
    later = sorted(DATA.glob("outcome_sentences_tuning*.yaml"), key=set_number)
    return [DATA / "outcome_sentences.yaml", *later]


SETS = tuning_paths()


def training_sentences() -> tuple[list[str], list[str]]:
    """The outcome and ordinary sentences of every tuning set, in a fixed order."""
    outcome: list[str] = []
    ordinary: list[str] = []
    for path in SETS:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        outcome += data["outcome"] + data.get("asked", {}).get("outcome", [])
        ordinary += data["ordinary"] + data.get("asked", {}).get("ordinary", [])
    return outcome, ordinary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="cross-validate only")
    args = parser.parse_args()
    outcome, ordinary = training_sentences()
    texts = outcome + ordinary
    labels = np.asarray([1] * len(outcome) + [0] * len(ordinary))
    vectors = LocalMiniLM().embed_documents(texts)
    order = np.random.default_rng(0).permutation(len(texts))
    folds = np.array_split(order, 5)
    probs = np.zeros(len(texts))
    for fold in folds:
        rest = np.setdiff1d(order, fold)
        head = outcome_head.fit(vectors[rest], labels[rest])
        probs[fold] = head.probabilities(vectors[fold])
    print(f"{len(outcome)} outcome and {len(ordinary)} ordinary sentences; 5-fold CV:")
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
        missed = alarms = 0
        for text, label, p in zip(texts, labels, probs, strict=True):
            flagged = guard.about_own_outcome(
                text,
                learned=lambda _s, p=p, t=threshold: p > t,
                unnamed=lambda _s, p=p: p > outcome_head.UNNAMED_THRESHOLD,
            )
            missed += int(label == 1 and not flagged)
            alarms += int(label == 0 and flagged)
        print(f"  threshold {threshold:.1f}: missed {missed}, ordinary flagged {alarms}")
    if args.check:
        return
    head = outcome_head.fit(vectors, labels, outcome_head.digest(outcome, ordinary))
    head.save()
    print(f"wrote {outcome_head.HEAD_PATH.relative_to(ROOT)} (data {head.digest})")


if __name__ == "__main__":
    main()
