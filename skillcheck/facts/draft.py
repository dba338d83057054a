"""The draft profile: say-back, assumptions, missing facts, and the assess input."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from skillcheck.facts.jobs import read_jobs
from skillcheck.facts.model import JobFact, QualFact
from skillcheck.facts.patterns import (
    _I,
    FULL_TIME_HOURS,
    _shift_months,
)
from skillcheck.facts.quals import read_qualifications
from skillcheck.rules import load_rules


@dataclass(frozen=True)
class DraftProfile:
    """What the chat text says about the applicant, ready for ``assess`` or not."""

    today: date
    qualifications: tuple[QualFact, ...] = ()
    no_qualification: bool = False
    no_degree_only: bool = False
    jobs: tuple[JobFact, ...] = ()
    understood: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    ready: bool = False

    @property
    def has_facts(self) -> bool:
        return bool(
            self.qualifications or self.jobs or self.no_qualification or self.no_degree_only
        )

    def to_assess_input(self, application_date: date | None = None) -> dict[str, Any]:
        """The draft in ``assess``'s input schema (dates as YYYY-MM-DD)."""
        when = application_date or self.today
        quals = [_qual_input(q, self.today) for q in self.qualifications]
        jobs = [j for j in (_job_input(j, self.today) for j in self.jobs) if j is not None]
        return {
            "occupation": "149212",
            "application_date": when.isoformat(),
            "qualifications": quals,
            "employment": jobs,
        }

    def apply(self, followup: str, today: date | None = None) -> DraftProfile:
        """The draft with the facts of a follow-up applied (changed or added)."""
        from skillcheck.facts.followup import apply_followup

        return apply_followup(self, followup, today or self.today)


def _highly_relevant_field(fld: str | None) -> bool:
    if not fld:
        return False
    words = " ".join(re.findall(r"[a-z0-9]+", fld.lower()))
    majors = load_rules("149212").qualification.highly_relevant_fields.value
    return any(f" {' '.join(re.findall(r'[a-z0-9]+', m.lower()))} " in f" {words} " for m in majors)


def _completed_date(q: QualFact, today: date) -> date | None:
    if q.in_progress:
        return None
    if q.completed_exact is not None:
        return q.completed_exact
    if q.completed is None:
        return None
    last = q.completed.as_start()  # the latest day the year/month could mean
    return min(last, today)


def _qual_input(q: QualFact, today: date) -> dict[str, Any]:
    out: dict[str, Any] = {"title": q.name, "level": q.level, "completed": None}
    if q.field:
        out["field"] = q.field
    done = _completed_date(q, today)
    out["completed"] = done.isoformat() if done else None
    return out


def _job_dates(j: JobFact, today: date) -> tuple[date | None, date | None]:
    end = j.end.as_end() if j.end else None
    if j.months is not None and j.start is None and j.end is None:
        finish = today
        return _shift_months(finish, -round(j.months)) + timedelta(days=1), None
    start = j.start.as_start() if j.start else None
    if start is not None and j.end is None and j.months is not None:
        end = _shift_months(start, round(j.months)) - timedelta(days=1)
    if start is None and end is not None and j.months is not None:
        start = _shift_months(end, -round(j.months)) + timedelta(days=1)
    if start is not None and start > today:
        start = None
    if end is not None and end > today:
        end = None
    return start, end


def _job_input(j: JobFact, today: date) -> dict[str, Any] | None:
    start, end = _job_dates(j, today)
    if start is None or (j.hours is None and j.paid is not False):
        return None
    out: dict[str, Any] = {
        "title": j.title,
        "start": start.isoformat(),
        "end": end.isoformat() if end and (start is None or end >= start) else None,
        "hours_per_week": j.hours if j.hours is not None else 0.0,
        "paid": j.paid is not False,
    }
    if j.tasks:
        out["tasks"] = list(j.tasks)
    if j.front_line_retail:
        out["front_line_retail"] = True
    return out


def _say_qual(q: QualFact, today: date) -> str:
    if q.in_progress:
        when = "not yet completed"
    elif q.completed_exact:
        when = f"completed {q.completed_exact.isoformat()}"
    elif q.completed:
        when = f"completed {q.completed.said()}"
    else:
        when = "completion date not given"
    if not q.field:
        relevance = "field not given"
    elif _highly_relevant_field(q.field):
        relevance = "field highly relevant"
    else:
        relevance = "field not highly relevant"
    name = q.name if not q.generic_degree else f"Degree{' in ' + q.field if q.field else ''}"
    return f"{name}, {when} ({relevance})"


def _say_job(j: JobFact, today: date) -> str:
    parts = [j.title or "A job (title not given)"]
    if j.start and j.current is not False and not j.end:
        parts.append(f"since {j.start.said()}")
    elif j.start:
        parts.append(f"{j.start.said()} to {j.end.said() if j.end else 'now'}")
    elif j.end:
        parts.append(f"until {j.end.said()}")
    if j.months is not None:
        years, months = divmod(round(j.months), 12)
        span = " ".join(
            x
            for x in (
                f"{years} year{'s' * (years != 1)}" if years else "",
                f"{months} month{'s' * (months != 1)}" if months else "",
            )
            if x
        )
        parts.append(
            span + (" (to today)" if not (j.start or j.end) and j.current is not False else "")
        )
    parts.append(j.hours_said or "hours not given")
    if j.paid is False:
        parts.append("unpaid")
    if j.front_line_retail:
        parts.append("front-line retail")
    if j.tasks:
        parts.append("duties: " + "; ".join(j.tasks))
    return ", ".join(parts)


