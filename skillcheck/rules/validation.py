"""Input validation for ``assess``: one formatter for every validation error, one line each.

:func:`format_validation_error` is the single way a pydantic error becomes the line a
user sees (``employment[0].start: missing``); the CLI, the form and the chat tool use it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError

from skillcheck.errors import UserInputError
from skillcheck.rules.loader import available_occupations, load_rules
from skillcheck.rules.models import AssessmentInput


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


def format_validation_error(exc: ValidationError) -> str:
    """The first problem of a validation error as one line naming the field."""
    first = exc.errors()[0]
    return f"{_path(tuple(first['loc']))}: {_what(dict(first))}"


def check_application_date(when: date, occupation: str = "149212") -> None:
    """Refuse an application date outside the rules' range (windows and projections stay valid)."""
    limits = load_rules(occupation).application_dates
    if not limits.earliest <= when <= limits.latest:
        raise UserInputError(
            f"application_date: {when.isoformat()} is outside the dates the check accepts "
            f"({limits.earliest.isoformat()} to {limits.latest.isoformat()})"
        )


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
            raise UserInputError(format_validation_error(exc)) from None
    if parsed.occupation not in available_occupations():
        known = ", ".join(available_occupations())
        raise UserInputError(f"occupation: no rules for {parsed.occupation} (known: {known})")
    if parsed.application_date is not None:
        check_application_date(parsed.application_date, parsed.occupation)
    return parsed
