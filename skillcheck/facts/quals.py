"""Qualifications in chat text: level, field, completion, and "no degree"."""

from __future__ import annotations

import re
from datetime import date

from skillcheck.facts.model import QualFact, When
from skillcheck.facts.patterns import (
    _FIELD_WORDS,
    _I,
    _IMPLIED_FIELD,
    _JOB_CUE,
    _LEVEL_RE,
    _MONTH,
    _NEGATED,
    _NUM,
    _PART,
    _YEAR,
    _level_of,
    _num,
    _shift_months,
    _when,
)
from skillcheck.rules.loader import Level

FIELD_END = (
    r"(?=\s*(?:$|[.,;()!?]|\band\b|\bfrom\b|\bwith\b|\bat\b|\bbut\b|\bwhich\b|\bthat\b|"
    r"\binstead\b|\bcompleted\b|\bfinished\b|\bgraduated\b|\bin\s+(?:19|20)\d\d|"
    r"(?:19|20)\d\d|\b(?:was|is|were)\b|\bsince\b|\bthen\b|\bback\b|\bin\s+" + _MONTH + r"\b|"
    r"\bmajor(?:ing|ed)?\b|\bspeciali[sz]\w*|\b(?:with\s+)?an?\s+major\b))"
)
#: The major after a qualification's name: "majoring in X", "(X major)", "(major: X)".
MAJOR = (
    r"\s*,?\s*(?:\(\s*major(?:ing)?\s*(?:in|:)?\s*([a-z][a-z&' -]*?)\s*\)|"
    r"\(\s*([a-z][a-z&' -]*?)\s+major\s*\)|"
    r"(?:(?:with\s+)?an?\s+)?(?:majoring|majored|major|speciali[sz](?:ing|ed|ation))\s+in\s+"
    r"([a-z][a-z&' -]*?)" + FIELD_END + ")"
)
_FIELD_AFTER = (
    r"\s*(?:degree\s+)?(?:\(hons\)\s*)?(?:(?:was|is|were|had been|would be)\s+)?(?:in|of)\s+"
    r"([a-z][a-z&' -]*?)" + FIELD_END
)


#: Words a field of study has; a place or an employer has none ("a BCom in Hong Kong").
_SUBJECT = re.compile(
    r"\b(?:manag|business|admin|commerc|market|account|financ|econom|hospitality|touris|"
    r"engineer|technolog|comput|scien|psycholog|arts?\b|human|resource|nurs|educat|law|legal|"
    r"communicat|logistic|sales|stud(?:y|ies)|system|health|design|media|supply|relation|"
    r"retail|trade|bank|insur|math|statistic|english|literat|histor|physic|chemi|biolog|medic|"
    r"pharma|architect|agricult|journal|service|customer|hotel|event|leader|operation|"
    r"project|international|public|social|sociolog|politic|philosoph|languag|music|film|"
    r"fashion|sport|environment|geograph|data|software|network|information|cyber|electr|"
    r"mechan|civil|construct|tax|audit|entrepreneur|strateg|quality|office|secretar|"
    r"it\b|hr\b|ict\b|mis\b)",
    _I,
)


def _field_after(rest: str) -> str | None:
    m = re.match(_FIELD_AFTER, rest, _I)
    if m is None:
        return None
    value = m.group(1).strip()
    if re.match(r"\s*(?:degree\s+)?(?:\(hons\)\s*)?in\b", rest, _I) and not _SUBJECT.search(value):
        return None  # "in Hong Kong", "in Melbourne": where, not what
    return value if value and value.lower() not in {"a", "the", "my"} else None


def _field_before(before: str) -> str | None:
    m = re.search(rf"\b({_FIELD_WORDS})\s*$", before, _I)
    return m.group(1) if m else None


def nice_title(text: str) -> str:
    small = {"of", "in", "and", "or", "the", "a", "an", "at", "for", "majoring"}
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


def read_completion(segment: str, today: date) -> tuple[When | None, date | None, bool]:
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
    m = re.search(rf"(?:({_MONTH}\.?\s+|{_PART}))?({_YEAR})", segment, _I)
    if m:
        return _when(m.group(1), m.group(2)), None, False
    return None, None, False


def read_qualifications(text: str, today: date) -> tuple[list[QualFact], bool, bool]:
    """Qualifications stated, whether none at all is stated, whether only 'no degree'."""
    found: list[QualFact] = []
    negated: list[Level] = []
    matches = list(_LEVEL_RE.finditer(text))
    for i, m in enumerate(matches):
        word = m.group(1)
        level = _level_of(m)
        before = text[: m.start()]
        if _NEGATED.search(before):
            negated.append(level)
            continue
        if re.search(r"\(\s*$", before) and re.match(r"\s*\)", text[m.end() :]):
            continue  # "Bachelor of Arts (BA)": the abbreviation of the one just read
        stop = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        rest = text[m.end() : stop]
        after = _field_after(rest)
        fld = after or _field_before(before) or _IMPLIED_FIELD.get(word.lower())
        fm = re.match(_FIELD_AFTER, rest, _I) if after else None
        name = (word + rest[: fm.end()]) if fm else word
        tail = rest[fm.end() :] if fm else rest
        major = re.match(MAJOR, tail, _I)
        if major:
            fld = next(g for g in major.groups() if g).strip()
            name = f"{name} majoring in {nice_title(fld)}"
            tail = tail[major.end() :]
        cue = _JOB_CUE.search(tail)
        segment = tail[: cue.start()] if cue else tail
        segment = re.split(r"(?<=[.!?])\s", segment)[0]
        completed, exact, in_progress = read_completion(segment, today)
        if completed is None and exact is None and not in_progress:
            # "Graduated 2018 with a BCom": the year before the level, in the same sentence
            since = matches[i - 1].end() if i else 0  # not a year of the one before
            sentence = re.split(r"[.!?;]\s", before[since:])[-1]
            said = re.search(
                rf"\b(?:graduated|completed|finished|got|earned)\s+(?:in\s+)?"
                rf"(?:({_MONTH}\.?\s+|{_PART}))?({_YEAR})\b[^.]*$",
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
                name=nice_title(name),
                field=nice_title(fld) if fld else None,
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