def finish(draft: DraftProfile) -> DraftProfile:
    today = draft.today
    understood = [_say_qual(q, today) for q in draft.qualifications]
    if draft.no_qualification:
        understood.append("No qualification at AQF Diploma level or higher")
    understood += [_say_job(j, today) for j in draft.jobs]
    assumptions: list[str] = []
    missing: list[str] = []
    if not draft.qualifications and not draft.no_qualification:
        if draft.no_degree_only:
            missing.append(
                "Do you hold a diploma or any other qualification (level, field, year "
                "completed), or none?"
            )
        else:
            missing.append(
                "What is your highest qualification: its level (diploma, bachelor, "
                "master...), field of study and the year you completed it?"
            )
    for q in draft.qualifications:
        label = q.name
        if q.generic_degree:
            assumptions.append(f"'{q.name}' is taken as a bachelor's degree.")
        if q.level in {"certificate_iv", "certificate_iii"}:
            continue
        if q.field is None:
            missing.append(f"What was the major field of study of your {label}?")
        if q.completed is None and q.completed_exact is None and not q.in_progress:
            missing.append(f"When did you complete your {label} (month and year)?")
        if q.completed is not None and q.completed.month is None:
            assumptions.append(
                f"Your {label} completed in {q.completed.year} is taken as completed on 31 "
                "December of that year (or today, if earlier), the latest it could be."
            )
        if q.completed is not None and q.completed.month is not None:
            assumptions.append(
                f"Your {label} is taken as completed on the last day of {q.completed.said()}."
            )
    if not draft.jobs and not draft.no_qualification:
        missing.append(
            "What jobs have you held: title, start and end (or how long), hours a "
            "week, and whether paid?"
        )
    if draft.no_qualification and draft.jobs:
        assumptions.append(
            "With no qualification at the required level, no job can change the outcome, "
            "so the jobs' missing details are not asked for."
        )
    for j in () if draft.no_qualification else draft.jobs:
        label = f"as {j.title}" if j.title else "in that job"
        if j.start is None and j.months is None:
            missing.append(f"When did you start {label} (month and year)?")
        elif j.start is not None and j.start.month is None:
            assumptions.append(
                f"A start in {j.start.year} with no month is taken as 31 December "
                f"{j.start.year}, the latest it could be."
            )
        elif j.start is not None:
            assumptions.append(
                f"A start in {j.start.said()} is taken as the last day of that month."
            )
        if j.end is not None:
            assumptions.append(
                f"An end in {j.end.said()} is taken as {j.end.as_end().isoformat()},"
                " the earliest it could be."
            )
        if j.months is not None and j.start is None and j.end is None:
            if j.current is False:
                missing.append(f"When did your job {label} end?")
            else:
                assumptions.append(
                    f"'{_say_job(replace(j, hours_said=None), today).split(', ')[1]}'"
                    f" {label} with no dates is taken to end today "
                    f"({today.isoformat()})."
                )
        if j.start is not None and j.end is None and j.current is False and j.months is None:
            missing.append(f"When did your job {label} end, or are you still in it?")
        if j.hours is None and j.paid is not False:
            missing.append(f"How many paid hours a week do (or did) you work {label}?")
        elif j.hours_said == "full time":
            assumptions.append(f"'Full time' is taken as {FULL_TIME_HOURS:g} hours a week.")
        if j.paid is None:
            assumptions.append(f"Your work {label} is taken as paid (say if it was unpaid).")
        if j.title is None and not j.tasks:
            missing.append("What was your job title there, and what were your main duties?")
    if draft.jobs:
        assumptions.append(
            "Whether each job is relevant is left to the rules check, which decides"
            " from the title and duties."
        )
    missing = list(dict.fromkeys(missing))
    assumptions = list(dict.fromkeys(assumptions))
    return replace(
        draft,
        understood=understood,
        assumptions=assumptions,
        missing=missing,
        ready=draft.has_facts and not missing,
    )


def _normalise(text: str) -> str:
    """'01/2018' -> 'Jan 2018'; labels such as 'Employment:' dropped."""
    text = re.sub(
        r"\b(0?[1-9]|1[0-2])/((?:19|20)\d\d)\b",
        lambda m: f"{calendar.month_abbr[int(m.group(1))]} {m.group(2)}",
        text,
    )
    return re.sub(
        r"\b(employment|qualifications?|education|work history|experience)\s*:", " ", text, flags=_I
    )


def read_facts(text: str, today: date) -> DraftProfile:
    """The facts in a chat message, as a draft profile (say-back, assumptions, what is missing)."""
    text = _normalise(text)
    quals, none_at_all, only_no_degree = read_qualifications(text, today)
    jobs = read_jobs(text)
    return finish(
        DraftProfile(
            today=today,
            qualifications=tuple(quals),
            no_qualification=none_at_all,
            no_degree_only=only_no_degree,
            jobs=tuple(jobs),
        )
    )
