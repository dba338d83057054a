"""Employment: each job's counted interval, relevance (stated, from tasks or title) and
exclusions, and the warnings about titles and inferred relevance.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from skillcheck.rules.context import WORD, Context, fill
from skillcheck.rules.days import Interval
from skillcheck.rules.loader import ExclusionCode
from skillcheck.rules.models import (
    AssessmentInput,
    Employment,
    NotCounted,
    PeriodResult,
    QualificationResult,
    Relevance,
    WarningItem,
)
from skillcheck.rules.titles import TitleMatch, lookup_title

Kind = Literal["hr", "rel"]


@dataclass
class Job:
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
    stated = [WORD.findall(t.lower()) for t in tasks]
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


def exclusion(code: ExclusionCode, days: int, ctx: Context) -> NotCounted:
    ex = ctx.rules.employment.exclusions[code]
    return NotCounted(code=code, days=days, reason=ex.reason, cites=[ctx.cite(ex.reference)])


def assess_jobs(data: AssessmentInput, app: int, ctx: Context) -> list[Job]:
    min_hours = ctx.rules.employment.min_hours_per_week.value
    jobs: list[Job] = []
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
        excluded = [exclusion(c, days_to_app, ctx) for c in codes]
        if start <= app < given_end:
            excluded.append(exclusion("after_application_date", given_end - app, ctx))
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
            runs_to=date.fromordinal(max(start, end)),
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
            Job(
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


def title_warnings(data: AssessmentInput, jobs: Sequence[Job], ctx: Context) -> list[WarningItem]:
    out: list[WarningItem] = []
    for job, e in zip(jobs, data.employment, strict=True):
        if not e.title:
            continue
        match = lookup_title(e.title, ctx.rules.occupation.code)
        cites = [ctx.cite_ids[(c.source, c.line, c.quote)] for c in match.citations]
        decides = ctx.say("title_decides_nothing") if e.tasks or e.relevance else ""
        if match.status in ("unsuitable", "suitable"):
            out.append(
                WarningItem(
                    code=f"{match.status}_title",
                    period_index=job.index,
                    cites=cites,
                    message=ctx.say(
                        "title_listed", index=job.index, title=e.title, lookup=match.message
                    )
                    + (f" {decides}" if decides else ""),
                )
            )
        if match.also_unsuitable:
            listed = {t.title: t for t in ctx.rules.titles.unsuitable}
            out.append(
                WarningItem(
                    code="unsuitable_title",
                    period_index=job.index,
                    cites=[ctx.cite(listed[t].reference) for t in match.also_unsuitable],
                    message=ctx.say(
                        "title_also_unsuitable",
                        index=job.index,
                        title=e.title,
                        titles=", ".join(match.also_unsuitable),
                    ),
                )
            )
    return out


def relevance_warnings(
    quals: Sequence[QualificationResult], jobs: Sequence[Job], ctx: Context
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
                    message=ctx.say("field_read_as", index=q.index, verdict=verdict, majors=majors),
                )
            )
    task_cite = ctx.cite(rules.employment.exclusions["relevance_undecided"].reference)
    for j in jobs:
        r = j.result
        if r.relevance_source in ("tasks", "title"):
            key = f"relevance_from_{r.relevance_source}"
            out.append(
                WarningItem(
                    code="relevance_inferred",
                    period_index=j.index,
                    cites=[task_cite],
                    message=ctx.say(
                        key, index=j.index, relevance=(r.relevance or "").replace("_", " ")
                    ),
                )
            )
        if j.undecided:
            out.append(
                WarningItem(
                    code="relevance_undecided",
                    period_index=j.index,
                    cites=[task_cite],
                    message=ctx.say("relevance_undecided", index=j.index),
                )
            )
    return out


def cap_warnings(data: AssessmentInput, jobs: Sequence[Job], ctx: Context) -> list[WarningItem]:
    """Say so where an unsuitable title kept a job's tasks from making it highly relevant."""
    rule = ctx.rules.employment.task_matching.unsuitable_title_cap
    out = []
    for job, e in zip(jobs, data.employment, strict=True):
        if job.capped_by is None:
            continue
        text = fill(
            rule.message,
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
