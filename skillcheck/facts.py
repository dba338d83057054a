"""Read an applicant's facts from chat text into a draft profile for the rules engine.

``read_facts(text, today)`` finds qualifications (level, field, completion) and jobs
(title, dates or duration, current or past, hours, paid, duties) with regular
expressions, no model. The draft says back what it understood, lists every
assumption (always the conservative reading: a year with no month counts the least
time it could), and asks for exactly the facts the engine needs that are absent.
``DraftProfile.apply`` reads a follow-up ("what if my degree was in marketing?",
"and if I worked 15 hours a week?") and changes the draft.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from skillcheck.rules import load_rules
from skillcheck.rules.loader import Level

_I = re.IGNORECASE
FULL_TIME_HOURS = 38.0
_MONTHS = {
    m.lower(): i
    for i in range(1, 13)
    for m in (calendar.month_name[i], calendar.month_abbr[i], calendar.month_name[i][:4])
}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_YEAR = r"(?:19[5-9]\d|20[0-4]\d)"
_NUM_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "eighteen": 18,
    "twenty": 20,
    "half": 0.5,
}
_NUM = (
    r"(?:(?<!\d)\d{1,2}(?:\.\d+)?(?!\d)|a|an|one|two|three|four|five|six|seven|eight|"
    r"nine|ten|eleven|twelve|fifteen|eighteen|twenty)"
)

_LEVELS: list[tuple[str, Level]] = [
    (r"ph\.?\s?d|doctorate|doctoral degree|doctor of philosophy", "doctoral"),
    (r"mba|master'?s?(?: degree)?|m\.?com|m\.?sc|m\.?b\.?a\.?", "master"),
    (r"(?:post ?)?graduate diploma|grad\.? ?dip(?:loma)?|pg ?dip(?:loma)?", "graduate_diploma"),
    (r"graduate certificate|grad\.? ?cert(?:ificate)?", "graduate_certificate"),
    (r"associate degree", "associate_degree"),
    (r"advanced diploma|adv\.? ?dip(?:loma)?", "advanced_diploma"),
    (
        r"bachelor'?s?(?: degree)?|b\.?com|bba|b\.?sc|b\.?b\.?a|undergrad(?:uate)?(?: degree)?|"
        r"uni(?:versity)? degree|degree",
        "bachelor",
    ),
    (r"diploma", "diploma"),
    (r"cert(?:ificate)?\.?\s?(?:iv|4)", "certificate_iv"),
    (r"cert(?:ificate)?\.?\s?(?:iii|3)", "certificate_iii"),
]
_LEVEL_RE = re.compile(r"\b(" + "|".join(f"(?:{p})" for p, _ in _LEVELS) + r")(?![a-z])", _I)
_LEVEL_NAMES: dict[str, str] = {
    "doctoral": "doctorate",
    "master": "master's degree",
    "graduate_diploma": "graduate diploma",
    "graduate_certificate": "graduate certificate",
    "associate_degree": "associate degree",
    "advanced_diploma": "advanced diploma",
    "bachelor": "bachelor's degree",
    "diploma": "diploma",
    "certificate_iv": "Certificate IV",
    "certificate_iii": "Certificate III",
}
_IMPLIED_FIELD = {
    "bcom": "Commerce",
    "b.com": "Commerce",
    "mcom": "Commerce",
    "m.com": "Commerce",
    "mba": "Business Administration",
    "bba": "Business Administration",
    "b.b.a": "Business Administration",
    "m.b.a": "Business Administration",
}
_FIELD_WORDS = (
    r"business management|customer service management|business administration|business|"
    r"management|marketing|commerce|accounting|finance|economics|hospitality|tourism|"
    r"engineering|information technology|computer science|it|psychology|arts|science|"
    r"human resources|hr|nursing|education|law|communications?|logistics|sales"
)
_NEGATED = re.compile(
    r"(?:\bno|\bnot|\bwithout|\bnever|\bneither|\bnor|\black|n'?t have|dont have|"
    r"don'?t hold|didn'?t (?:finish|complete|get))\b"
    r"(?:(?!\b(?:but|have|got|hold|although|however)\b)[\w\s/'-]){0,22}$",
    _I,
)
_JOB_CUE = re.compile(
    r"\b(work|worked|working|job|role|position|employed|experience|since|as an?|"
    r"manag\w*|supervis\w*|team ?lead\w*|i'?m|i am|i was|i have been|i've been|"
    r"\d+\s*(?:years?|yrs?|months?)(?! ago))\b",
    _I,
)
_HOURS_NUM = re.compile(
    r"(\d{1,3}(?:\.\d)?)\s*(?:-|to)?\s*(?:hours?|hrs?|h)\b(?:\s*(?:a|per|/|each)?\s*(?:week|wk|w)\b)?",
    _I,
)
_FULL_TIME = re.compile(r"\bfull[- ]?time\b|\bfulltime\b|\bft\b", _I)
_PART_TIME = re.compile(r"\bpart[- ]?time\b|\bcasual\b", _I)
_UNPAID = re.compile(
    r"\bunpaid\b|\bvolunteer\w*|\bvoluntary\b|\bwithout pay\b|\bnot paid\b|"
    r"\bpro bono\b",
    _I,
)
_PAID = re.compile(r"(?<!un)\bpaid\b", _I)
_CURRENT = re.compile(
    r"\b(currently|now|present|since|still|i'?m|i am|am working|have been|"
    r"i've been|ongoing|to date|till date|today)\b",
    _I,
)
_PAST = re.compile(
    r"\b(was|were|used to|previously|formerly|former|left|quit|ended|did|"
    r"worked|spent|had)\b",
    _I,
)
_RETAIL = re.compile(
    r"retail (?:store|shop|outlet)|supermarket|shop floor|front[- ]line retail|"
    r"in[- ]store",
    _I,
)
_TASKS = re.compile(
    r"(?:duties|tasks|responsibilities)\s*(?:include|includes|included|are|were|:)\s*(.+?)"
    r"(?:[.!?](?:\s|$)|$)|(?:responsible for|in charge of|my job (?:involves|is))\s+(.+?)"
    r"(?:[.!?](?:\s|$)|$)",
    _I,
)
_CLAUSE_SPLIT = re.compile(
    r"(?<=[.!?])\s+|;|\n|\b(?:then|after that|before that|prior to that|previously|"
    r"and now|now i'?m|currently)\b",
    _I,
)


@dataclass(frozen=True)
class When:
    """A date as said, and how precisely: 'year', 'month' or 'day'."""

    year: int
    month: int | None = None

    def as_start(self) -> date:
        """The latest day it could mean (a start counted conservatively)."""
        month = self.month or 12
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    def as_end(self) -> date:
        """The earliest day it could mean (an end counted conservatively)."""
        return date(self.year, self.month or 1, 1)

    def said(self) -> str:
        return f"{calendar.month_abbr[self.month]} {self.year}" if self.month else str(self.year)


@dataclass(frozen=True)
class QualFact:
    """A qualification as stated; None means not said."""

    level: Level
    name: str
    field: str | None = None
    completed: When | None = None
    completed_exact: date | None = None  # from "two months ago"
    in_progress: bool = False
    generic_degree: bool = False


@dataclass(frozen=True)
class JobFact:
    """A job as stated; None means not said."""

    title: str | None = None
    start: When | None = None
    end: When | None = None
    current: bool | None = None
    months: float | None = None  # a duration with no dates
    hours: float | None = None
    hours_said: str | None = None
    paid: bool | None = None
    tasks: tuple[str, ...] = ()
    front_line_retail: bool = False


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
        return _apply(self, followup, today or self.today)


# ---- dates and numbers ------------------------------------------------------------


def _num(word: str) -> float:
    return _NUM_WORDS[word.lower()] if word.lower() in _NUM_WORDS else float(word)


def _shift_months(day: date, months: int) -> date:
    total = max(day.year * 12 + (day.month - 1) + months, 1900 * 12)
    year, month = divmod(total, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _when(month: str | None, year: str) -> When:
    return When(
        int(year), _MONTHS.get(month.lower()[:4], _MONTHS.get(month.lower()[:3])) if month else None
    )


def _months_of(text: str) -> float | None:
    m = re.search(
        rf"\b({_NUM})\s*(?:\+\s*)?(years?|yrs?)(?:\s*(?:and\s*)?({_NUM})\s*(months?|mos?))?\b"
        rf"(?!\s*ago)(?!\s*(?:old|degree|diploma|course|program))|\b({_NUM})\s*(months?|mos?)\b"
        rf"(?!\s*ago)",
        text,
        _I,
    )
    if m is None:
        return None
    if m.group(1):
        return _num(m.group(1)) * 12 + (_num(m.group(3)) if m.group(3) else 0)
    return _num(m.group(5))


def _range(text: str) -> tuple[When | None, When | None, bool | None]:
    """Start, end and whether ongoing, from 'since 2022', '2019-2023', 'Jan 2021 to March 2023'."""
    my = rf"(?:({_MONTH})\.?\s+)?({_YEAR})"
    m = re.search(
        rf"(?:from\s+)?{my}\s*(?:-|–|to|until|till)\s*(?:{my}|(now|present|today|current(?:ly)?|date))",
        text,
        _I,
    )
    if m:
        start = _when(m.group(1), m.group(2))
        if m.group(5):
            return start, None, True
        return start, _when(m.group(3), m.group(4)), False
    m = re.search(
        rf"\b(?:since|from|starting|started(?: in)?|joined(?: in)?)\s+(?:in\s+)?{my}", text, _I
    )
    if m:
        return _when(m.group(1), m.group(2)), None, None
    m = re.search(rf"\b(?:until|till|ended(?: in)?|left(?: in)?|to)\s+(?:in\s+)?{my}", text, _I)
    if m:
        return None, _when(m.group(1), m.group(2)), False
    return None, None, None


def _hours(text: str) -> tuple[float | None, str | None]:
    m = _HOURS_NUM.search(text)
    if m:
        value = float(m.group(1))
        return value, f"{value:g} hours a week"
    if _FULL_TIME.search(text):
        return FULL_TIME_HOURS, "full time"
    return None, None


# ---- qualifications ---------------------------------------------------------------


_FIELD_END = (
    r"(?=\s*(?:$|[.,;()!?]|\band\b|\bfrom\b|\bwith\b|\bat\b|\bbut\b|\bwhich\b|\bthat\b|"
    r"\binstead\b|\bcompleted\b|\bfinished\b|\bgraduated\b|\bin\s+(?:19|20)\d\d|"
    r"(?:19|20)\d\d|\b(?:was|is|were)\b|\bsince\b|\bthen\b|\bback\b|\bin\s+" + _MONTH + r"\b))"
)
_FIELD_AFTER = (
    r"\s*(?:degree\s+)?(?:\(hons\)\s*)?(?:(?:was|is|were|had been|would be)\s+)?(?:in|of)\s+"
    r"([a-z][a-z&' -]*?)" + _FIELD_END
)


def _field_after(rest: str) -> str | None:
    m = re.match(_FIELD_AFTER, rest, _I)
    if m is None:
        return None
    value = m.group(1).strip()
    return value if value and value.lower() not in {"a", "the", "my"} else None


def _field_before(before: str) -> str | None:
    m = re.search(rf"\b({_FIELD_WORDS})\s*$", before, _I)
    return m.group(1) if m else None


def _nice(text: str) -> str:
    small = {"of", "in", "and", "or", "the", "a", "an", "at", "for"}
    words = text.split()
    return " ".join(
        w
        if (w.lower() in small and i) or any(c.isupper() for c in w[1:])
        else w[:1].upper() + w[1:]
        for i, w in enumerate(words)
    )


_IN_PROGRESS = (
    r"\b(currently|still) (studying|doing|enrolled)|\bstudying\b|in progress|"
    r"will (finish|complete|graduate)|\bongoing\b|final (year|semester)"
)


_STUDYING_BEFORE = (
    r"\b(studying|doing|enrolled in|completing|pursuing|halfway through|in the middle of)"
    r"\s+(?:a|an|my|the)?\s*$"
)


def _completion(segment: str, today: date) -> tuple[When | None, date | None, bool]:
    if re.search(_IN_PROGRESS, segment, _I):
        return None, None, True
    m = re.search(rf"\b({_NUM})\s*(months?|years?)\s+ago\b", segment, _I)
    if m:
        months = _num(m.group(1)) * (12 if m.group(2).lower().startswith("y") else 1)
        return None, _shift_months(today, -round(months)), False
    if re.search(r"\blast year\b", segment, _I):
        return When(today.year - 1), None, False
    if re.search(r"\bthis year\b", segment, _I):
        return When(today.year), None, False
    m = re.search(rf"(?:({_MONTH})\.?\s+)?({_YEAR})", segment, _I)
    if m:
        return _when(m.group(1), m.group(2)), None, False
    return None, None, False


def _qualifications(text: str, today: date) -> tuple[list[QualFact], bool, bool]:
    """Qualifications stated, whether none at all is stated, whether only 'no degree'."""
    found: list[QualFact] = []
    negated: list[Level] = []
    matches = list(_LEVEL_RE.finditer(text))
    for i, m in enumerate(matches):
        word = m.group(1)
        level = next(lv for p, lv in _LEVELS if re.fullmatch(p, word, _I))
        before = text[: m.start()]
        if _NEGATED.search(before):
            negated.append(level)
            continue
        stop = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        rest = text[m.end() : stop]
        after = _field_after(rest)
        fld = after or _field_before(before) or _IMPLIED_FIELD.get(word.lower())
        fm = re.match(_FIELD_AFTER, rest, _I) if after else None
        name = (word + rest[: fm.end()]) if fm else word
        tail = rest[fm.end() :] if fm else rest
        cue = _JOB_CUE.search(tail)
        segment = tail[: cue.start()] if cue else tail
        segment = re.split(r"(?<=[.!?])\s", segment)[0]
        completed, exact, in_progress = _completion(segment, today)
        if completed is None and exact is None and not in_progress:
            # "Graduated 2018 with a BCom": the year before the level, in the same sentence
            sentence = re.split(r"[.!?;]\s", before)[-1]
            said = re.search(
                rf"\b(?:graduated|completed|finished|got|earned)\s+(?:in\s+)?"
                rf"(?:({_MONTH})\.?\s+)?({_YEAR})\b[^.]*$",
                sentence,
                _I,
            )
            if said:
                completed = _when(said.group(1), said.group(2))
        if re.search(_STUDYING_BEFORE, before, _I):
            completed, exact, in_progress = None, None, True
        found.append(
            QualFact(
                level=level,
                name=_nice(name),
                field=_nice(fld) if fld else None,
                completed=completed,
                completed_exact=exact,
                in_progress=in_progress,
                generic_degree=word.lower() in {"degree", "uni degree", "university degree"},
            )
        )
    none_at_all = (
        re.search(
            r"\bno (formal )?(qualifications?|education|studies)\b|"
            r"\bnever (studied|went to uni)",
            text,
            _I,
        )
        is not None
    )
    if not found and negated and any(lv != "bachelor" for lv in negated):
        none_at_all = True
    only_no_degree = (
        not found and not none_at_all and negated == ["bachelor"] * len(negated) and bool(negated)
    )
    return found, (none_at_all and not found), only_no_degree


# ---- jobs ---------------------------------------------------------------------------


_TARGET = re.compile(
    r"\b(assess(ed|ment)?|apply(ing)?|nominat(e|ing)|qualify|pass|eligible|count|accepted)"
    r"\s+(as|for|under)\s+(an?\s+)?$",
    _I,
)


def _title(clause: str) -> str | None:
    from skillcheck.titles_in_text import candidate_titles

    for title in candidate_titles(clause):
        before = clause[: clause.lower().find(title.lower())]
        if not _TARGET.search(before):
            return _nice(title)
    return None


def _tasks(clause: str) -> tuple[str, ...]:
    m = _TASKS.search(clause)
    if m is None:
        return ()
    body = m.group(1) or m.group(2) or ""
    parts = re.split(r",|;|\band\b", body)
    return tuple(p.strip() for p in parts if len(p.strip()) > 3)


def _job(clause: str) -> JobFact | None:
    title = _title(clause)
    start, end, ongoing = _range(clause)
    months = None if start else _months_of(clause)
    worky = re.search(
        r"\b(work\w*|job|role|position|employ\w*|experience|manag\w*|led|lead\w*|"
        r"supervis\w*|running|ran)\b",
        clause,
        _I,
    )
    if title is None and not worky:
        return None
    if title is None and not (start or end or months):
        return None
    hours, hours_said = _hours(clause)
    if hours is None and _PART_TIME.search(clause):
        hours_said = "part time (hours not given)"
    current: bool | None = ongoing
    if current is None:
        if _CURRENT.search(clause):
            current = True
        elif end is not None or _PAST.search(clause):
            current = False
    paid = False if _UNPAID.search(clause) else (True if _PAID.search(clause) else None)
    return JobFact(
        title=title,
        start=start,
        end=end,
        current=current,
        months=months,
        hours=hours,
        hours_said=hours_said,
        paid=paid,
        tasks=_tasks(clause),
        front_line_retail=bool(_RETAIL.search(clause)),
    )


def _strip_quals(text: str) -> str:
    """The text with qualification phrases blanked, so their years are not read as jobs."""

    def blank(m: re.Match[str]) -> str:
        return " " * len(m.group(0))

    pattern = re.compile(
        r"\b(?:" + "|".join(f"(?:{p})" for p, _ in _LEVELS) + r")(?![a-z])"
        r"(?:\s*(?:degree\s+)?(?:in|of)\s+[a-z&' -]+?" + _FIELD_END + ")?"
        r"(?:\s*[,(]?\s*(?:completed|finished|graduated|awarded|obtained|got it|from)?\s*(?:in\s+)?"
        rf"(?:(?:{_MONTH})\.?\s+)?{_YEAR}\)?|\s*\(?\s*(?:completed|finished|graduated)\s+{_NUM}\s*"
        r"(?:months?|years?)\s+ago\)?)?",
        _I,
    )
    return pattern.sub(blank, text)


def _timed(job: JobFact) -> bool:
    return bool(job.start or job.end or job.months is not None)


def _jobs(text: str) -> list[JobFact]:
    body = _strip_quals(text)
    jobs: list[JobFact] = []
    for sentence in (c for c in _CLAUSE_SPLIT.split(body) if c and c.strip()):
        _read_clauses(sentence, jobs)
        tasks = _tasks(sentence)
        if tasks and jobs and not jobs[-1].tasks:
            jobs[-1] = replace(jobs[-1], tasks=tasks)
    return jobs


def _read_clauses(sentence: str, jobs: list[JobFact]) -> None:
    """Read the comma-separated parts of one sentence into ``jobs`` (in place)."""
    clauses = [p for p in re.split(r",|\bwhile\b|\bwhereas\b", sentence) if p.strip()]
    for clause in clauses:
        job = _job(clause)
        if job is not None and job.title is None and jobs and not _timed(jobs[-1]):
            last = jobs[-1]  # "..., for 3 years": the time of the job just named
            jobs[-1] = replace(
                last,
                start=job.start,
                end=job.end,
                months=job.months,
                current=job.current if job.current is not None else last.current,
                hours=last.hours if last.hours is not None else job.hours,
                hours_said=last.hours_said or job.hours_said,
            )
            continue
        if job is not None:
            jobs.append(job)
            continue
        if jobs and not _timed(jobs[-1]):
            start, end, ongoing = _range(clause)
            months = None if start else _months_of(clause)
            if start or end or months:
                jobs[-1] = replace(
                    jobs[-1],
                    start=start,
                    end=end,
                    months=months,
                    current=ongoing if ongoing is not None else jobs[-1].current,
                )
        hours, said = _hours(clause)
        if jobs and (hours is not None or _UNPAID.search(clause) or _PART_TIME.search(clause)):
            targets = range(len(jobs)) if re.search(r"\b(both|all|each)\b", clause, _I) else [-1]
            for t in targets:
                j = jobs[t]
                jobs[t] = replace(
                    j,
                    hours=hours if j.hours is None else j.hours,
                    hours_said=said if j.hours_said is None else j.hours_said,
                    paid=False if _UNPAID.search(clause) else j.paid,
                )


# ---- the draft --------------------------------------------------------------------


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


def _finish(draft: DraftProfile) -> DraftProfile:
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
    quals, none_at_all, only_no_degree = _qualifications(text, today)
    jobs = _jobs(text)
    return _finish(
        DraftProfile(
            today=today,
            qualifications=tuple(quals),
            no_qualification=none_at_all,
            no_degree_only=only_no_degree,
            jobs=tuple(jobs),
        )
    )


# ---- follow-ups -------------------------------------------------------------------

_NEW_FIELD = r"\b(?:in|of)\s+([a-z][a-z&' -]+?)\s*(?:instead\s*)?(?:[?.!,]|$)"
_QUAL_WORD = r"\b(degree|diploma|qualification|major|field|studied)\b"
_ADD = re.compile(r"\b(also|another|too|as well|additionally|plus|second|besides)\b", _I)


def _with_field(q: QualFact, fld: str) -> QualFact:
    """The qualification with another field, its name following when it named the field."""
    fld = _nice(fld)
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


def _apply(draft: DraftProfile, followup: str, today: date) -> DraftProfile:
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
        done, exact, progress = _completion(followup, today)
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
    return _finish(
        DraftProfile(
            today=today,
            qualifications=tuple(quals),
            no_qualification=no_qual,
            no_degree_only=draft.no_degree_only and not quals,
            jobs=tuple(jobs),
        )
    )
