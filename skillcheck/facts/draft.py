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
from skillcheck.spelling import correct_spelling


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
    corrections: tuple[tuple[str, str], ...] = ()  # misspelt words read as (said, read)

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

    def form_input(self, application_date: date | None = None) -> dict[str, Any]:
        """Like :meth:`to_assess_input`, but every job stated, unknown values as None.

        What the app's form is pre-filled with: the applicant completes the blanks.
        """
        data = self.to_assess_input(application_date)
        jobs = []
        for j in self.jobs:
            start, end = _job_dates(j, self.today)
            jobs.append(
                {
                    "title": j.title,
                    "start": start.isoformat() if start else None,
                    "end": end.isoformat() if end else None,
                    "hours_per_week": j.hours,
                    "paid": j.paid is not False,
                    "tasks": list(j.tasks),
                    "front_line_retail": j.front_line_retail,
                }
            )
        return {**data, "employment": jobs}


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


def _span(months: float) -> str:
    """'1 year 10 months', '18 months' -> '1 year 6 months', '2 years'."""
    years, rest = divmod(round(months), 12)
    words = [
        f"{years} year{'s' * (years != 1)}" if years else "",
        f"{rest} month{'s' * (rest != 1)}" if rest else "",
    ]
    return " ".join(w for w in words if w) or "0 months"


def _say_job(j: JobFact, today: date) -> str:
    parts = [j.title or "A job (title not given)"]
    if j.start and j.current is not False and not j.end:
        parts.append(f"since {j.start.said()}")
    elif j.start:
        parts.append(f"{j.start.said()} to {j.end.said() if j.end else 'now'}")
    elif j.end:
        parts.append(f"until {j.end.said()}")
    if j.months is not None:
        to_today = not (j.start or j.end) and j.current is not False
        parts.append(_span(j.months) + (" (to today)" if to_today else ""))
    parts.append(j.hours_said or "hours not given")
    if j.paid is False:
        parts.append("unpaid")
    if j.front_line_retail:
        parts.append("front-line retail")
    if j.tasks:
        parts.append("duties: " + "; ".join(j.tasks))
    return ", ".join(parts)


_ASK_QUALIFICATION = (
    "What is your highest qualification: its level (diploma, bachelor, master...), field of "
    "study and the year you completed it?"
)
_ASK_DIPLOMA = (
    "Do you hold a diploma or any other qualification (level, field, year completed), or none?"
)
_ASK_JOBS = (
    "What jobs have you held: title, start and end (or how long), hours a week, and whether paid?"
)


def _qual_notes(q: QualFact) -> tuple[list[str], list[str]]:
    """What we assumed about a qualification, and what we must ask."""
    assumed: list[str] = []
    ask: list[str] = []
    if q.generic_degree:
        assumed.append(f"'{q.name}' is taken as a bachelor's degree.")
    if q.level in {"certificate_iv", "certificate_iii"}:
        return assumed, ask  # below the required level: its details change nothing
    if q.field is None:
        ask.append(f"What was the major field of study of your {q.name}?")
    if q.completed is None and q.completed_exact is None and not q.in_progress:
        ask.append(f"When did you complete your {q.name} (month and year)?")
    elif q.completed is not None and q.completed.part is not None:
        first, last = (calendar.month_name[m] for m in q.completed.months())
        assumed.append(
            f"Your {q.name} completed in {q.completed.said()} ({first} to {last}) is taken as "
            f"completed on {q.completed.as_start().isoformat()} (or today, if earlier), the "
            "latest it could be."
        )
    elif q.completed is not None and q.completed.month is None:
        assumed.append(
            f"Your {q.name} completed in {q.completed.year} is taken as completed on 31 "
            "December of that year (or today, if earlier), the latest it could be."
        )
    elif q.completed is not None:
        assumed.append(
            f"Your {q.name} is taken as completed on the last day of {q.completed.said()}."
        )
    return assumed, ask


