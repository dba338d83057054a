"""The reports (text, Markdown, and the JSON's words) are for people: every golden case
rendered, and none shows an internal code, a count over its requirement as "N of M",
a 0-based job, or a document ticked that was not given.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, get_args

import pytest
from hypothesis import given, settings

from skillcheck.cli.main import main
from skillcheck.rules import AssessmentResult, assess
from skillcheck.rules.context import context
from skillcheck.rules.loader import ExclusionCode, Level
from skillcheck.rules.models import DocumentItem, PeriodResult
from skillcheck.rules.report import (
    LEVEL_NAMES,
    RELEVANCE_NAMES,
    RELEVANCE_SOURCES,
    md_text,
    to_markdown,
    to_text,
)

from .test_rules_golden import CASES
from .test_rules_properties import profiles

IDS = [c["name"] for c in CASES]
#: snake_case words: every code of the JSON with more than one word (suitable_title,
#: relevance_inferred, outside_window, not_needed, highly_relevant, meets_criteria ...)
CODE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
#: "1825 of 365": two counts side by side, checked for the first being over the second
N_OF_M = re.compile(r"\b(\d[\d,]*) of (\d[\d,]*)\b")
SINGULAR = re.compile(r"\b1 (?:more )?(?:days|years|months)\b")
ZERO_BASED = re.compile(r"\b(?:Job|Qualification|job|qualification) 0\b")


def _rendered(result: AssessmentResult) -> dict[str, str]:
    return {"text": to_text(result), "markdown": to_markdown(result)}


def _people_words(result: AssessmentResult) -> list[str]:
    """Every string of the JSON written for people (messages, reasons, notes, summaries)."""
    out = [result.summary, *result.assumptions, result.disclaimer]
    out += [n.message for n in (result.evidence_note, result.skilled_from_note) if n]
    for r in result.routes:
        out += [r.reason, r.qualification_reason, r.label]
        out += [q.message for q in r.requirements]
    for p in result.periods:
        out += [x.reason for x in p.excluded]
        out += [n.reason for br in p.by_route for n in br.not_counted]
    out += [n for q in result.qualifications for n in q.notes]
    out += [w.message for w in result.warnings] + [s.message for s in result.next_steps]
    out += [d.message for d in result.documents]
    return out


def _problems(text: str) -> list[str]:
    found = [f"code {m.group(0)!r}" for m in CODE.finditer(text)]
    for m in N_OF_M.finditer(text):
        n, of = (int(g.replace(",", "")) for g in m.groups())
        if n > of:
            found.append(f"{m.group(0)!r} counts more than its whole")
    found += [f"plural after 1: {m.group(0)!r}" for m in SINGULAR.finditer(text)]
    found += [f"counted from 0: {m.group(0)!r}" for m in ZERO_BASED.finditer(text)]
    return found


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_no_report_of_a_golden_case_shows_codes_or_counts_over_their_whole(
    case: dict[str, Any],
) -> None:
    result = assess(case["input"])
    for kind, text in _rendered(result).items():
        assert _problems(text) == [], kind
    assert _problems("\n".join(_people_words(result))) == [], "json"


def test_the_scan_catches_what_the_issue_saw() -> None:
    bad = (
        "suitable_title: Job 0 'X'\nmet: 1825 of 365 days counted\n"
        "route 1: 1825 days counted (outside_window 1058 days not counted)\n1 more days"
    )
    found = _problems(bad)
    assert any("suitable_title" in f for f in found)
    assert any("outside_window" in f for f in found)
    assert any("1825 of 365" in f for f in found)
    assert any("Job 0" in f for f in found)
    assert any("1 more days" in f for f in found)
    assert _problems("364 days counted, 1 year needed; 2 of the listed tasks matched") == []


def _ticked(text: str) -> list[str]:
    return [line for line in text.splitlines() if "[x]" in line]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_only_a_document_given_is_ticked(case: dict[str, Any]) -> None:
    result = assess(case["input"])
    for text in _rendered(result).values():
        ticked = _ticked(text)
        for d in result.documents:
            shown = [line for line in ticked if d.label in line]
            assert bool(shown) == (d.status == "provided"), (d.id, d.status, ticked)


def test_a_declaration_not_needed_says_so_in_words_and_is_not_ticked() -> None:
    result = assess(CASES[_index("With an organisational chart the checklist")]["input"])
    declaration = next(d for d in result.documents if d.id == "statutory_declaration")
    assert declaration.status == "not_needed"
    for text in _rendered(result).values():
        line = next(x for x in text.splitlines() if declaration.label in x)
        assert "[x]" not in line and "[ ]" not in line
        assert "not needed, as the organisational chart is given" in line


def _index(prefix: str) -> int:
    return next(i for i, c in enumerate(CASES) if c["name"].startswith(prefix))


def test_the_counts_are_said_as_years_and_days_with_what_is_needed() -> None:
    case = CASES[_index("A diploma in Business Management then years of highly relevant work")]
    text = to_text(assess(case["input"]))
    assert "1825" not in text  # 1825 days are 5 years
    assert (
        "Employment counted as highly relevant from 2021-11-24 to 2026-11-22: "
        "5 years, 1 year needed." in text
    )
    assert "Route 1 counts 5 years, from 2021-11-24 to 2026-11-22" in text


def test_durations_in_words() -> None:
    ctx = context("149212")
    assert [ctx.duration(d) for d in (0, 1, 364, 365, 366, 730, 1825, 2883)] == [
        "0 days",
        "1 day",
        "364 days",
        "1 year",
        "1 year and 1 day",
        "2 years",
        "5 years",
        "7 years and 328 days",
    ]


def test_every_qualification_has_its_line_with_level_field_and_whether_it_counts() -> None:
    profile = {
        "application_date": "2026-11-22",
        "qualifications": [
            {
                "title": "Bachelor of Arts",
                "level": "bachelor",
                "field": "History",
                "completed": "2015-06-30",
            },
            {
                "title": "Certificate IV in Business",
                "level": "certificate_iv",
                "field": "Business Management",
                "completed": "2020-01-01",
            },
            {"level": "master", "field": "Customer Service Management", "completed": None},
        ],
        "employment": [],
    }
    result = assess(profile)
    assert [q.field for q in result.qualifications] == [
        "History",
        "Business Management",
        "Customer Service Management",
    ]
    for text in _rendered(result).values():
        assert "## Qualifications" in text or "Qualifications\n--------------" in text
        assert (
            'Qualification 1: "Bachelor of Arts" (Bachelor; field: History), completed 2015-06-30.'
            in text
        )
        assert "It counts: at the required level and completed in time." in text
        assert (
            'Qualification 2: "Certificate IV in Business" '
            "(Certificate IV; field: Business Management)" in text
        )
        assert "Below the required level (AQF Diploma or higher)." in text
        assert (
            "Qualification 3: (no title given) "
            "(Master; field: Customer Service Management), not completed." in text
        )
        assert "Not completed: it does not count until it is." in text
    assert "No qualification given." in to_text(assess({**profile, "qualifications": []}))


def test_jobs_and_qualifications_are_counted_from_1_in_every_report() -> None:
    for case in CASES:
        result = assess(case["input"])
        text = to_text(result)
        for p in result.periods:
            assert f"Job {p.index + 1}: " in text
        for q in result.qualifications:
            assert f"Qualification {q.index + 1}: " in text


def test_the_skilled_from_estimate_has_its_own_section_and_the_evidence_its_pages() -> None:
    case = CASES[_index("Route 2 is met at exactly 365 days")]
    result = assess(case["input"])
    assert result.skilled_from is not None and result.evidence_note is not None
    text = to_text(result)
    assert "Skilled employment (an estimate)\n--------------------------------" in text
    assert f"Skilled employment from (estimate): {result.skilled_from}." in text
    assert "route 2's minimum (1 year) was completed on" in text
    assert text.index("Skilled employment (an estimate)") < text.index(
        "Where the numbers come from"
    )
    md = to_markdown(result)
    for e in result.external_references:
        if e.id in result.evidence_note.external:
            assert f"<{e.url}>" in md


def test_the_sources_name_the_page_its_address_and_its_capture_date() -> None:
    result = assess(CASES[0]["input"])
    text = to_text(result)
    assert (
        'VETASSESS, "Customer Service Manager Skills Assessment ANZSCO 149212" '
        "(capture date not recorded) https://www.vetassess.com.au/" in text
    )
    assert 'line 58: "A positive assessment of both qualification level' in text


def test_every_code_the_report_names_has_words() -> None:
    assert set(LEVEL_NAMES) == set(get_args(Level))
    assert set(RELEVANCE_SOURCES) == set(
        get_args(PeriodResult.model_fields["relevance_source"].annotation)
    )
    relevance = get_args(PeriodResult.model_fields["relevance"].annotation)
    assert set(RELEVANCE_NAMES) == {*get_args(relevance[0]), None}
    statuses = get_args(DocumentItem.model_fields["status"].annotation)
    messages = context("149212").rules.messages
    assert {f"document_{s}" for s in statuses} <= set(messages)
    reasons = context("149212").rules.employment.exclusions
    assert set(reasons) == set(get_args(ExclusionCode))
    assert all(not CODE.search(x.reason) for x in reasons.values())


def test_markdown_shows_applicant_text_as_text_never_as_markup() -> None:
    title = "**Boss** [click](http://x) <img src=x> | a_b #1"
    result = assess(
        {
            "application_date": "2026-11-22",
            "qualifications": [{"level": "diploma", "field": title, "completed": "2018-06-30"}],
            "employment": [
                {
                    "title": title,
                    "start": "2024-01-01",
                    "end": None,
                    "hours_per_week": 38,
                    "paid": True,
                    "relevance": "highly_relevant",
                }
            ],
        }
    )
    md = to_markdown(result)
    escaped = md_text(title)
    assert escaped == r"\*\*Boss\*\* \[click\](http://x) \<img src=x\> \| a\_b \#1"
    assert escaped in md and title not in md
    assert title in to_text(result)  # plain text shows it as typed (line breaks escaped)


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_assess_prints_the_report(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps(CASES[0]["input"]), encoding="utf-8")
    assert main(["assess", str(profile), "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert ("# Customer Service Manager" if fmt == "markdown" else "=====") in out
    assert "highly relevant from 2021-11-24 to 2026-11-22: 5 years, 1 year needed." in out
    assert _problems(out) == []


@settings(max_examples=100, deadline=None)
@given(profiles())
def test_no_report_of_any_profile_shows_codes_or_counts_over_their_whole(
    profile: dict[str, Any],
) -> None:
    result = assess(profile)
    for text in (*_rendered(result).values(), "\n".join(_people_words(result))):
        assert _problems(text) == []
    for text in _rendered(result).values():
        ticked = _ticked(text)
        for d in result.documents:
            assert any(d.label in line for line in ticked) == (d.status == "provided")
