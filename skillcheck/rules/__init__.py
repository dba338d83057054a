"""The deterministic eligibility check for ANZSCO 149212 (public API).

``assess`` is the one entry point the CLI, the form and the chat tool call: it
validates a profile, applies only the occupation's rules file, and resolves the
citations (offsets and corpus chunk ids) the same way for every caller.
``input_schema`` is the JSON Schema of its input; ``lookup_title`` says what the
criteria say about a job title; ``format_validation_error`` is the one formatter of
input errors; ``Outcome`` and ``OUTCOME_LABELS`` are the outcomes and their labels.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from skillcheck.rules.citations import default_corpus_dir, resolve_citations
from skillcheck.rules.engine import assess_input
from skillcheck.rules.loader import Rules, load_rules
from skillcheck.rules.models import AssessmentInput, AssessmentResult, Citation
from skillcheck.rules.outcomes import (
    OUTCOME_HEADINGS,
    OUTCOME_LABELS,
    OUTCOME_TITLES,
    OUTCOMES,
    Outcome,
)
from skillcheck.rules.titles import TitleMatch, lookup_title
from skillcheck.rules.validation import (
    check_application_date,
    format_validation_error,
    validate_input,
)

__all__ = [
    "OUTCOMES",
    "OUTCOME_HEADINGS",
    "OUTCOME_LABELS",
    "OUTCOME_TITLES",
    "AssessmentInput",
    "AssessmentResult",
    "Citation",
    "Outcome",
    "Rules",
    "TitleMatch",
    "assess",
    "default_corpus_dir",
    "format_validation_error",
    "input_schema",
    "load_rules",
    "lookup_title",
    "resolve_citations",
    "validate_input",
]


def assess(
    data: dict[str, Any] | AssessmentInput, corpus_dir: Path | None = None
) -> AssessmentResult:
    """Check an applicant's qualifications and employment against the published criteria.

    Returns outcome (meets_criteria, does_not_meet, needs_more_information), the route
    it rests on, each route's windows, counted spans and days, every job's counted
    days and exclusions, warnings, notes, the documents checklist, next steps,
    citations (with offsets in the corpus texts) and a disclaimer. Bad input raises
    UserInputError("<field>: <what is wrong>").
    """
    parsed = validate_input(data)
    when = parsed.application_date or date.today()
    check_application_date(when, parsed.occupation)
    return resolve_citations(assess_input(parsed, when), corpus_dir)


def input_schema() -> dict[str, Any]:
    """The JSON Schema of ``assess``'s input."""
    return AssessmentInput.model_json_schema()