def _start_notes(j: JobFact, label: str) -> tuple[list[str], list[str]]:
    if j.start is None and j.months is None:
        return [], [f"When did you start {label} (month and year)?"]
    if j.start is not None and j.start.part is not None:
        first, last = (calendar.month_name[m] for m in j.start.months())
        return [
            f"A start in {j.start.said()} ({first} to {last}) is taken as "
            f"{j.start.as_start().isoformat()}, the latest it could be."
        ], []
    if j.start is not None and j.start.month is None:
        year = j.start.year
        return [
            f"A start in {year} with no month is taken as 31 December {year}, the latest "
            "it could be."
        ], []
    if j.start is not None:
        return [f"A start in {j.start.said()} is taken as the last day of that month."], []
    return [], []


def _end_notes(j: JobFact, label: str, today: date) -> tuple[list[str], list[str]]:
    if j.end is not None:
        months = ""
        if j.end.part is not None:
            first, last = (calendar.month_name[m] for m in j.end.months())
            months = f" ({first} to {last})"
        return [
            f"An end in {j.end.said()}{months} is taken as {j.end.as_end().isoformat()}, the "
            "earliest it could be."
        ], []
    if j.current is not False:
        if j.months is not None and j.start is None:
            return [
                f"'{_span(j.months)}' {label} with no dates is taken to end today "
                f"({today.isoformat()})."
            ], []
        return [], []
    if j.months is not None and j.start is None:
        return [], [f"When did your job {label} end?"]
    if j.months is None:
        return [], [f"When did your job {label} end, or are you still in it?"]
    return [], []


def _job_notes(j: JobFact, today: date) -> tuple[list[str], list[str]]:
    """What we assumed about a job, and what we must ask."""
    label = f"as {j.title}" if j.title else "in that job"
    assumed, ask = _start_notes(j, label)
    more_assumed, more_ask = _end_notes(j, label, today)
    assumed += more_assumed
    ask += more_ask
    if j.hours is None and j.paid is not False:
        ask.append(f"How many paid hours a week do (or did) you work {label}?")
    elif j.hours_said == "full time":
        assumed.append(f"'Full time' is taken as {FULL_TIME_HOURS:g} hours a week.")
    if j.paid is None:
        assumed.append(f"Your work {label} is taken as paid (say if it was unpaid).")
    if j.title is None and not j.tasks:
        ask.append("What was your job title there, and what were your main duties?")
    return assumed, ask


def finish(draft: DraftProfile) -> DraftProfile:
    """The draft with its say-back, assumptions, missing facts and readiness filled in."""
    today = draft.today
    understood = [_say_qual(q, today) for q in draft.qualifications]
    if draft.no_qualification:
        understood.append("No qualification at AQF Diploma level or higher")
    understood += [_say_job(j, today) for j in draft.jobs]
    assumptions = [f"'{said}' is read as '{read}'." for said, read in draft.corrections]
    missing: list[str] = []
    if not draft.qualifications and not draft.no_qualification:
        missing.append(_ASK_DIPLOMA if draft.no_degree_only else _ASK_QUALIFICATION)
    for q in draft.qualifications:
        assumed, ask = _qual_notes(q)
        assumptions += assumed
        missing += ask
    if not draft.jobs and not draft.no_qualification:
        missing.append(_ASK_JOBS)
    if draft.no_qualification and draft.jobs:
        assumptions.append(
            "With no qualification at the required level, no job can change the outcome, "
            "so the jobs' missing details are not asked for."
        )
    for j in () if draft.no_qualification else draft.jobs:
        assumed, ask = _job_notes(j, today)
        assumptions += assumed
        missing += ask
    if draft.jobs:
        assumptions.append(
            "Whether each job is relevant is left to the rules check, which decides"
            " from the title and duties."
        )
    missing = list(dict.fromkeys(missing))
    return replace(
        draft,
        understood=understood,
        assumptions=list(dict.fromkeys(assumptions)),
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
    text, corrections = correct_spelling(_normalise(text))
    quals, none_at_all, only_no_degree = read_qualifications(text, today)
    jobs = read_jobs(text)
    return finish(
        DraftProfile(
            today=today,
            qualifications=tuple(quals),
            no_qualification=none_at_all,
            no_degree_only=only_no_degree,
            jobs=tuple(jobs),
            corrections=tuple(dict.fromkeys(corrections)),
        )
    )
