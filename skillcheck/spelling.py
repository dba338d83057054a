"""Misspelt words read as the words they were meant to be, two ways for two jobs.

- :func:`correct` reads a question for matching: a word the vocabulary (the two pages'
  words, the topics' example questions, a few words applicants use) does not know is
  replaced by the closest word it does know (``difflib``, a high cut-off), so intent,
  topic matching, the title lookup and retrieval see "qualification" where the
  applicant typed "qualifcation". Short words and words with capitals inside (names,
  acronyms) are left alone.
- :func:`correct_spelling` reads the facts an applicant states: only level and field
  words ("diplomma", "managment", "bachelors degre") one edit from a known word are
  put right, never names, and each correction is returned so the draft profile can
  list it as an assumption.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from pathlib import Path

from skillcheck.corpus import load_sources
from skillcheck.paths import CORPUS_DIR

#: How close a word must be to a known word to be read as it (difflib's ratio).
CUTOFF = 0.85
MIN_LENGTH = 6
_WORD = re.compile(r"[A-Za-z][a-z]+")
_EXTRA = (
    "anzsco vetassess organisational organisation diploma bachelor bachelors "
    "master masters degree qualification qualifications management manager managing "
    "eligible eligibility assessment assessed experience employment relevant highly "
    "customer service supervisor statutory declaration certificate associate graduate "
    "advanced business hospitality engineering marketing accounting commerce psychology "
    "requirements required occupation occupations suitable unsuitable accepted hours "
    "part-time fulltime casual volunteer unpaid years months week weekly application apply "
    "processing priority support chart letterhead subordinates superiors department"
)


@lru_cache(maxsize=4)
def vocabulary(corpus_dir: str = str(CORPUS_DIR), extra: tuple[str, ...] = ()) -> frozenset[str]:
    """Every word the pages (and ``extra`` texts) use, lower-cased."""
    words: set[str] = set(_EXTRA.split())
    for source in load_sources(Path(corpus_dir)):
        words.update(w.lower() for w in _WORD.findall(source.text))
    for text in extra:
        words.update(w.lower() for w in _WORD.findall(text))
    return frozenset(words)


def correct(text: str, vocab: frozenset[str]) -> str:
    """``text`` with each unknown word replaced by its closest known word, if close enough."""
    by_first: dict[str, list[str]] = {}
    for word in vocab:
        by_first.setdefault(word[0], []).append(word)

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        lower = word.lower()
        if len(word) < MIN_LENGTH or lower in vocab or any(c.isupper() for c in word[1:]):
            return word
        close = difflib.get_close_matches(lower, by_first.get(lower[0], []), n=1, cutoff=CUTOFF)
        if not close:
            return word
        return close[0].capitalize() if word[0].isupper() else close[0]

    return _WORD.sub(fix, text)


# ---- the facts' level and field words ------------------------------------------

FACT_WORDS = (
    "diploma diplomas bachelor bachelors bachelor's master masters master's degree degrees "
    "graduate postgraduate undergraduate advanced associate certificate doctorate "
    "management business administration commerce marketing accounting finance economics "
    "hospitality tourism engineering information technology computer science psychology "
    "communications communication logistics customer service services"
).split()
#: Real words a vocabulary word is one letter from (never corrected).
_KEEP = frozenset(
    "diplomat diplomats masters matters mastery bachelorette degreed managements "
    "business's finances financed servicing serviced advance advanced advances associated "
    "associates science's customers customer's graduated graduates certified commence "
    "commenced".split()
)
_FACT_WORD = re.compile(r"\b[A-Za-z][a-z']{4,}\b")


def _distance(a: str, b: str) -> int:
    """Optimal string alignment distance (insertions, deletions, substitutions, swaps)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[-1]


def _correction(word: str) -> str | None:
    low = word.lower()
    if low in FACT_WORDS or low in _KEEP:
        return None
    for right in FACT_WORDS:
        if right[0] != low[0] or abs(len(right) - len(low)) > 1:
            continue
        if _distance(low, right) != 1:
            continue
        if len(right) == len(low) and len(low) < 8 and sorted(low) != sorted(right):
            continue  # a substitution in a short word: too likely another real word
        return right.capitalize() if word[0].isupper() else right
    return None


def correct_spelling(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The text with misspelt level and field words corrected, and each correction made."""
    made: list[tuple[str, str]] = []

    def fix(m: re.Match[str]) -> str:
        right = _correction(m.group(0))
        if right is None:
            return m.group(0)
        made.append((m.group(0), right))
        return right

    return _FACT_WORD.sub(fix, text), made
