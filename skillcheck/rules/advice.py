"""Advice around the outcome: documents, next steps, warnings and notes (evidence,
Certificate IV caveat, skilled_from), the summary and the citations.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Literal

from skillcheck.rules.context import Context, fill
from skillcheck.rules.days import completion_day
from skillcheck.rules.employment import (
    Job,
)
from skillcheck.rules.loader import Route, Rules
from skillcheck.rules.models import (
    AssessmentInput,
    Citation,
    DocumentItem,
    ExternalSource,
    NextStep,
    Note,
    RouteResult,
    WarningItem,
)
from skillcheck.rules.outcomes import Outcome
from skillcheck.rules.qualifications import (
    Qual,
    earliest_completed,
    route_qualification,
)
from skillcheck.rules.routes import (
    Req,
    RouteRow,
    count_requirements,
    earliest_date_for,
)

DocStatus = Literal["provided", "provided_instead", "missing", "not_needed"]


def documents_checklist(data: AssessmentInput, ctx: Context) -> list[DocumentItem]:
    have = {doc.id: bool(getattr(data, doc.input_field)) for doc in ctx.rules.documents}
    items: list[DocumentItem] = []
    for doc in ctx.rules.documents:
        provided = have.get(doc.id, False)
        if doc.alternative_to is None:
            alternatives = [d for d in ctx.rules.documents if d.alternative_to == doc.id]
            covered = any(have.get(d.id, False) for d in alternatives)
            status: DocStatus = (
                "provided" if provided else ("provided_instead" if covered else "missing")
            )
            needed = True
        else:
            needed = not have.get(doc.alternative_to, False)
            status = ("provided" if provided else "missing") if needed else "not_needed"
        other = next(
            (d.name for d in ctx.rules.documents if d.id == doc.alternative_to)
            if doc.alternative_to is not None
            else (d.name for d in ctx.rules.documents if d.alternative_to == doc.id and have[d.id]),
            "",
        )
        items.append(
            DocumentItem(
                id=doc.id,
                label=doc.label,
                needed=needed,
                provided=provided,
                status=status,
                message=ctx.say(
                    "document_missing_alternative"
                    if status == "missing" and doc.alternative_to is not None
                    else f"document_{status}",
                    alternative=other,
                ),
                cites=[ctx.cite(doc.reference)],
            )
        )
    return items


def route_next_steps(
    routes: Sequence[tuple[Route, RouteResult, list[Req], int | None]],
    app: int,
    jobs: Sequence[Job],
    ctx: Context,
) -> list[NextStep]:
    steps: list[NextStep] = []
    for route, res, reqs, anchor in routes:
        if not res.qualification_met:
            continue
        short = [r for r in reqs if not r.met]
        gap = max(r.required - r.counted for r in short)
        what = " and ".join(
            ctx.say(
                "more_employment_part",
                more=ctx.duration(r.required - r.counted),
                months=ctx.months_of(r.required - r.counted),
                kind=ctx.say(f"kind_{r.kind}"),
                hours=ctx.rules.employment.min_hours_per_week.value,
                start=date.fromordinal(r.lo).isoformat(),
            )
            for r in short
        )
        earliest = earliest_date_for(route, anchor, app, jobs, ctx)
        message = ctx.say("more_employment", route=route.number, parts=what)
        if earliest is not None:
            when = date.fromordinal(earliest).isoformat()
            message += " " + ctx.say("earliest_date", route=route.number, date=when)
        steps.append(
            NextStep(
                code="more_employment",
                route=route.number,
                shortfall_days=gap,
                earliest_date=date.fromordinal(earliest) if earliest else None,
                message=message,
            )
        )
    steps.sort(key=lambda s: (s.earliest_date or date.max, s.shortfall_days or 0, s.route or 0))
    return steps


def qualification_next_steps(
    routes: Sequence[tuple[Route, RouteResult, list[Req], int | None]],
    quals: Sequence[Qual],
    ctx: Context,
) -> list[NextStep]:
    rules = ctx.rules
    if not any(q.at_required and q.completed is not None for q in quals):
        return [
            NextStep(
                code="qualification_required",
                message=ctx.say("qualification_required"),
            )
        ]
    majors = " or ".join(rules.qualification.highly_relevant_fields.value)
    levels = ", ".join(v.replace("_", " ") for v in rules.qualification.additional_levels.value)
    steps = []
    other_field = earliest_completed(
        q for q in quals if q.at_required and q.completed is not None and not q.highly_relevant
    )
    for route, res, _, _ in routes:
        if res.qualification_met:
            continue
        years = ctx.years(route.highly_relevant_years.value)
        if route.qualification.additional_required:
            if other_field is None:
                continue  # route 2 rests on a qualification whose field is not highly relevant
            message = ctx.say(
                "additional_qualification",
                majors=majors,
                levels=levels,
                route=route.number,
                years=years,
                base=other_field.index,
            )
        elif route.qualification.field == "highly_relevant":
            message = ctx.say(
                "highly_relevant_qualification", majors=majors, route=route.number, years=years
            )
        else:
            continue
        steps.append(NextStep(code="qualification_field", route=route.number, message=message))
    return steps


def anzsco_warning(data: AssessmentInput, quals: Sequence[Qual], ctx: Context) -> list[WarningItem]:
    if not data.employment or any(q.at_required and q.completed is not None for q in quals):
        return []
    sub = ctx.rules.anzsco_substitution
    return [
        WarningItem(
            code="anzsco_experience_substitution",
            message=ctx.say("anzsco_substitution"),
            cites=[
                ctx.cite(c.reference)
                for c in (
                    sub.occupation_text,
                    sub.skill_level,
                    sub.authority_text,
                    sub.both_required,
                )
            ],
        )
    ]


def evidence_note_for(
    outcome: Outcome, pathway: int | None, routes: Sequence[RouteRow], ctx: Context
) -> Note | None:
    """The plain note for an outcome met or missed through a route whose years are external."""
    rule = ctx.rules.evidence_note
    on = set(rule.routes)
    if pathway is not None:
        hit = [r for r in routes if r[0].number == pathway and pathway in on]
    else:
        hit = [r for r in routes if r[0].number in on and r[1].qualification_met]
    if not hit:
        return None
    numbers = [r[0].number for r in hit]
    names = ("route " if len(numbers) == 1 else "routes ") + " and ".join(map(str, numbers))
    years = ", ".join(
        f"{ctx.years(r[0].highly_relevant_years.value)} for route {r[0].number}" for r in hit
    )
    external = list(
        dict.fromkeys(
            [*rule.external, *(e for r in hit for e in r[0].highly_relevant_years.external)]
        )
    )
    return Note(
        code="external_evidence",
        message=fill(rule.message, routes=names, years=years),
        routes=numbers,
        cites=ctx.cites_of(rule),
        external=external,
    )


def older_reading_caveat(
    outcome: Outcome, quals: Sequence[Qual], app: int, jobs: Sequence[Job], ctx: Context
) -> tuple[WarningItem, NextStep] | None:
    """The Certificate IV caveat: route 2 met only under the older sheets' additional level."""
    rule = ctx.rules.older_reading
    if outcome == "meets_criteria":
        return None
    older = frozenset(rule.additional_levels)
    for route in ctx.rules.routes:
        if not route.qualification.additional_required:
            continue
        base, partner = route_qualification(route, quals, older)
        if base is None or partner is None or partner.level not in older:
            continue
        reqs = count_requirements(route, base.completed, app, jobs, ctx)
        if not all(r.met for r in reqs):
            continue
        fields = {
            "additional": partner.index,
            "base": base.index,
            "counted": ctx.duration(reqs[0].counted),
            "required": ctx.duration(reqs[0].required),
        }
        cites = ctx.cites_of(rule)
        warning = WarningItem(
            code="additional_certificate_iv",
            route=route.number,
            qualification_index=partner.index,
            cites=cites,
            message=fill(rule.warning, **fields),
        )
        step = NextStep(
            code="confirm_certificate_iv",
            route=route.number,
            message=fill(rule.next_step, **fields),
        )
        return warning, step
    return None


