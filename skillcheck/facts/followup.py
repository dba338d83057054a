"""Follow-ups: a message that changes one fact of the draft, or adds one."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from skillcheck.facts.draft import DraftProfile, finish, read_facts
from skillcheck.facts.model import JobFact, QualFact
from skillcheck.facts.patterns import (
    _FIELD_WORDS,
    _I,
    _PAID,
    _PART_TIME,
    _UNPAID,
    _hours,
    _range,
)
from skillcheck.facts.quals import nice_title, read_completion

_NEW_FIELD = r"\b(?:in|of)\s+([a-z][a-z&' -]+?)\s*(?:instead\s*)?(?:[?.!,]|$)"
_QUAL_WORD = r"\b(degree|diploma|qualification|major|field|studied)\b"
_ADD = re.compile(r"\b(also|another|too|as well|additionally|plus|second|besides)\b", _I)


def _with_field(q: QualFact, fld: str) -> QualFact:
    """The qualification with another field, its name following when it named the field."""
    fld = nice_title(fld)
    if q.field and q.name.lower().endswith(q.field.lower()):
        return replace(q, field=fld, name=q.name[: len(q.name) - len(q.field)] + fld)
    return replace(q, field=fld, name=f"{q.name} in {fld}")


def _target_qual(draft: DraftProfile, followup: str) -> int | None:
    if not draft.qualifications:
        return None
    for i, q in enumerate(draft.qualifications):
        if re.search(re.escape(q.name.split()[0]), followup, _I):
            return i
    return 0


def _merge_qual(old: QualFact, n: QualFact) -> QualFact:
    """The qualification meant, with what the follow-up says of it."""
    same_level = n.level == old.level or n.generic_degree
    merged = replace(
        old,
        level=old.level if same_level else n.level,
        name=old.name if same_level else n.name,
        generic_degree=old.generic_degree if same_level else n.generic_degree,
        field=old.field if same_level else n.field,
        completed=n.completed or old.completed,
        completed_exact=n.completed_exact or old.completed_exact,
        in_progress=n.in_progress or (old.in_progress and not n.completed),
    )
    return _with_field(merged, n.field) if same_level and n.field else merged


def _apply_quals(
    draft: DraftProfile, new: DraftProfile, followup: str, today: date
) -> list[QualFact]:
    """Qualifications after a follow-up: one added, one replaced, or one fact changed."""
    quals = list(draft.qualifications)
    if new.qualifications and (_ADD.search(followup) or not quals):
        return quals + list(new.qualifications)
    if not quals:
        return quals
    i = _target_qual(draft, followup) or 0
    if new.qualifications:
        quals[i] = _merge_qual(quals[i], new.qualifications[0])
    elif re.search(r"\b(finished|completed|graduated|got it|awarded)\b", followup, _I):
        done, exact, progress = read_completion(followup, today)
        if done or exact or progress:
            quals[i] = replace(
                quals[i], completed=done, completed_exact=exact, in_progress=progress
            )
    elif re.search(_QUAL_WORD, followup, _I) and (fld := re.search(_NEW_FIELD, followup, _I)):
        quals[0] = _with_field(quals[0], fld.group(1).strip())
    elif not new.jobs and (fld := re.search(rf"\b(?:in|of)\s+({_FIELD_WORDS})\b", followup, _I)):
        quals[0] = _with_field(quals[0], fld.group(1))
    return quals


def _merge_job(old: JobFact, n: JobFact) -> JobFact:
    """The job meant, with what the follow-up says of it (new dates replace old ones)."""
    timed = bool(n.start or n.end or n.months)
    return replace(
        old,
        title=n.title or old.title,
        start=n.start if timed else old.start,
        end=n.end if timed else old.end,
        months=n.months if timed else old.months,
        current=n.current if n.current is not None else old.current,
        hours=n.hours if n.hours is not None else old.hours,
        hours_said=n.hours_said or old.hours_said,
        paid=n.paid if n.paid is not None else old.paid,
        tasks=n.tasks or old.tasks,
    )


def _apply_jobs(draft: DraftProfile, new: DraftProfile, followup: str) -> list[JobFact]:
    """Jobs after a follow-up: one added, one changed, or hours / pay / dates of all changed."""
    jobs = list(draft.jobs)
    stated = [j for j in new.jobs if j.title or j.start or j.end or j.months]
    if stated and (_ADD.search(followup) or not jobs):
        return jobs + stated
    if not jobs:
        return jobs
    if stated:
        n = stated[0]
        same = [k for k, j in enumerate(jobs) if j.title and n.title and j.title == n.title]
        k = same[0] if same else -1
        jobs[k] = _merge_job(jobs[k], n)
        return jobs
    hours, said = _hours(followup)
    if hours is None and _PART_TIME.search(followup):
        said = "part time (hours not given)"
    unpaid, paid = bool(_UNPAID.search(followup)), bool(_PAID.search(followup))
    if hours is not None or said or unpaid or paid:
        pay = False if unpaid else (True if paid else None)
        return [
            replace(
                j,
                hours=hours if hours is not None else j.hours,
                hours_said=said or j.hours_said,
                paid=pay if pay is not None else j.paid,
            )
            for j in jobs
        ]
    start, end, ongoing = _range(followup)
    if not new.qualifications and (start or end):
        jobs[-1] = replace(jobs[-1], start=start or jobs[-1].start, end=end, current=ongoing)
    elif re.search(r"\b(still (there|working)|current(ly)?|ongoing)\b", followup, _I):
        jobs[-1] = replace(jobs[-1], current=True, end=None)
    return jobs


def apply_followup(draft: DraftProfile, followup: str, today: date) -> DraftProfile:
    """The draft with a follow-up's facts applied: a change of one fact, or an addition."""
    new = read_facts(followup, today)
    quals = _apply_quals(draft, new, followup, today)
    return finish(
        DraftProfile(
            today=today,
            qualifications=tuple(quals),
            no_qualification=draft.no_qualification and not new.qualifications,
            no_degree_only=draft.no_degree_only and not quals,
            jobs=tuple(_apply_jobs(draft, new, followup)),
        )
    )
