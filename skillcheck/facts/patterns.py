"""The words and numbers chat text is read with: regexes, dates, durations, hours."""

from __future__ import annotations

import calendar
import re
from datetime import date

from skillcheck.facts.model import When
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
#: A part of a year: "early 2022", "mid-2025", "the end of 2019".
_PART = r"(?:(?:the\s+)?(?:early|beginning of|start of|mid(?:dle of)?|late|end of)[\s-]*(?:in\s+)?)"
_PART_WORDS = {"early": "early", "beginning": "early", "start": "early", "mid": "mid"}
_PART_WORDS |= {"middle": "mid", "late": "late", "end": "late"}
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

#: "BA" and "MA" are a degree only before a field, a year or "degree" ("I live in MA" is not).
_ABBR_AFTER = r"(?=\s*(?:\(|in\b|of\b|degree|,?\s*(?:19|20)\d\d|majoring))"
#: The full stop of "B.Sc." when a field follows ("B.Sc. in IT"); a sentence's stays.
_DOT = r"(?:\.(?=\s+(?:in|of)\s))?"
_LEVELS: list[tuple[str, Level]] = [
    (r"ph\.?\s?d|doctorate|doctoral degree|doctor of philosophy", "doctoral"),
    (
        r"mba|master'?s?(?: degree)?|m\.?com" + _DOT + r"|m\.?sc" + _DOT + r"|m\.?b\.?a\.?|"
        r"(?-i:MA|M\.A\.?)" + _ABBR_AFTER + r"|m\.a\.(?=\s)",
        "master",
    ),
    (r"(?:post ?)?graduate diploma|grad\.? ?dip(?:loma)?|pg ?dip(?:loma)?", "graduate_diploma"),
    (r"graduate certificate|grad\.? ?cert(?:ificate)?", "graduate_certificate"),
    (r"assoc(?:iate|\.)? degree", "associate_degree"),
    (r"advanced diploma|adv\.? ?dip(?:loma)?", "advanced_diploma"),
    (
        r"bachelor'?s?(?: degree)?|b\.?com" + _DOT + r"|bba|b\.?sc" + _DOT + r"|b\.?b\.?a|"
        r"undergrad(?:uate)?(?: degree)?|"
        r"(?-i:BA|B\.A\.?)" + _ABBR_AFTER + r"|b\.a\.(?=\s)|"
        r"uni(?:versity)? degree|degree",
        "bachelor",
    ),
    (r"diploma", "diploma"),
    (r"cert(?:ificate)?\.?\s?(?:iv|4)", "certificate_iv"),
    (r"cert(?:ificate)?\.?\s?(?:iii|3)", "certificate_iii"),
]
_LEVEL_RE = re.compile(
    r"\b(" + "|".join(f"(?P<L{k}>{p})" for k, (p, _) in enumerate(_LEVELS)) + r")(?![a-z])", _I
)


def _level_of(m: re.Match[str]) -> Level:
    """The level a match of ``_LEVEL_RE`` names."""
    return next(lv for k, (_, lv) in enumerate(_LEVELS) if m.group(f"L{k}"))


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
    r"(?:[.!?](?:\s|$)|$)|:\s*(?:i|we)\s+(?!am\b|was\b|have\b|had\b|do\b|did\b)(\w+\s.+?)"
    r"(?:[.!?](?:\s|$)|$)",
    _I,
)
_CLAUSE_SPLIT = re.compile(
    r"(?<=[.!?])\s+|;|\n|\b(?:then|after that|before that|prior to that|previously|"
    r"and now|now i'?m|currently)\b",
    _I,
)


def _num(word: str) -> float:
    return _NUM_WORDS[word.lower()] if word.lower() in _NUM_WORDS else float(word)


def _shift_months(day: date, months: int) -> date:
    total = max(day.year * 12 + (day.month - 1) + months, 1900 * 12)
    year, month = divmod(total, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _when(month: str | None, year: str) -> When:
    """A year with a month ('March') or a part of the year ('early', 'mid-', 'the end of')."""
    if month and not re.fullmatch(_MONTH + r"\.?", month.strip(), _I):
        word = re.sub(r"^the\s+", "", month.strip().lower())
        return When(int(year), part=_PART_WORDS[re.split(r"[\s-]", word)[0]])
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
    my = rf"(?:({_MONTH}\.?\s+|{_PART}))?({_YEAR})"
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
