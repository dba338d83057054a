"""Routes: for each route, the qualification it rests on, the days counted in its windows,
the earliest later date ongoing jobs would meet it, and what each job gives it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from skillcheck.rules.context import Context
from skillcheck.rules.days import Interval, clip, days_in, length, union
from skillcheck.rules.employment import Job, Kind, exclusion
from skillcheck.rules.loader import Route
from skillcheck.rules.models import (
    PeriodRoute,
    Requirement,
    RouteResult,
    Span,
)
from skillcheck.rules.qualifications import (
    Qual,
    route_qualification,
)


@dataclass(frozen=True)
class Req:
    kind: Literal["highly_relevant", "relevant_or_highly_relevant"]
    window_years: int
    lo: int
    hi: int
    required: int
    counted: int
    overlap: int
    undecided: int
    spans: tuple[Interval, ...] = ()  # the counted days, merged, in date order
    window_lo: int = 0  # the window's first day, before the qualification clips it

    @property
    def met(self) -> bool:
        return self.counted >= self.required


def count_requirements(
    route: Route,
    anchor: int | None,
    app: int,
    jobs: Sequence[Job],
    ctx: Context,
    extend_to: int | None = None,
) -> list[Req]:
    """Count a route's employment at application date ``app``.

    ``extend_to`` projects ongoing jobs to a later date (used for next steps).
    """
    rules = ctx.rules
    hi = app if extend_to is None else extend_to

    def ivs(kinds: tuple[Kind, ...], undecided: bool = False) -> list[Interval]:
        out = []
        for j in jobs:
            if j.kind in kinds or (undecided and j.undecided):
                lo_, hi_ = j.interval
                out.append((lo_, hi if (j.ongoing and extend_to is not None) else hi_))
        return out

    def count(
        kind: Literal["highly_relevant", "relevant_or_highly_relevant"],
        years: int,
        window: int,
        lo: int,
        kinds: tuple[Kind, ...],
    ) -> Req:
        inside = clip(ivs(kinds), lo, hi)
        spans = union(inside)
        merged = length(spans)
        optimistic = merged
        if extend_to is None and any(j.undecided for j in jobs):
            optimistic = length(union(clip(ivs(kinds, undecided=True), lo, hi)))
        return Req(
            kind,
            window,
            lo,
            hi,
            years * ctx.year,
            merged,
            length(inside) - merged,
            optimistic - merged,
            tuple(spans),
            hi - window * ctx.year + 1,
        )

    recent_lo = hi - ctx.recent + 1
    lo = (
        max(recent_lo, anchor + 1) if route.post_qualification and anchor is not None else recent_lo
    )
    reqs = [
        count(
            "highly_relevant",
            route.highly_relevant_years.value,
            rules.employment.recent_window_years.value,
            lo,
            ("hr",),
        )
    ]
    if route.total_years is not None:
        reqs.append(
            count(
                "relevant_or_highly_relevant",
                route.total_years.value,
                rules.employment.extended_window_years.value,
                hi - ctx.extended + 1,
                ("hr", "rel"),
            )
        )
    return reqs


def earliest_date_for(
    route: Route, anchor: int | None, app: int, jobs: Sequence[Job], ctx: Context
) -> int | None:
    """The first later application date at which ongoing jobs would meet the route, if any.

    With an ongoing counted job covering every day after ``app``, each requirement fed
    by it never falls as the date moves on (a day is added for each day the window
    drops), so a binary search finds the first date; the others are then checked.
    """
    kinds = {j.kind for j in jobs if j.ongoing and j.kind is not None and j.interval[0] <= app}
    if not kinds:
        return None
    fed = [0] if "hr" in kinds else []
    if route.total_years is not None:
        fed.append(1)
    if not fed:
        return None
    horizon = max(
        route.highly_relevant_years.value, (route.total_years.value if route.total_years else 0)
    )

    def ok(day: int, which: Sequence[int]) -> bool:
        reqs = count_requirements(route, anchor, app, jobs, ctx, extend_to=day)
        return all(reqs[k].met for k in which)

    lo, hi = app + 1, app + horizon * ctx.year
    if not ok(hi, fed):
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(mid, fed):
            hi = mid
        else:
            lo = mid + 1
    return lo if ok(lo, range(len(count_requirements(route, anchor, app, jobs, ctx)))) else None


def _requirement_model(r: Req, ctx: Context) -> Requirement:
    short = max(0, r.required - r.counted)
    message = ctx.say(
        "requirement_short" if short else "requirement_met",
        kind=ctx.say(f"kind_{r.kind}"),
        start=date.fromordinal(r.lo).isoformat(),
        end=date.fromordinal(r.hi).isoformat(),
        counted=ctx.duration(r.counted),
        required=ctx.duration(r.required),
        short=ctx.duration(short),
    )
    if r.undecided:
        message += " " + ctx.say(
            "requirement_undecided",
            undecided=ctx.duration(r.undecided),
            kind=ctx.say(f"kind_{r.kind}"),
        )
    return Requirement(
        kind=r.kind,
        window_years=r.window_years,
        window_from=date.fromordinal(r.window_lo),
        counted_from=date.fromordinal(r.lo),
        counted_to=date.fromordinal(r.hi),
        required_days=r.required,
        counted_days=r.counted,
        required_months=ctx.months_of(r.required),
        counted_months=ctx.months_of(r.counted),
        shortfall_days=max(0, r.required - r.counted),
        overlap_days=r.overlap,
        undecided_days=r.undecided,
        spans=[
            Span(start=date.fromordinal(a), end=date.fromordinal(b), days=b - a + 1)
            for a, b in r.spans
        ],
        met=r.met,
        message=message,
    )


def _qual_reason(route: Route, base: Qual | None, partner: Qual | None, ctx: Context) -> str:
    if base is None:
        need = ctx.say(f"need_{route.qualification.field}")
        if route.qualification.additional_required:
            need = ctx.say("need_additional", need=need)
        return ctx.say("route_needs_qualification", need=need)
    if partner is not None:
        return ctx.say("route_rests_on_with", base=base.index, additional=partner.index)
    return ctx.say("route_rests_on", base=base.index)


def route_result(
    route: Route, quals: Sequence[Qual], app: int, jobs: Sequence[Job], ctx: Context
) -> tuple[RouteResult, list[Req], int | None]:
    base, partner = route_qualification(route, quals)
    anchor = base.completed if base is not None else None
    computed = base is not None or not route.post_qualification
    reqs = count_requirements(route, anchor, app, jobs, ctx) if computed else []
    qual_met = base is not None
    met = qual_met and all(r.met for r in reqs)
    years = route.highly_relevant_years
    cites = [ctx.cite(route.reference), *ctx.cites_of(years)]
    if route.total_years is not None:
        cites += ctx.cites_of(route.total_years)
    main = reqs[-1] if reqs else None
    if met:
        parts = [
            ctx.say(
                "route_met_part",
                counted=ctx.duration(r.counted),
                required=ctx.duration(r.required),
                kind=ctx.say(f"kind_{r.kind}"),
            )
            for r in reqs
        ]
        reason = ctx.say("route_met", parts="; ".join(parts))
    elif not qual_met:
        reason = ctx.say("route_not_met_qualification")
    else:
        parts = [
            ctx.say(
                "route_not_met_part",
                short=ctx.duration(r.required - r.counted),
                kind=ctx.say(f"kind_{r.kind}"),
                counted=ctx.duration(r.counted),
                required=ctx.duration(r.required),
            )
            for r in reqs
            if not r.met
        ]
        reason = ctx.say("route_not_met", parts="; ".join(parts))
    required = main.required if main else (route.total_years or years).value * ctx.year
    counted = main.counted if main else 0
    result = RouteResult(
        route=route.number,
        label=route.label,
        met=met,
        qualification_met=qual_met,
        qualification_index=base.index if base else None,
        additional_qualification_index=partner.index if partner else None,
        qualification_reason=_qual_reason(route, base, partner, ctx),
        post_qualification=route.post_qualification,
        external=list(years.external),
        required_days=required,
        counted_days=counted,
        required_months=ctx.months_of(required),
        counted_months=ctx.months_of(counted),
        requirements=[_requirement_model(r, ctx) for r in reqs],
        reason=reason,
        cites=cites,
    )
    return result, reqs, anchor


def period_route(job: Job, route: Route, anchor: int | None, app: int, ctx: Context) -> PeriodRoute:
    """How many of one job's days a route counts, and why the rest are not counted."""
    a, b = job.interval
    total = max(0, b - a + 1)
    if job.kind == "rel" and route.total_years is None:
        return PeriodRoute(
            route=route.number,
            counted_days=0,
            counted_from=None,
            counted_to=None,
            not_counted=[exclusion("relevant_only", total, ctx)],
        )
    window = ctx.extended if route.total_years is not None else ctx.recent
    window_lo = app - window + 1
    lo = window_lo
    if route.post_qualification and anchor is not None:
        lo = max(lo, anchor + 1)
    counted = days_in(job.interval, lo, app)
    outside = days_in(job.interval, a, window_lo - 1)
    before = days_in(job.interval, window_lo, lo - 1)
    not_counted = []
    if outside:
        not_counted.append(exclusion("outside_window", outside, ctx))
    if before:
        not_counted.append(exclusion("before_qualification", before, ctx))
    return PeriodRoute(
        route=route.number,
        counted_days=counted,
        counted_from=date.fromordinal(max(a, lo)) if counted else None,
        counted_to=date.fromordinal(min(b, app)) if counted else None,
        not_counted=not_counted,
    )


RouteRow = tuple[Route, RouteResult, list[Req], int | None]
