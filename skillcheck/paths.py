"""Where skillcheck's packaged data lives: one module names every folder.

The corpus and the prompts are top-level folders of a checkout (``corpus/``,
``prompts/``); a wheel carries copies of them under ``skillcheck/_bundled/``. Every
other data file (lexicon, companions, the tokenizer, topics, the shipped vectors,
evaluation sets) is in ``skillcheck/data/``. Nothing here reads settings: a setting may
point elsewhere.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
EVAL_DIR = DATA_DIR / "eval"


def bundled(name: str) -> Path:
    """A top-level folder of the checkout, or its copy inside an installed wheel."""
    in_repo = PACKAGE_DIR.parent / name
    return in_repo if in_repo.is_dir() else PACKAGE_DIR / "_bundled" / name


CORPUS_DIR = bundled("corpus")
PROMPTS_DIR = bundled("prompts")
