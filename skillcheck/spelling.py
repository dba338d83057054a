"""Misspelt words in a question, read as the pages' own words ("qualifcation", "vetasess").

A word the vocabulary does not know is replaced by the closest word it does know
(``difflib``, a high cut-off), so intent, topic matching and the title lookup see
"qualification" where the applicant typed "qualifcation". The vocabulary is the two
pages' words, the topics' example questions, and a few words applicants use; short
words, numbers and words with capitals inside (names, acronyms) are left alone.
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
