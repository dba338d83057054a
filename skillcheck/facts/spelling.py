"""Misspelt level and field words put right ("diplomma", "managment", "bachelors degre").

Only the words of the level and field vocabulary are corrected, never names: a word is
replaced when it is one insertion, deletion or swap of two letters away from a vocabulary
word with the same first letter (one substitution too, for words of eight letters or more),
and is not itself a vocabulary or common word. Deterministic: the first closest word wins.
"""

from __future__ import annotations

import re

VOCABULARY = (
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
_WORD = re.compile(r"\b[A-Za-z][a-z']{4,}\b")


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
    if low in VOCABULARY or low in _KEEP:
        return None
    for right in VOCABULARY:
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

    return _WORD.sub(fix, text), made
