"""The engine's view of one occupation's rules, built once per rules file: windows in
days, task patterns, and a citation id for every corpus reference.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from pydantic import BaseModel

from skillcheck.rules.loader import Reference, Rules, RuleValue, load_rules

WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Context:
    rules: Rules
    year: int
    months: int
    recent: int  # days of the recent window
    extended: int  # days of the extended window
    tasks: tuple[tuple[str, tuple[tuple[tuple[str, ...], ...], ...]], ...]  # id, patterns
    cite_ids: dict[tuple[str, int, str], str]

    def cite(self, ref: Reference) -> str:
        return self.cite_ids[(ref.source, ref.line, ref.quote)]

    def say(self, key: str, **fields: object) -> str:
        """The message ``key`` of the rules file, filled and on one line."""
        return fill(self.rules.messages[key], **fields)

    def years(self, n: int) -> str:
        """'1 year', '2 years'."""
        return self.say("year" if n == 1 else "years", n=n)

    def duration(self, days: int) -> str:
        """A number of days in words people read: '5 years', '1 year and 30 days', '364 days'.

        A year is ``units.days_per_year`` days, as the engine counts.
        """
        whole, rest = divmod(max(0, days), self.year)
        in_days = self.say("day" if rest == 1 else "days", n=rest)
        if not whole:
            return in_days
        if not rest:
            return self.years(whole)
        return self.say("years_and_days", years=self.years(whole), days=in_days)

    def cites_of(self, rule: RuleValue) -> list[str]:
        """The citation ids of a rule's corpus reference and its see-also lines."""
        refs = ([rule.reference] if rule.reference is not None else []) + list(rule.see_also)
        return [self.cite(r) for r in refs]

    def months_of(self, days: int) -> float:
        """Months (365/12 days each), rounded down to one decimal so as never to overstate."""
        return (days * self.months * 10 // self.year) / 10


def all_references(node: object) -> Iterable[Reference]:
    if isinstance(node, Reference):
        yield node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from all_references(getattr(node, name))
    elif isinstance(node, list | tuple):
        for item in node:
            yield from all_references(item)
    elif isinstance(node, dict):
        for item in node.values():
            yield from all_references(item)


@lru_cache(maxsize=8)
def context(occupation: str) -> Context:
    """The engine's view of an occupation's rules (cached)."""
    rules = load_rules(occupation)
    ids: dict[tuple[str, int, str], str] = {}
    per_line: dict[tuple[str, int], int] = {}
    for ref in all_references(rules):
        key = (ref.source, ref.line, ref.quote)
        if key not in ids:
            n = per_line.get((ref.source, ref.line), 0)
            per_line[(ref.source, ref.line)] = n + 1
            ids[key] = f"{ref.source}:{ref.line}" + ("" if n == 0 else chr(ord("a") + n))
    year = rules.units.days_per_year.value
    return Context(
        rules=rules,
        year=year,
        months=rules.units.months_per_year.value,
        recent=rules.employment.recent_window_years.value * year,
        extended=rules.employment.extended_window_years.value * year,
        tasks=tuple(
            (t.id, tuple(tuple(tuple(g) for g in p) for p in t.patterns))
            for t in rules.employment.highly_relevant_tasks
        ),
        cite_ids=ids,
    )


#: Message fields that number a qualification or a job: shown counted from 1, as people
#: count (the JSON's ``qualification_index`` and ``period_index`` stay 0-based).
PEOPLE_NUMBERED = frozenset({"index", "base", "additional"})


def fill(template: str, **fields: object) -> str:
    """A message template filled on one line, list positions counted from 1."""
    shown = {
        k: v + 1 if k in PEOPLE_NUMBERED and isinstance(v, int) else v for k, v in fields.items()
    }
    return " ".join(template.format(**shown).split())
