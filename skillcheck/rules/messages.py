"""The message templates a rules file must hold, and the fields the engine fills in each.

A rules file whose ``messages`` lack one of these, name another, or use a field the
engine does not fill does not load.
"""

from __future__ import annotations

import string
from pathlib import Path

from skillcheck.errors import RulesFileError

#: Each message template the engine fills, with the fields it may use.
MESSAGE_FIELDS: dict[str, frozenset[str]] = {
    key: frozenset(fields.split())
    for key, fields in {
        "qualification_not_completed": "",
        "qualification_completed_later": "",
        "qualification_below_level": "",
        "title_listed": "index title lookup",
        "title_decides_nothing": "",
        "title_also_unsuitable": "index title titles",
        "field_read_as": "index verdict majors",
        "relevance_from_tasks": "index relevance",
        "relevance_from_title": "index relevance",
        "relevance_undecided": "index",
        "kind_highly_relevant": "",
        "kind_relevant_or_highly_relevant": "",
        "need_highly_relevant": "",
        "need_not_highly_relevant": "",
        "need_any": "",
        "need_additional": "need",
        "route_needs_qualification": "need",
        "route_rests_on": "base",
        "route_rests_on_with": "base additional",
        "route_met": "parts",
        "route_met_part": "counted required kind",
        "route_not_met_qualification": "",
        "route_not_met": "parts",
        "route_not_met_part": "short kind counted required",
        "requirement_met": "kind start end counted required",
        "requirement_short": "kind start end counted required short",
        "requirement_undecided": "undecided kind",
        "more_employment": "route parts",
        "more_employment_part": "more months kind hours start",
        "earliest_date": "route date",
        "qualification_required": "",
        "additional_qualification": "majors levels route years base",
        "highly_relevant_qualification": "majors route years",
        "anzsco_substitution": "",
        "summary_meets": "name route label",
        "summary_may_meet": "name",
        "summary_does_not_meet": "name",
        "application_date_defaulted": "date",
        "qualification_after_application_date": "index",
        "describe_tasks": "index",
        "documents_missing": "",
        "document_provided": "",
        "document_provided_instead": "alternative",
        "document_missing": "",
        "document_missing_alternative": "alternative",
        "document_not_needed": "alternative",
        "year": "n",
        "years": "n",
        "day": "n",
        "days": "n",
        "years_and_days": "years days",
    }.items()
}


def check_messages(messages: dict[str, str], path: Path) -> None:
    """Every message the engine needs is there, and uses only the fields it fills."""
    missing = sorted(set(MESSAGE_FIELDS) - set(messages))
    if missing:
        raise RulesFileError(f"{path}: messages: missing {', '.join(missing)}")
    for key, text in messages.items():
        if key not in MESSAGE_FIELDS:
            raise RulesFileError(f"{path}: messages.{key}: not a message the engine writes")
        try:
            used = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        except ValueError as exc:
            raise RulesFileError(f"{path}: messages.{key}: {exc}") from None
        unknown = sorted(used - MESSAGE_FIELDS[key])
        if unknown:
            raise RulesFileError(f"{path}: messages.{key}: unknown field {{{unknown[0]}}}")
