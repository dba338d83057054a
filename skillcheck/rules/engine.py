"""The determination's facade: a validated profile and an application date in, a result out.

It puts together qualifications, employment, routes and advice (one module each).

No I/O and no clock (the caller passes the application date). Days are whole days,
both ends included; a year is ``units.days_per_year`` days; overlapping jobs count
once; windows end on the application date and nothing after it counts. Every number
comes from the rules file.
"""

from __future__ import annotations

from datetime import date

from skillcheck.rules.advice import (
    anzsco_warning,
    citation_list,
    documents_checklist,
    estimate_skilled_from,
    evidence_note_for,
    external_sources,
    older_reading_caveat,
    qualification_next_steps,
    route_next_steps,
    summary_text,
)
from skillcheck.rules.context import Context, context
from skillcheck.rules.employment import (
    assess_jobs,
    cap_warnings,
    relevance_warnings,
    title_warnings,
)
from skillcheck.rules.loader import Route
from skillcheck.rules.models import (
    AssessmentInput,
    AssessmentResult,
    NextStep,
    RouteResult,
    WarningItem,
    Window,
)
from skillcheck.rules.outcomes import Outcome
from skillcheck.rules.qualifications import (
    assess_qualifications,
)
from skillcheck.rules.routes import (
    Req,
    period_route,
    route_result,
)

__all__ = ["Context", "assess_input", "context"]


def assess_input(data: AssessmentInput, application_date: date) -> AssessmentResult:
    """Check a validated profile against its occupation's rules on ``application_date``."""
    ctx = context(data.occupation)
    rules = ctx.rules
    app = application_date.toordinal()
    quals, qual_results = assess_qualifications(data, app, ctx)
    jobs = assess_jobs(data, app, ctx)

    routes: list[tuple[Route, RouteResult, list[Req], int | None]] = []
    for route in rules.routes:
        res, reqs, anchor = route_result(route, quals, app, jobs, ctx)
        routes.append((route, res, reqs, anchor))
        if res.requirements:
            for j in jobs:
                if j.kind is not None:
                    j.result.by_route.append(period_route(j, route, anchor, app, ctx))
    for j in jobs:
        j.result.counted = any(pr.counted_days > 0 for pr in j.result.by_route)

    met = [res for _, res, _, _ in routes if res.met]
    maybe = [
        res
        for _, res, reqs, _ in routes
        if res.qualification_met
        and reqs
        and all(r.counted + r.undecided >= r.required for r in reqs)
    ]
    outcome: Outcome = (
        "meets_criteria" if met else ("needs_more_information" if maybe else "does_not_meet")
    )
    pathway = met[0].route if met else None
    route_results = [res for _, res, _, _ in routes]

    warnings: list[WarningItem] = []
    if data.application_date is None:
        warnings.append(
            WarningItem(
                code="application_date_defaulted",
                message=ctx.say("application_date_defaulted", date=application_date.isoformat()),
            )
        )
    for q in qual_results:
        if q.completed is not None and q.completed > application_date:
            warnings.append(
                WarningItem(
                    code="qualification_after_application_date",
                    qualification_index=q.index,
                    message=ctx.say("qualification_after_application_date", index=q.index),
                )
            )
    warnings += title_warnings(data, jobs, ctx)
    warnings += relevance_warnings(qual_results, jobs, ctx)
    warnings += anzsco_warning(data, quals, ctx)
    warnings += cap_warnings(data, jobs, ctx)
    older = older_reading_caveat(outcome, quals, app, jobs, ctx)
    if older is not None:
        warnings.append(older[0])
    evidence = evidence_note_for(outcome, pathway, routes, ctx)
    skilled = estimate_skilled_from(pathway, routes, ctx)

    documents = documents_checklist(data, ctx)
    next_steps: list[NextStep] = []
    if outcome != "meets_criteria":
        next_steps += qualification_next_steps([r for r in routes if not r[1].met], quals, ctx)
        next_steps += route_next_steps([r for r in routes if not r[1].met], app, jobs, ctx)
    if older is not None:
        next_steps.append(older[1])
    for j in jobs:
        if j.undecided:
            next_steps.append(
                NextStep(
                    code="describe_tasks",
                    period_index=j.index,
                    message=ctx.say("describe_tasks", index=j.index),
                )
            )
    if any(d.status == "missing" for d in documents):
        next_steps.append(
            NextStep(
                code="documents_missing",
                message=ctx.say("documents_missing"),
            )
        )

    used: list[str] = [c for r in route_results for c in r.cites]
    used += [c for j in jobs for x in j.result.excluded for c in x.cites]
    used += [c for j in jobs for pr in j.result.by_route for x in pr.not_counted for c in x.cites]
    used += [c for w in warnings for c in w.cites] + [c for d in documents for c in d.cites]
    used += [ctx.cite(a.reference) for a in rules.assumptions]
    used.append(ctx.cite(rules.occupation.reference))
    notes = [n for n in (evidence, skilled[1] if skilled else None) if n is not None]
    used += [c for n in notes for c in n.cites]
    external = [e for r in route_results for e in r.external]
    external += [e for n in notes for e in n.external]
    external += [
        e
        for w in warnings
        if w.code == "additional_certificate_iv"
        for e in rules.older_reading.external
    ]
    return AssessmentResult(
        occupation=rules.occupation.code,
        occupation_title=rules.occupation.title,
        application_date=application_date,
        windows=[
            Window(
                years=years,
                start=date.fromordinal(app - years * ctx.year + 1),
                end=application_date,
            )
            for years in (
                rules.employment.extended_window_years.value,
                rules.employment.recent_window_years.value,
            )
        ],
        outcome=outcome,
        pathway=pathway,
        summary=summary_text(outcome, pathway, route_results, ctx),
        skilled_from=skilled[0] if skilled else None,
        skilled_from_note=skilled[1] if skilled else None,
        evidence_note=evidence,
        qualifications=qual_results,
        routes=route_results,
        periods=[j.result for j in jobs],
        warnings=warnings,
        documents=documents,
        next_steps=next_steps,
        assumptions=[a.text for a in rules.assumptions],
        citations=citation_list(set(used), ctx),
        external_references=external_sources(external, rules),
        disclaimer=rules.disclaimer,
    )
