"""Follow-ups: a message that changes one fact of the draft, or adds one."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from skillcheck.facts.draft import DraftProfile, finish, read_facts
from skillcheck.facts.model import QualFact
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


def apply_followup(draft: DraftProfile, followup: str, today: date) -> DraftProfile:
    new = read_facts(followup, today)
    quals = list(draft.qualifications)
    jobs = list(draft.jobs)
    adding = bool(_ADD.search(followup))
    no_qual = draft.no_qualification and not new.qualifications
    # qualifications: add, replace the level, or change one fact of the target
    if new.qualifications and (adding or not quals):
        quals += new.qualifications
    elif new.qualifications:
        i = _target_qual(draft, followup) or 0
        n, old = new.qualifications[0], quals[i]
        same_level = n.level == old.level or n.generic_degree
        quals[i] = replace(
            old,
            level=old.level if same_level else n.level,
            name=old.name if same_level else n.name,
            generic_degree=old.generic_degree if same_level else n.generic_degree,
            field=n.field or (old.field if same_level else None),
            completed=n.completed or old.completed,
            completed_exact=n.completed_exact or old.completed_exact,
            in_progress=n.in_progress or (old.in_progress and not n.completed),
        )
        if same_level and n.field:
            quals[i] = _with_field(replace(quals[i], field=old.field, name=old.name), n.field)
    elif quals and re.search(r"\b(finished|completed|graduated|got it|awarded)\b", followup, _I):
        i = _target_qual(draft, followup) or 0
        done, exact, progress = read_completion(followup, today)
        if done or exact or progress:
            quals[i] = replace(
                quals[i], completed=done, completed_exact=exact, in_progress=progress
            )
    elif quals and re.search(
        r"\b(degree|diploma|qualification|major|field|studied)\b", followup, _I
    ):
        fld = re.search(
            r"\b(?:in|of)\s+([a-z][a-z&' -]+?)\s*(?:instead\s*)?(?:[?.!,]|$)", followup, _I
        )
        if fld:
            quals[0] = _with_field(quals[0], fld.group(1).strip())
    elif quals and re.search(rf"\b(?:in|of)\s+({_FIELD_WORDS})\b", followup, _I) and not new.jobs:
        fld = re.search(rf"\b(?:in|of)\s+({_FIELD_WORDS})\b", followup, _I)
        assert fld is not None
        quals[0] = _with_field(quals[0], fld.group(1))
    # jobs: add, or change the facts stated of the one meant
    hours, said = _hours(followup)
    if hours is None and _PART_TIME.search(followup) and not new.jobs:
        said = "part time (hours not given)"
    changed_job = [j for j in new.jobs if j.title or j.start or j.end or j.months]
    if changed_job and (adding or not jobs):
        jobs += changed_job
    elif changed_job and jobs:
        nj = changed_job[0]
        i = next(
            (k for k, j in enumerate(jobs) if j.title and nj.title and j.title == nj.title), -1
        )
        oj = jobs[i]
        timed = bool(nj.start or nj.end or nj.months)
        jobs[i] = replace(
            oj,
            title=nj.title or oj.title,
            start=nj.start if timed else oj.start,
            end=nj.end if timed else oj.end,
            months=nj.months if timed else oj.months,
            current=nj.current if nj.current is not None else oj.current,
            hours=nj.hours if nj.hours is not None else oj.hours,
            hours_said=nj.hours_said or oj.hours_said,
            paid=nj.paid if nj.paid is not None else oj.paid,
            tasks=nj.tasks or oj.tasks,
        )
    elif jobs and (hours is not None or said or _UNPAID.search(followup) or _PAID.search(followup)):
        for k, j in enumerate(jobs):
            jobs[k] = replace(
                j,
                hours=hours if hours is not None else j.hours,
                hours_said=said or j.hours_said,
                paid=False
                if _UNPAID.search(followup)
                else (True if _PAID.search(followup) else j.paid),
            )
    elif jobs and not new.qualifications and (m := _range(followup)) and (m[0] or m[1]):
        jobs[-1] = replace(jobs[-1], start=m[0] or jobs[-1].start, end=m[1], current=m[2])
    elif jobs and re.search(r"\b(still (there|working)|current(ly)?|ongoing)\b", followup, _I):
        jobs[-1] = replace(jobs[-1], current=True, end=None)
    return finish(
        DraftProfile(
            today=today,
            qualifications=tuple(quals),
            no_qualification=no_qual,
            no_degree_only=draft.no_degree_only and not quals,
            jobs=tuple(jobs),
        )
    )
