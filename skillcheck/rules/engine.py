"""The determination: pure functions from a validated profile and an occupation's rules to a result.

No I/O and no clock (the caller passes the application date). Days are whole days,
both ends included; a year is ``units.days_per_year`` days; overlapping jobs count
once; windows end on the application date and nothing after it counts. Every number
comes from the rules file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel

from skillcheck.rules.loader import ExclusionCode, Reference, Route, Rules, RuleValue, load_rules
from skillcheck.rules.models import (
    AssessmentInput,
    AssessmentResult,
    Citation,
    DocumentItem,
    Employment,
    ExternalSource,
    NextStep,
    NotCounted,
    Note,
    Outcome,
    PeriodResult,
    PeriodRoute,
    QualificationResult,
    Relevance,
    Requirement,
    RouteResult,
    WarningItem,
)
from skillcheck.rules.titles import TitleMatch, lookup_title

Interval = tuple[int, int]  # date ordinals, both ends included
Kind = Literal["hr", "rel"]
DocStatus = Literal["provided", "provided_instead", "missing", "not_needed"]
_WORD = re.compile(r"[a-z0-9]+")
_AT_LEVEL = "a completed qualification at the required level"
_KIND_TEXT = {
    "highly_relevant": "highly relevant",
    "relevant_or_highly_relevant": "relevant or highly relevant",
}

# ---- day arithmetic -------------------------------------------------------------------


def union(intervals: Iterable[Interval]) -> list[Interval]:
    """Merge intervals (sorted, overlapping or touching ones joined)."""
    merged: list[Interval] = []
    for lo, hi in sorted(i for i in intervals if i[0] <= i[1]):
        if merged and lo <= merged[-1][1] + 1:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


def clip(intervals: Iterable[Interval], lo: int, hi: int) -> list[Interval]:
    """The parts of the intervals inside ``[lo, hi]``."""
    return [(max(a, lo), min(b, hi)) for a, b in intervals if max(a, lo) <= min(b, hi)]


def length(intervals: Iterable[Interval]) -> int:
    """Days covered, counting each interval in full (merge first to count overlaps once)."""
    return sum(b - a + 1 for a, b in intervals)


def days_in(interval: Interval, lo: int, hi: int) -> int:
    """Days of one interval inside ``[lo, hi]``."""
    return max(0, min(interval[1], hi) - max(interval[0], lo) + 1)


# ---- the per-occupation context (built once per rules file) ---------------------------


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

    def cites_of(self, rule: RuleValue) -> list[str]:
        """The citation ids of a rule's corpus reference and its see-also lines."""
        refs = ([rule.reference] if rule.reference is not None else []) + list(rule.see_also)
        return [self.cite(r) for r in refs]

    def months_of(self, days: int) -> float:
        """Months (365/12 days each), rounded down to one decimal so as never to overstate."""
        return (days * self.months * 10 // self.year) / 10


def _references(node: object) -> Iterable[Reference]:
    if isinstance(node, Reference):
        yield node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _references(getattr(node, name))
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _references(item)
    elif isinstance(node, dict):
        for item in node.values():
            yield from _references(item)


@lru_cache(maxsize=8)
def context(occupation: str) -> Context:
    """The engine's view of an occupation's rules (cached)."""
    rules = load_rules(occupation)
    ids: dict[tuple[str, int, str], str] = {}
    per_line: dict[tuple[str, int], int] = {}
    for ref in _references(rules):
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


# ---- qualifications ------------------------------------------------------------------


@dataclass(frozen=True)
class _Qual:
    index: int
    completed: int | None  # ordinal, only when completed on or before the application date
    at_required: bool
    highly_relevant: bool
    additional: bool  # at an additional level and in a highly relevant field
    level: str


def _field_is_highly_relevant(field_name: str | None, rules: Rules) -> bool:
    if not field_name:
        return False
    words = " ".join(_WORD.findall(field_name.lower()))
    return any(
        f" {' '.join(_WORD.findall(major.lower()))} " in f" {words} "
        for major in rules.qualification.highly_relevant_fields.value
    )


def _qualifications(
    data: AssessmentInput, app: int, ctx: Context
) -> tuple[list[_Qual], list[QualificationResult]]:
    rules = ctx.rules
    required = set(rules.qualification.required_levels.value)
    additional = set(rules.qualification.additional_levels.value)
    quals: list[_Qual] = []
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
            notes.append("not completed: it does not count until it is")
        elif not done:
            notes.append("completed after the application date: it does not count yet")
        if q.level not in required:
            notes.append("below the required level (AQF Diploma or higher)")
        quals.append(
            _Qual(
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


def _earliest(quals: Iterable[_Qual]) -> _Qual | None:
    done = [q for q in quals if q.completed is not None]
    return min(done, key=lambda q: (q.completed, q.index)) if done else None


def _route_qualification(
    route: Route, quals: Sequence[_Qual], older_levels: frozenset[str] = frozenset()
) -> tuple[_Qual | None, _Qual | None]:
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
        return _earliest(base), None
    pairs = []
    for b in base:
        partner = _earliest(
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


# ---- employment ----------------------------------------------------------------------


@dataclass
class _Job:
    index: int
    interval: Interval  # start .. min(end, application date); may be empty
    ongoing: bool
    kind: Kind | None  # None: not counted for any route
    undecided: bool
    result: PeriodResult
    excluded_codes: list[ExclusionCode] = field(default_factory=list)
    capped_by: str | None = None  # the unsuitable title that kept tasks from deciding


def _task_matches(words: Sequence[str], patterns: Iterable[Iterable[Iterable[str]]]) -> bool:
    """Whether some pattern has, for every group, a word beginning with one of its prefixes."""
    return any(
        all(any(w.startswith(prefix) for w in words for prefix in group) for group in pattern)
        for pattern in patterns
    )


def _match_tasks(tasks: Sequence[str], ctx: Context) -> list[str]:
    """The ids of the listed tasks that some stated task matches on distinctive words."""
    stated = [_WORD.findall(t.lower()) for t in tasks]
    return [
        task_id
        for task_id, patterns in ctx.tasks
        if any(_task_matches(words, patterns) for words in stated)
    ]


def _relevance(
    job: Employment, title: TitleMatch | None, ctx: Context
) -> tuple[Relevance | None, Literal["stated", "tasks", "title", "undecided"], list[str]]:
    if job.relevance is not None:
        return job.relevance, "stated", _match_tasks(job.tasks, ctx) if job.tasks else []
    if job.tasks:
        matched = _match_tasks(job.tasks, ctx)
        if len(matched) >= ctx.rules.employment.task_matching.min_tasks_highly_relevant.value:
            if title is not None and title.status == "unsuitable":
                return "relevant", "tasks", matched  # a listed unsuitable title caps it
            return "highly_relevant", "tasks", matched
        return ("relevant" if matched else "not_relevant"), "tasks", matched
    if title is not None and title.status == "suitable" and title.match in ("exact", "close"):
        return "highly_relevant", "title", []
    return None, "undecided", []


def _not_counted(code: ExclusionCode, days: int, ctx: Context) -> NotCounted:
    ex = ctx.rules.employment.exclusions[code]
    return NotCounted(code=code, days=days, reason=ex.reason, cites=[ctx.cite(ex.reference)])


def _jobs(data: AssessmentInput, app: int, ctx: Context) -> list[_Job]:
    min_hours = ctx.rules.employment.min_hours_per_week.value
    jobs: list[_Job] = []
    for i, e in enumerate(data.employment):
        start = e.start.toordinal()
        given_end = e.end.toordinal() if e.end is not None else app
        end = min(given_end, app)
        days_total = given_end - start + 1 if e.end is not None else max(0, app - start + 1)
        days_to_app = max(0, end - start + 1)
        title = lookup_title(e.title, ctx.rules.occupation.code) if e.title else None
        relevance, source, matched = _relevance(e, title, ctx)
        codes: list[ExclusionCode] = []
        if start > app:
            codes.append("after_application_date")
        flags: list[tuple[bool, ExclusionCode]] = [
            (e.hours_per_week < min_hours, "part_time"),
            (not e.paid, "unpaid"),
            (e.front_line_retail, "front_line_retail"),
            (e.transactional, "transactional"),
            (e.operations_only, "operations_only"),
            (relevance == "not_relevant", "not_relevant"),
            (relevance is None, "relevance_undecided"),
        ]
        codes.extend(code for on, code in flags if on)
        blocked = [c for c in codes if c != "relevance_undecided"]
        excluded = [_not_counted(c, days_to_app, ctx) for c in codes]
        if start <= app < given_end:
            excluded.append(_not_counted("after_application_date", given_end - app, ctx))
        kind: Kind | None = None
        if not codes:
            kind = "hr" if relevance == "highly_relevant" else "rel"
        result = PeriodResult(
            index=i,
            title=e.title,
            start=e.start,
            end=e.end,
            ongoing=e.end is None,
            days=days_total,
            days_to_application_date=days_to_app,
            relevance=relevance,
            relevance_source=source,
            matched_tasks=matched,
            title_status=title.status if title else None,
            counted=False,
            excluded=excluded,
            by_route=[],
        )
        capped = (
            title.matched_title
            if title is not None
            and source == "tasks"
            and title.status == "unsuitable"
            and len(matched) >= ctx.rules.employment.task_matching.min_tasks_highly_relevant.value
            else None
        )
        jobs.append(
            _Job(
                i,
                (start, end),
                e.end is None,
                kind,
                not blocked and relevance is None,
                result,
                codes,
                capped,
            )
        )
    return jobs


# ---- routes --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Req:
    kind: Literal["highly_relevant", "relevant_or_highly_relevant"]
    window_years: int
    lo: int
    hi: int
    required: int
    counted: int
    overlap: int
    undecided: int
    spans: tuple[Interval, ...] = ()  # the counted days, merged, in date order

    @property
    def met(self) -> bool:
        return self.counted >= self.required


def _requirements(
    route: Route,
    anchor: int | None,
    app: int,
    jobs: Sequence[_Job],
    ctx: Context,
    extend_to: int | None = None,
) -> list[_Req]:
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
    ) -> _Req:
        inside = clip(ivs(kinds), lo, hi)
        spans = union(inside)
        merged = length(spans)
        optimistic = merged
        if extend_to is None and any(j.undecided for j in jobs):
            optimistic = length(union(clip(ivs(kinds, undecided=True), lo, hi)))
        return _Req(
            kind,
            window,
            lo,
            hi,
            years * ctx.year,
            merged,
            length(inside) - merged,
            optimistic - merged,
            tuple(spans),
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


def _earliest_date(
    route: Route, anchor: int | None, app: int, jobs: Sequence[_Job], ctx: Context
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
        reqs = _requirements(route, anchor, app, jobs, ctx, extend_to=day)
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
    return lo if ok(lo, range(len(_requirements(route, anchor, app, jobs, ctx)))) else None


def _requirement_model(r: _Req, ctx: Context) -> Requirement:
    return Requirement(
        kind=r.kind,
        window_years=r.window_years,
        counted_from=date.fromordinal(r.lo),
        counted_to=date.fromordinal(r.hi),
        required_days=r.required,
        counted_days=r.counted,
        required_months=ctx.months_of(r.required),
        counted_months=ctx.months_of(r.counted),
        shortfall_days=max(0, r.required - r.counted),
        overlap_days=r.overlap,
        undecided_days=r.undecided,
        met=r.met,
    )


def _qual_reason(route: Route, base: _Qual | None, partner: _Qual | None) -> str:
    if base is None:
        need = {
            "highly_relevant": f"{_AT_LEVEL} in a highly relevant field",
            "not_highly_relevant": f"{_AT_LEVEL} in a field that is not highly relevant",
            "any": "a completed qualification at the required level",
        }[route.qualification.field]
        if route.qualification.additional_required:
            need += " plus another, additional qualification in a highly relevant field"
        return f"needs {need}; none in the profile fits"
    text = f"rests on qualification {base.index}"
    if partner is not None:
        text += f" with additional qualification {partner.index}"
    return text


def _route_result(
    route: Route, quals: Sequence[_Qual], app: int, jobs: Sequence[_Job], ctx: Context
) -> tuple[RouteResult, list[_Req], int | None]:
    base, partner = _route_qualification(route, quals)
    anchor = base.completed if base is not None else None
    computed = base is not None or not route.post_qualification
    reqs = _requirements(route, anchor, app, jobs, ctx) if computed else []
    qual_met = base is not None
    met = qual_met and all(r.met for r in reqs)
    years = route.highly_relevant_years
    cites = [ctx.cite(route.reference), *ctx.cites_of(years)]
    if route.total_years is not None:
        cites += ctx.cites_of(route.total_years)
    main = reqs[-1] if reqs else None
    if met:
        reason = "met: " + "; ".join(f"{r.counted} of {r.required} days counted" for r in reqs)
    elif not qual_met:
        reason = "not met: the qualification condition is not met"
    else:
        short = [r for r in reqs if not r.met]
        reason = "not met: " + "; ".join(
            f"{r.required - r.counted} more days of "
            f"{_KIND_TEXT[r.kind]}"
            f" employment needed ({r.counted} of {r.required})"
            for r in short
        )
    required = main.required if main else (route.total_years or years).value * ctx.year
    counted = main.counted if main else 0
    result = RouteResult(
        route=route.number,
        label=route.label,
        met=met,
        qualification_met=qual_met,
        qualification_index=base.index if base else None,
        additional_qualification_index=partner.index if partner else None,
        qualification_reason=_qual_reason(route, base, partner),
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


def _period_route(
    job: _Job, route: Route, anchor: int | None, app: int, ctx: Context
) -> PeriodRoute:
    """How many of one job's days a route counts, and why the rest are not counted."""
    a, b = job.interval
    total = max(0, b - a + 1)
    if job.kind == "rel" and route.total_years is None:
        return PeriodRoute(
            route=route.number,
            counted_days=0,
            not_counted=[_not_counted("relevant_only", total, ctx)],
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
        not_counted.append(_not_counted("outside_window", outside, ctx))
    if before:
        not_counted.append(_not_counted("before_qualification", before, ctx))
    return PeriodRoute(route=route.number, counted_days=counted, not_counted=not_counted)


# ---- warnings, documents, next steps ---------------------------------------------------


def _title_warnings(data: AssessmentInput, jobs: Sequence[_Job], ctx: Context) -> list[WarningItem]:
    out: list[WarningItem] = []
    for job, e in zip(jobs, data.employment, strict=True):
        if not e.title:
            continue
        match = lookup_title(e.title, ctx.rules.occupation.code)
        cites = [ctx.cite_ids[(c.source, c.line, c.quote)] for c in match.citations]
        decides = "It decides nothing alone: the duties do." if e.tasks or e.relevance else ""
        if match.status in ("unsuitable", "suitable"):
            out.append(
                WarningItem(
                    code=f"{match.status}_title",
                    period_index=job.index,
                    cites=cites,
                    message=f"Job {job.index} '{e.title}': {match.message} {decides}".strip(),
                )
            )
        if match.also_unsuitable:
            listed = {t.title: t for t in ctx.rules.titles.unsuitable}
            out.append(
                WarningItem(
                    code="unsuitable_title",
                    period_index=job.index,
                    cites=[ctx.cite(listed[t].reference) for t in match.also_unsuitable],
                    message=f"Job {job.index} '{e.title}' also contains a title listed as not "
                    "suitable: " + ", ".join(match.also_unsuitable) + ".",
                )
            )
    return out


def _relevance_warnings(
    quals: Sequence[QualificationResult], jobs: Sequence[_Job], ctx: Context
) -> list[WarningItem]:
    out: list[WarningItem] = []
    rules = ctx.rules
    majors = " or ".join(rules.qualification.highly_relevant_fields.value)
    field_cites = ctx.cites_of(rules.qualification.highly_relevant_fields)[:1]
    for q in quals:
        if q.highly_relevant_source == "field" and (q.at_required_level or q.additional_level):
            verdict = "highly relevant" if q.highly_relevant else "not highly relevant"
            out.append(
                WarningItem(
                    code="relevance_inferred",
                    qualification_index=q.index,
                    cites=field_cites,
                    message=f"Qualification {q.index}'s field was read as {verdict} "
                    "(highly relevant "
                    f"majors: {majors}); state it if you know better.",
                )
            )
    task_cite = ctx.cite(rules.employment.exclusions["relevance_undecided"].reference)
    for j in jobs:
        r = j.result
        if r.relevance_source in ("tasks", "title"):
            how = "its tasks" if r.relevance_source == "tasks" else "its title alone"
            out.append(
                WarningItem(
                    code="relevance_inferred",
                    period_index=j.index,
                    cites=[task_cite],
                    message=f"Job {j.index}'s relevance was decided from {how} as "
                    f"{(r.relevance or '').replace('_', ' ')}; VETASSESS decides from your "
                    "evidence.",
                )
            )
        if j.undecided:
            out.append(
                WarningItem(
                    code="relevance_undecided",
                    period_index=j.index,
                    cites=[task_cite],
                    message=f"Job {j.index}'s relevance cannot be decided from its title; describe "
                    "its tasks or state its relevance.",
                )
            )
    return out


def _documents(data: AssessmentInput, ctx: Context) -> list[DocumentItem]:
    have = {
        "organisational_chart": data.organisational_chart,
        "statutory_declaration": data.statutory_declaration,
    }
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
        items.append(
            DocumentItem(
                id=doc.id,
                label=doc.label,
                needed=needed,
                provided=provided,
                status=status,
                cites=[ctx.cite(doc.reference)],
            )
        )
    return items


def _route_next_steps(
    routes: Sequence[tuple[Route, RouteResult, list[_Req], int | None]],
    app: int,
    jobs: Sequence[_Job],
    ctx: Context,
) -> list[NextStep]:
    steps: list[NextStep] = []
    for route, res, reqs, anchor in routes:
        if not res.qualification_met:
            continue
        short = [r for r in reqs if not r.met]
        gap = max(r.required - r.counted for r in short)
        what = " and ".join(
            f"{r.required - r.counted} more days (about {ctx.months_of(r.required - r.counted)} "
            f"months) of {_KIND_TEXT[r.kind]}"
            f" paid employment of {ctx.rules.employment.min_hours_per_week.value}+ hours a week"
            f" counted from {date.fromordinal(r.lo).isoformat()}"
            for r in short
        )
        earliest = _earliest_date(route, anchor, app, jobs, ctx)
        message = f"Route {route.number} needs {what}."
        if earliest is not None:
            message += (
                f" If your ongoing job continues as it is, route {route.number} would be met "
                f"for an application dated {date.fromordinal(earliest).isoformat()} or later."
            )
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


def _qualification_next_steps(
    routes: Sequence[tuple[Route, RouteResult, list[_Req], int | None]],
    quals: Sequence[_Qual],
    ctx: Context,
) -> list[NextStep]:
    rules = ctx.rules
    if not any(q.at_required and q.completed is not None for q in quals):
        return [
            NextStep(
                code="qualification_required",
                message="Complete a qualification assessed at AQF Diploma level or higher: "
                "VETASSESS "
                "requires it for every route, whatever your experience.",
            )
        ]
    majors = " or ".join(rules.qualification.highly_relevant_fields.value)
    levels = ", ".join(v.replace("_", " ") for v in rules.qualification.additional_levels.value)
    steps = []
    other_field = _earliest(
        q for q in quals if q.at_required and q.completed is not None and not q.highly_relevant
    )
    for route, res, _, _ in routes:
        if res.qualification_met:
            continue
        after = "the qualification"
        if route.qualification.additional_required:
            if other_field is None:
                continue  # route 2 rests on a qualification whose field is not highly relevant
            what = f"an additional qualification in {majors} at {levels} level"
            after = f"your qualification {other_field.index}, counted from its completion"
        elif route.qualification.field == "highly_relevant":
            what = f"a qualification at the required level in {majors}"
        else:
            continue
        years = route.highly_relevant_years.value
        steps.append(
            NextStep(
                code="qualification_field",
                route=route.number,
                message=f"{what[0].upper()}{what[1:]} would open route {route.number} "
                f"({_years(years)} of highly relevant employment after {after}).",
            )
        )
    return steps


# ---- the whole assessment --------------------------------------------------------------


def assess_input(data: AssessmentInput, application_date: date) -> AssessmentResult:
    """Check a validated profile against its occupation's rules on ``application_date``."""
    ctx = context(data.occupation)
    rules = ctx.rules
    app = application_date.toordinal()
    quals, qual_results = _qualifications(data, app, ctx)
    jobs = _jobs(data, app, ctx)

    routes: list[tuple[Route, RouteResult, list[_Req], int | None]] = []
    for route in rules.routes:
        res, reqs, anchor = _route_result(route, quals, app, jobs, ctx)
        routes.append((route, res, reqs, anchor))
        if res.requirements:
            for j in jobs:
                if j.kind is not None:
                    j.result.by_route.append(_period_route(j, route, anchor, app, ctx))
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
                message=f"No application date given; today ({application_date.isoformat()}) "
                "was used.",
            )
        )
    for q in qual_results:
        if q.completed is not None and q.completed > application_date:
            warnings.append(
                WarningItem(
                    code="qualification_after_application_date",
                    qualification_index=q.index,
                    message=f"Qualification {q.index} is completed after the application date; "
                    "it does not count.",
                )
            )
    warnings += _title_warnings(data, jobs, ctx)
    warnings += _relevance_warnings(qual_results, jobs, ctx)
    warnings += _anzsco_warning(data, quals, ctx)
    warnings += _cap_warnings(data, jobs, ctx)
    older = _older_reading(outcome, quals, app, jobs, ctx)
    if older is not None:
        warnings.append(older[0])
    evidence = _evidence_note(outcome, pathway, routes, ctx)
    skilled = _skilled_from(pathway, routes, ctx)

    documents = _documents(data, ctx)
    next_steps: list[NextStep] = []
    if outcome != "meets_criteria":
        next_steps += _qualification_next_steps([r for r in routes if not r[1].met], quals, ctx)
        next_steps += _route_next_steps([r for r in routes if not r[1].met], app, jobs, ctx)
    if older is not None:
        next_steps.append(older[1])
    for j in jobs:
        if j.undecided:
            next_steps.append(
                NextStep(
                    code="describe_tasks",
                    period_index=j.index,
                    message=f"Describe the tasks of job {j.index} (or state its relevance) so "
                    "it can be counted.",
                )
            )
    if any(d.status == "missing" for d in documents):
        next_steps.append(
            NextStep(
                code="documents_missing",
                message="Obtain an organisational chart from your employer; if it cannot be "
                "provided, "
                "prepare a statutory declaration with the same information and why.",
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
        outcome=outcome,
        pathway=pathway,
        summary=_summary(outcome, pathway, route_results, rules),
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
        citations=_citations(set(used), ctx),
        external_references=_external_sources(external, rules),
        disclaimer=rules.disclaimer,
    )


def _anzsco_warning(
    data: AssessmentInput, quals: Sequence[_Qual], ctx: Context
) -> list[WarningItem]:
    if not data.employment or any(q.at_required and q.completed is not None for q in quals):
        return []
    sub = ctx.rules.anzsco_substitution
    return [
        WarningItem(
            code="anzsco_experience_substitution",
            message="ANZSCO says that at least three years of relevant experience may substitute "
            "for the formal qualification; that describes the occupation, not the assessment. "
            "VETASSESS requires a qualification assessed at AQF Diploma or higher, and a positive "
            "assessment of "
            "both qualification and employment, so experience alone does not meet the criteria.",
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


def _years(n: int) -> str:
    return f"{n} year{'s' if n != 1 else ''}"


RouteRow = tuple[Route, RouteResult, list[_Req], int | None]


def _evidence_note(
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
        f"{_years(r[0].highly_relevant_years.value)} for route {r[0].number}" for r in hit
    )
    external = list(
        dict.fromkeys(
            [*rule.external, *(e for r in hit for e in r[0].highly_relevant_years.external)]
        )
    )
    return Note(
        code="external_evidence",
        message=" ".join(rule.message.format(routes=names, years=years).split()),
        routes=numbers,
        cites=ctx.cites_of(rule),
        external=external,
    )


def _older_reading(
    outcome: Outcome, quals: Sequence[_Qual], app: int, jobs: Sequence[_Job], ctx: Context
) -> tuple[WarningItem, NextStep] | None:
    """The Certificate IV caveat: route 2 met only under the older sheets' additional level."""
    rule = ctx.rules.older_reading
    if outcome == "meets_criteria":
        return None
    older = frozenset(rule.additional_levels)
    for route in ctx.rules.routes:
        if not route.qualification.additional_required:
            continue
        base, partner = _route_qualification(route, quals, older)
        if base is None or partner is None or partner.level not in older:
            continue
        reqs = _requirements(route, base.completed, app, jobs, ctx)
        if not all(r.met for r in reqs):
            continue
        fields = {
            "additional": partner.index,
            "base": base.index,
            "counted": reqs[0].counted,
            "required": reqs[0].required,
        }
        cites = ctx.cites_of(rule)
        warning = WarningItem(
            code="additional_certificate_iv",
            route=route.number,
            qualification_index=partner.index,
            cites=cites,
            message=" ".join(rule.warning.format(**fields).split()),
        )
        step = NextStep(
            code="confirm_certificate_iv",
            route=route.number,
            message=" ".join(rule.next_step.format(**fields).split()),
        )
        return warning, step
    return None


def completion_day(spans: Iterable[Interval], required: int) -> int | None:
    """The day on which ``required`` counted days are reached, walking the spans in order."""
    total = 0
    for a, b in spans:
        if total + (b - a + 1) >= required:
            return a + (required - total) - 1
        total += b - a + 1
    return None


def _skilled_from(
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
    text = rule.message.format(
        date=first.isoformat(),
        route=route.number,
        required=max(r.required for r in reqs),
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


def _cap_warnings(data: AssessmentInput, jobs: Sequence[_Job], ctx: Context) -> list[WarningItem]:
    """Say so where an unsuitable title kept a job's tasks from making it highly relevant."""
    rule = ctx.rules.employment.task_matching.unsuitable_title_cap
    out = []
    for job, e in zip(jobs, data.employment, strict=True):
        if job.capped_by is None:
            continue
        text = rule.message.format(
            index=job.index,
            title=e.title,
            matched=len(job.result.matched_tasks),
            listed=job.capped_by,
        )
        out.append(
            WarningItem(
                code="unsuitable_title_tasks",
                period_index=job.index,
                cites=ctx.cites_of(rule),
                message=" ".join(text.split()),
            )
        )
    return out


def _external_sources(ids: Iterable[str], rules: Rules) -> list[ExternalSource]:
    """The external references named, once each, in first-named order."""
    out = []
    for ext_id in dict.fromkeys(ids):
        ref = rules.external_references[ext_id]
        out.append(ExternalSource(id=ext_id, **ref.model_dump()))
    return out


def _summary(
    outcome: Outcome, pathway: int | None, routes: Sequence[RouteResult], rules: Rules
) -> str:
    name = f"{rules.occupation.title} ({rules.occupation.code})"
    if outcome == "meets_criteria":
        label = next(r.label for r in routes if r.route == pathway)
        return (
            f"The profile meets the published criteria for {name} through route {pathway}: {label}."
        )
    if outcome == "needs_more_information":
        return (
            f"The profile may meet the published criteria for {name}, depending on jobs whose "
            "relevance could not be decided."
        )
    return f"The profile does not meet the published criteria for {name}."


def _citations(ids: set[str], ctx: Context) -> list[Citation]:
    out = [
        Citation(id=cid, source=src, line=line, quote=quote)
        for (src, line, quote), cid in ctx.cite_ids.items()
        if cid in ids
    ]
    first = ctx.rules.occupation.reference.source
    return sorted(out, key=lambda c: (c.source != first, c.source, c.line, c.id))
