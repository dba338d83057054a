"""The deterministic eligibility check for ANZSCO 149212 (public API).

``assess`` turns a profile into an answer using only the rules file of the
occupation; ``input_schema`` is the JSON Schema of its input (what the chat tool
offers); ``lookup_title`` says what the criteria say about a job title;
``resolve_citations`` adds corpus chunk ids and character offsets to a result.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError

from skillcheck.errors import UserInputError
from skillcheck.rules.citations import resolve_citations
from skillcheck.rules.engine import assess_input
from skillcheck.rules.loader import Rules, available_occupations, load_rules
from skillcheck.rules.models import AssessmentInput, AssessmentResult, Citation
from skillcheck.rules.titles import TitleMatch, lookup_title

__all__ = [
    "AssessmentInput",
    "AssessmentResult",
    "Citation",
    "Rules",
    "TitleMatch",
    "assess",
    "input_schema",
    "load_rules",
    "lookup_title",
    "resolve_citations",
    "validate_input",
]


def _path(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "input"


def _what(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "missing"
    msg = str(error["msg"])
    return msg.removeprefix("Value error, ")


def validate_input(data: dict[str, Any] | AssessmentInput) -> AssessmentInput:
    """The validated profile; a bad one raises UserInputError naming the field."""
    if isinstance(data, AssessmentInput):
        parsed = data
    else:
        if not isinstance(data, dict):
            raise UserInputError("input: expected a JSON object")
        try:
            parsed = AssessmentInput.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise UserInputError(f"{_path(first['loc'])}: {_what(dict(first))}") from None
    if parsed.occupation not in available_occupations():
        known = ", ".join(available_occupations())
        raise UserInputError(f"occupation: no rules for {parsed.occupation} (known: {known})")
    if parsed.application_date is not None:
        check_application_date(parsed.application_date, parsed.occupation)
    return parsed


def check_application_date(when: date, occupation: str = "149212") -> None:
    """Refuse an application date outside the rules' range (windows and projections stay valid)."""
    limits = load_rules(occupation).application_dates
    if not limits.earliest <= when <= limits.latest:
        raise UserInputError(
            f"application_date: {when.isoformat()} is outside the dates the check accepts "
            f"({limits.earliest.isoformat()} to {limits.latest.isoformat()})"
        )


def assess(data: dict[str, Any] | AssessmentInput) -> AssessmentResult:
    """Check an applicant's qualifications and employment against the published criteria.

    Returns outcome (meets_criteria, does_not_meet, needs_more_information), the route
    it rests on, each route's required and counted days, every job's counted days and
    exclusions, warnings, the documents checklist, next steps, citations and a
    disclaimer. Bad input raises UserInputError("<field>: <what is wrong>").
    """
    parsed = validate_input(data)
    when = parsed.application_date or date.today()
    check_application_date(when, parsed.occupation)
    return assess_input(parsed, when)


def input_schema() -> dict[str, Any]:
    """The JSON Schema of ``assess``'s input."""
    return AssessmentInput.model_json_schema()
