"""Qualifications: which count, which are highly relevant, and which one each route rests on."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from skillcheck.rules.context import WORD, Context
from skillcheck.rules.loader import Route, Rules
from skillcheck.rules.models import (
    AssessmentInput,
    QualificationResult,
)


@dataclass(frozen=True)
class Qual:
    index: int
    completed: int | None  # ordinal, only when completed on or before the application date
    at_required: bool
    highly_relevant: bool
    additional: bool  # at an additional level and in a highly relevant field
    level: str


def _field_is_highly_relevant(field_name: str | None, rules: Rules) -> bool:
    if not field_name:
        return False
    words = " ".join(WORD.findall(field_name.lower()))
    return any(
        f" {' '.join(WORD.findall(major.lower()))} " in f" {words} "
        for major in rules.qualification.highly_relevant_fields.value
    )


def assess_qualifications(
    data: AssessmentInput, app: int, ctx: Context
) -> tuple[list[Qual], list[QualificationResult]]:
    rules = ctx.rules
    required = set(rules.qualification.required_levels.value)
    additional = set(rules.qualification.additional_levels.value)
    quals: list[Qual] = []
    results: list[QualificationResult] = []
    for i, q in enumerate(data.qualifications):
        stated = q.highly_relevant is not None
        hr = (
            q.highly_relevant
            if q.highly_relevant is not None
            else _field_is_highly_relevant(q.field, rules)
        )
        done = q.completed is not None and q.completed.toordinal() <= app
        notes: list[str] = []
        if q.completed is None:
            notes.append(ctx.say("qualification_not_completed"))
        elif not done:
            notes.append(ctx.say("qualification_completed_later"))
        if q.level not in required:
            notes.append(ctx.say("qualification_below_level"))
        quals.append(
            Qual(
                i,
                q.completed.toordinal() if done and q.completed else None,
                q.level in required,
                hr,
                hr and q.level in additional,
                q.level,
            )
        )
        results.append(
            QualificationResult(
                index=i,
                title=q.title,
                level=q.level,
                field=q.field,
                completed=q.completed,
                counts=done and q.level in required,
                at_required_level=q.level in required,
                highly_relevant=hr,
                highly_relevant_source="stated" if stated else "field",
                additional_level=q.level in additional,
                notes=notes,
            )
        )
    return quals, results


def earliest_completed(quals: Iterable[Qual]) -> Qual | None:
    done = [q for q in quals if q.completed is not None]
    return min(done, key=lambda q: (q.completed, q.index)) if done else None


def route_qualification(
    route: Route, quals: Sequence[Qual], older_levels: frozenset[str] = frozenset()
) -> tuple[Qual | None, Qual | None]:
    """The qualification a route rests on (the earliest completed that fits) and its partner.

    ``older_levels`` adds levels an additional qualification may have under the older
    reading (used only for the Certificate IV caveat, never for the outcome).
    """
    want = route.qualification.field
    base = [
        q
        for q in quals
        if q.at_required
        and q.completed is not None
        and (want == "any" or (want == "highly_relevant") == q.highly_relevant)
    ]
    if not route.qualification.additional_required:
        return earliest_completed(base), None
    pairs = []
    for b in base:
        partner = earliest_completed(
            q
            for q in quals
            if (q.additional or (q.highly_relevant and q.level in older_levels))
            and q.index != b.index
        )
        if partner is not None:
            pairs.append((b, partner))
    if not pairs:
        return None, None
    return min(pairs, key=lambda p: (p[0].completed, p[0].index))