def estimate_skilled_from(
    pathway: int | None, routes: Sequence[RouteRow], ctx: Context
) -> tuple[date, Note] | None:
    """The estimated first day of skilled employment for the route met, with its note."""
    row = next((r for r in routes if r[0].number == pathway), None)
    if row is None or not row[2]:
        return None
    route, _, reqs, _ = row
    days = [completion_day(r.spans, r.required) for r in reqs]
    if any(d is None for d in days):
        return None
    done = max(d for d in days if d is not None)
    first = date.fromordinal(done + 1)
    rule = ctx.rules.skilled_from
    text = fill(
        rule.message,
        date=first.isoformat(),
        route=route.number,
        required=ctx.duration(max(r.required for r in reqs)),
        completed=date.fromordinal(done).isoformat(),
    )
    note = Note(
        code="skilled_from_estimate",
        message=" ".join(text.split()),
        routes=[route.number],
        cites=ctx.cites_of(rule),
        external=list(rule.external),
    )
    return first, note


def external_sources(ids: Iterable[str], rules: Rules) -> list[ExternalSource]:
    """The external references named, once each, in first-named order."""
    out = []
    for ext_id in dict.fromkeys(ids):
        ref = rules.external_references[ext_id]
        out.append(ExternalSource(id=ext_id, **ref.model_dump()))
    return out


def summary_text(
    outcome: Outcome, pathway: int | None, routes: Sequence[RouteResult], ctx: Context
) -> str:
    name = f"{ctx.rules.occupation.title} ({ctx.rules.occupation.code})"
    if outcome == "meets_criteria":
        label = next(r.label for r in routes if r.route == pathway)
        return ctx.say("summary_meets", name=name, route=pathway, label=label)
    if outcome == "needs_more_information":
        return ctx.say("summary_may_meet", name=name)
    return ctx.say("summary_does_not_meet", name=name)


def citation_list(ids: set[str], ctx: Context) -> list[Citation]:
    out = [
        Citation(id=cid, source=src, line=line, quote=quote)
        for (src, line, quote), cid in ctx.cite_ids.items()
        if cid in ids
    ]
    first = ctx.rules.occupation.reference.source
    return sorted(out, key=lambda c: (c.source != first, c.source, c.line, c.id))
