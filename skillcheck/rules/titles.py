"""Job-title lookup: does the assessing authority list a title as suitable, unsuitable, or not?

Deterministic: titles are lower-cased, punctuation dropped, words mapped through the
rules file's synonyms, small words dropped, plurals trimmed, then compared as word
sets (a one-letter typo in a long word is forgiven). No model is involved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict

from skillcheck.rules.loader import ListedTitle, Reference, Rules, load_rules

Status = Literal["suitable", "unsuitable", "not_listed"]
_WORD = re.compile(r"[a-z0-9]+")


class TitleCitation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    line: int
    quote: str


class TitleMatch(BaseModel):
    """What the criteria say about a job title, with the lines that say it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    query: str
    status: Status
    listed_as: Literal["occupation", "suitable", "unsuitable"] | None
    matched_title: str | None
    match: Literal["exact", "close", "partial"] | None
    anzsco_code: str | None
    anzsco_title: str | None
    message: str
    also_matches: list[str]
    also_unsuitable: list[str]
    citations: list[TitleCitation]


@dataclass(frozen=True)
class _Entry:
    listed_as: Literal["occupation", "suitable", "unsuitable"]
    listed: ListedTitle
    name: str
    words: frozenset[str]


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def normalise(title: str, rules: Rules) -> frozenset[str]:
    """The comparable word set of a title."""
    text = title.lower().replace("&", " and ")
    synonyms = rules.titles.synonyms.value
    ignore = set(rules.titles.ignore_words.value)
    words: list[str] = []
    for raw in _WORD.findall(text):
        for word in synonyms.get(raw, raw).split():
            if word not in ignore:
                words.append(_stem(word))
    return frozenset(words)


def _close(a: str, b: str) -> bool:
    """Equal, or one edit apart (substitution, insertion, deletion, swap) in a long word."""
    if a == b:
        return True
    if min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _covers(query: frozenset[str], listed: frozenset[str]) -> bool:
    return all(any(_close(w, q) for q in query) for w in listed)


def _entries(rules: Rules) -> list[_Entry]:
    entries: list[_Entry] = []
    groups = (
        ("occupation", rules.titles.occupation),
        ("unsuitable", rules.titles.unsuitable),
        ("suitable", rules.titles.suitable),
    )
    for listed_as, listed_titles in groups:
        for listed in listed_titles:
            for name in (listed.title, *listed.variants):
                entries.append(_Entry(listed_as, listed, name, normalise(name, rules)))  # type: ignore[arg-type]
    return entries


def _citations(entry: _Entry, rules: Rules) -> list[TitleCitation]:
    refs: list[Reference] = [entry.listed.reference]
    if entry.listed.anzsco is not None:
        refs.append(entry.listed.anzsco.reference)
    if entry.listed_as == "unsuitable":
        refs.append(rules.titles.unsuitable_reason.reference)
    return [TitleCitation(source=r.source, line=r.line, quote=r.quote) for r in refs]


def _message(query: str, entry: _Entry, match: str, rules: Rules) -> str:
    name, authority, code = entry.name, rules.occupation.assessing_authority, rules.occupation.code
    if match == "exact":
        lead = ""
    elif match == "close":
        lead = f"'{query}' is read as '{name}'. "
    else:
        lead = f"'{query}' contains '{name}'. "
    if entry.listed_as == "occupation":
        return f"{lead}'{entry.listed.title}' is the occupation's own title ({code})."
    if entry.listed_as == "suitable":
        return f"{lead}{authority} lists '{entry.listed.title}' as suitable under {code}."
    placed = (
        f" ANZSCO places it at {entry.listed.anzsco.code} {entry.listed.anzsco.title}."
        if entry.listed.anzsco is not None
        else " Such occupations are classified elsewhere in ANZSCO or are not at the required"
        " skill level."
    )
    return f"{lead}{authority} lists '{entry.listed.title}' as not suitable under {code}.{placed}"


@lru_cache(maxsize=1024)
def _lookup(title: str, occupation: str) -> TitleMatch:
    rules = load_rules(occupation)
    query = normalise(title, rules)
    exact: list[tuple[_Entry, str]] = []
    partial: list[_Entry] = []
    for entry in _entries(rules):
        if entry.words == query:
            exact.append((entry, "exact"))
        elif len(entry.words) == len(query) and _covers(query, entry.words):
            exact.append((entry, "close"))
        elif len(entry.words) < len(query) and _covers(query, entry.words):
            partial.append(entry)
    partial.sort(key=lambda e: -len(e.words))  # stable: unsuitable before suitable on a tie
    found = [*exact, *((e, "partial") for e in partial)]
    if not found:
        return TitleMatch(
            query=title,
            status="not_listed",
            listed_as=None,
            matched_title=None,
            match=None,
            anzsco_code=None,
            anzsco_title=None,
            message=f"'{title}' is not among the titles listed for {rules.occupation.code}.",
            also_matches=[],
            also_unsuitable=[],
            citations=[],
        )
    best, kind = found[0]
    others = list(
        dict.fromkeys(e.listed.title for e, _ in found[1:] if e.listed is not best.listed)
    )
    unsuitable = [e.listed.title for e, _ in found[1:] if e.listed_as == "unsuitable"]
    return TitleMatch(
        query=title,
        status="unsuitable" if best.listed_as == "unsuitable" else "suitable",
        listed_as=best.listed_as,
        matched_title=best.listed.title,
        match=kind,  # type: ignore[arg-type]
        anzsco_code=best.listed.anzsco.code if best.listed.anzsco else None,
        anzsco_title=best.listed.anzsco.title if best.listed.anzsco else None,
        message=_message(title, best, kind, rules),
        also_matches=others,
        also_unsuitable=[t for t in dict.fromkeys(unsuitable) if t != best.listed.title],
        citations=_citations(best, rules),
    )


def lookup_title(title: str, occupation: str = "149212") -> TitleMatch:
    """Say whether the assessing authority lists a job title as suitable, unsuitable, or not at all.

    Tolerates case, punctuation, plurals, 'center'/'centre', seniority words and a
    one-letter typo; a title that contains a listed one (e.g. 'Customer Service Team
    Supervisor') is a partial match. The answer cites the lines it rests on.
    """
    return _lookup(" ".join(title.split()), occupation)
