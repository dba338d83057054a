"""Jobs in chat text: title, dates or duration, current or past, hours, paid, duties."""

from __future__ import annotations

import re
from dataclasses import replace

from skillcheck.facts.model import JobFact
from skillcheck.facts.patterns import (
    _CLAUSE_SPLIT,
    _CURRENT,
    _I,
    _LEVELS,
    _MONTH,
    _NUM,
    _PAID,
    _PART,
    _PART_TIME,
    _PAST,
    _RETAIL,
    _TASKS,
    _UNPAID,
    _YEAR,
    _hours,
    _months_of,
    _range,
)
from skillcheck.facts.quals import FIELD_END, MAJOR, nice_title

_TARGET = re.compile(
    r"\b(assess(ed|ment)?|apply(ing)?|nominat(e|ing)|qualify|pass|eligible|count|accepted)"
    r"\s+(as|for|under)\s+(an?\s+)?$",
    _I,
)


#: Job nouns the title finder does not know (it looks for manager, supervisor, agent...).
_OTHER_HEAD = re.compile(
    r"\b(engineer|accountant|analyst|clerk|assistant|administrator|teacher|nurse|developer|"
    r"cashier|receptionist|technician|designer|planner|trainer|owner|salesperson|programmer|"
    r"auditor|banker|chef|cook|driver|waiter|waitress|bartender|barista|operator|controller|"
    r"editor|writer|lecturer|tutor|pharmacist|lawyer|architect|surveyor|secretary|teller)s?\b",
    _I,
)
#: A name just before a title: "at Zara", "in Hong Kong" (the title cannot start inside it).
_NAME_BEFORE = re.compile(r"\b(?:at|in|for|with|from)\s+(?:[A-Z][\w&'.-]*\s+)*$")


def _other_titles(clause: str) -> list[str]:
    """'site engineer', 'senior accountant': up to three words before a job noun."""
    from skillcheck.titles_in_text import _STOP

    found = []
    for m in _OTHER_HEAD.finditer(clause):
        gap = re.split(r"[,.;:()]", clause[: m.start()])[-1]
        words: list[str] = []
        for word in reversed(re.findall(r"[A-Za-z][A-Za-z&/'-]*", gap)[-3:]):
            if word.lower() in _STOP:
                break
            words.insert(0, word)
        found.append(" ".join([*words, m.group(1)]))
    return found


def _without_names(clause: str, title: str) -> str:
    """The title without an employer or place run into it: 'in Hong Kong customer service
    manager' -> 'customer service manager', 'at Zara Store Manager' -> 'Store Manager'."""
    from skillcheck.rules import lookup_title

    words = title.split()
    if len(words) < 2 or lookup_title(title).match in {"exact", "close"}:
        return title
    at = clause.find(title)
    before = clause[:at] if at >= 0 else ""
    lead = 0
    while lead < len(words) - 1 and words[lead][:1].isupper():
        lead += 1
    small = {"of", "and", "&", "for", "in", "to", "be"}
    mixed = 0 < lead < len(words) and words[lead][:1].islower()
    mixed = mixed and not any(w.lower() in small for w in words[lead - 1 : lead + 1])
    named = _NAME_BEFORE.search(before) is not None
    if not named and not (
        mixed and re.search(r"[a-z]", before) and not re.search(r"[.!?]\s*$", before)
    ):
        return title
    for k in range(1, len(words) - 1):  # "in Hong Kong customer service manager"
        if lookup_title(" ".join(words[k:])).match in {"exact", "close"}:
            return " ".join(words[k:])
    return " ".join(words[lead:]) if mixed else title  # "... since 2019 Woolworths store manager"


def _title(clause: str) -> str | None:
    from skillcheck.titles_in_text import candidate_titles

    # the other job nouns only with a time or hours ("developer mode" is no job)
    timed = any(_range(clause)[:2]) or _months_of(clause) or _hours(clause)[0] is not None
    for title in [*candidate_titles(clause), *(_other_titles(clause) if timed else [])]:
        before = clause[: clause.lower().find(title.lower())]
        if not _TARGET.search(before):
            return nice_title(_without_names(clause, title))
    return None


def _tasks(clause: str) -> tuple[str, ...]:
    m = _TASKS.search(clause)
    if m is None:
        return ()
    body = next((g for g in m.groups() if g), "")
    parts: list[str] = []
    for piece in re.split(r",|;", body):  # "a, b and c": the first 'and' of a piece splits it
        parts += re.split(r"\band\b", piece, maxsplit=1)
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
        r"(?:\s*(?:degree\s+)?(?:in|of)\s+[a-z&' -]+?" + FIELD_END + ")?"
        "(?:" + MAJOR + ")?"
        r"(?:\s*[,(]?\s*(?:completed|finished|graduated|awarded|obtained|got it|from)?\s*(?:in\s+)?"
        rf"(?:(?:{_MONTH})\.?\s+|{_PART})?{_YEAR}\)?|\s*\(?\s*(?:completed|finished|graduated)\s+{_NUM}\s*"
        r"(?:months?|years?)\s+ago\)?)?",
        _I,
    )
    return pattern.sub(blank, text)


def _timed(job: JobFact) -> bool:
    return bool(job.start or job.end or job.months is not None)


def read_jobs(text: str) -> list[JobFact]:
    body = _strip_quals(text)
    jobs: list[JobFact] = []
    for sentence in (c for c in _CLAUSE_SPLIT.split(body) if c and c.strip()):
        _read_clauses(sentence, jobs)
        tasks = _tasks(sentence)
        if tasks and jobs and not jobs[-1].tasks:
            jobs[-1] = replace(jobs[-1], tasks=tasks)
    return jobs


def _split_outside_brackets(sentence: str) -> list[str]:
    """The sentence split at commas, 'while' and 'whereas', but not inside brackets:
    "full time (40 hrs a week, paid) as Manager" stays one clause."""
    depth, masked = 0, []
    for ch in sentence:
        depth += (ch == "(") - (ch == ")") if ch in "()" else 0
        depth = max(depth, 0)
        masked.append("_" if depth and ch not in "()" else ch)
    cuts = [(m.start(), m.end()) for m in re.finditer(r",|\bwhile\b|\bwhereas\b", "".join(masked))]
    starts = [0, *(e for _, e in cuts)]
    ends = [*(b for b, _ in cuts), len(sentence)]
    return [sentence[a:b] for a, b in zip(starts, ends, strict=True)]


def _read_clauses(sentence: str, jobs: list[JobFact]) -> None:
    """Read the comma-separated parts of one sentence into ``jobs`` (in place)."""
    clauses = [p for p in _split_outside_brackets(sentence) if p.strip()]
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
        # ", paid," or "paid work": of the job just named ("I paid the fee" is not)
        paid = bool(_PAID.search(clause)) and (
            len(clause.split()) <= 4
            or re.search(r"\bpaid (?:job|work|role|position)", clause, _I) is not None
        )
        if jobs and (
            hours is not None or _UNPAID.search(clause) or _PART_TIME.search(clause) or paid
        ):
            targets = range(len(jobs)) if re.search(r"\b(both|all|each)\b", clause, _I) else [-1]
            for t in targets:
                j = jobs[t]
                jobs[t] = replace(
                    j,
                    hours=hours if j.hours is None else j.hours,
                    hours_said=said if j.hours_said is None else j.hours_said,
                    paid=False if _UNPAID.search(clause) else (True if paid else j.paid),
                )
