"""Chat text becomes a draft: each phrasing yields its expected draft; follow-ups change it."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from skillcheck.facts import DraftProfile, apply_followup, read_facts
from skillcheck.rules import assess, validate_input
from tests.answers.conftest import TODAY

PHRASINGS = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "skillcheck/data/eval/phrasings.yaml").read_text()
)["phrasings"]


def _subset(expected: Any, got: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(got, dict) and all(
            _subset(v, got.get(k)) if k in got or v is not None else False
            for k, v in expected.items()
        )
    if isinstance(expected, list):
        return (
            isinstance(got, list)
            and len(expected) == len(got)
            and all(_subset(a, b) for a, b in zip(expected, got, strict=True))
        )
    if isinstance(expected, int | float) and isinstance(got, int | float):
        return float(expected) == float(got)
    return expected == got


def test_there_are_at_least_15_phrasings() -> None:
    assert len(PHRASINGS) >= 15


@pytest.mark.parametrize("case", PHRASINGS, ids=[p["id"] for p in PHRASINGS])
def test_each_phrasing_yields_its_draft(case: dict[str, Any]) -> None:
    when: date = case["application_date"]
    draft = read_facts(case["text"], when)
    data = draft.to_assess_input(when)
    validate_input(data)
    assert _subset(case["expect"], data), data
    assert len(draft.missing) == len(case["missing"]), draft.missing
    for pattern, asked in zip(case["missing"], draft.missing, strict=True):
        assert re.search(pattern, asked, re.IGNORECASE), (pattern, asked)
    assert draft.ready == (not case["missing"] and draft.has_facts)


def _base() -> DraftProfile:
    return read_facts(
        "Bachelor of Commerce, completed 2012. Customer Service Team Leader since 2022, full time.",
        TODAY,
    )


def test_the_say_back_is_in_our_words() -> None:
    draft = _base()
    assert draft.understood == [
        "Bachelor of Commerce, completed 2012 (field not highly relevant)",
        "Customer Service Team Leader, since 2022, full time",
    ]
    assert any("31 December" in a for a in draft.assumptions)
    assert any("38 hours" in a for a in draft.assumptions)
    assert draft.ready and draft.missing == []


def test_a_field_followup_changes_the_field_and_the_name() -> None:
    after = apply_followup(_base(), "what if my degree was in business management?", TODAY)
    (qual,) = after.to_assess_input()["qualifications"]
    assert (
        qual["field"] == "Business Management"
        and qual["title"] == "Bachelor of Business Management"
    )
    assert "field highly relevant" in after.understood[0]


def test_an_hours_followup_changes_the_hours_and_the_outcome_follows() -> None:
    before = _base()
    after = apply_followup(before, "and if I worked 15 hours a week?", TODAY)
    assert after.to_assess_input()["employment"][0]["hours_per_week"] == 15.0
    assert before.to_assess_input()["employment"][0]["hours_per_week"] == 38.0
    result = assess(after.to_assess_input())
    assert result.outcome == "does_not_meet"


def test_a_completion_followup_changes_the_year() -> None:
    after = apply_followup(_base(), "actually I finished it in 2015", TODAY)
    assert after.to_assess_input()["qualifications"][0]["completed"] == "2015-12-31"


def test_an_added_qualification_is_added_not_replaced() -> None:
    after = apply_followup(
        _base(), "I also have a graduate diploma in business management from 2020", TODAY
    )
    levels = [q["level"] for q in after.to_assess_input()["qualifications"]]
    assert levels == ["bachelor", "graduate_diploma"]
    assert after.to_assess_input()["employment"][0]["start"] == "2022-12-31"


def test_a_followup_answers_a_missing_fact() -> None:
    draft = read_facts("Diploma of Business Management 2018, Service Manager since 2020", TODAY)
    assert draft.missing and "hours" in draft.missing[0]
    after = apply_followup(draft, "full time", TODAY)
    assert after.ready and after.to_assess_input()["employment"][0]["hours_per_week"] == 38.0


def test_when_unsure_it_asks() -> None:
    draft = read_facts("I have a diploma and work as a service manager", TODAY)
    assert not draft.ready
    assert any("field" in m for m in draft.missing)
    assert any("complete" in m for m in draft.missing)
    assert any("start" in m for m in draft.missing)
    assert any("hours" in m for m in draft.missing)


def test_no_degree_alone_asks_about_a_diploma() -> None:
    draft = read_facts(
        "i dont have a degree but 5 yrs as customer service manager full time", TODAY
    )
    assert not draft.ready and "diploma" in draft.missing[0]


def test_no_qualification_at_all_is_ready_and_does_not_meet() -> None:
    draft = read_facts("12 years managing CS teams but no diploma or degree", TODAY)
    assert draft.ready
    assert assess(draft.to_assess_input()).outcome == "does_not_meet"


_WORDS = (
    "I have a bachelor diploma of in business marketing 2012 2019-2023 since Jan 2021 to "
    "March 2023 full time part-time 15 hours hrs/week 2 years 18 months 1 year 10 months as "
    "customer service manager team lead at BPO was unpaid volunteer no degree currently "
    "studying completed two months ago , . and then before that MBA cert IV PhD associate "
    "degree graduate diploma ops manager until 2024 for 01/2018 BA B.Sc. majoring major ( ) "
    "(38h) early mid late end of diplomma managment site engineer paid at Zara in Hong Kong"
).split()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_WORDS), max_size=30).map(" ".join),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
)
def test_any_text_gives_a_valid_assess_input(text: str, today: date) -> None:
    draft = read_facts(text, today)
    validate_input(draft.to_assess_input(today))
    for followup in ("what if my degree was in marketing?", "and if I worked 15 hours a week?"):
        validate_input(apply_followup(draft, followup, today).to_assess_input(today))


def test_a_part_of_a_year_is_read_conservatively_and_said() -> None:
    draft = read_facts(
        "Bachelor of Civil Engineering 2015, then site engineer in Perth until mid 2025. Since "
        "September 2025 I'm a Customer Service Manager at Optus head office, full time and paid",
        TODAY,
    )
    engineer, manager = draft.jobs
    assert engineer.title == "Site Engineer" and engineer.end is not None
    assert engineer.end.as_end() == date(2025, 5, 1)  # mid = May to August: the earliest
    assert manager.title == "Customer Service Manager"
    assert any("mid 2025 (May to August)" in a for a in draft.assumptions)
    early = read_facts("Client Service Manager since early 2022, 18 hours a week", TODAY)
    assert early.to_assess_input()["employment"][0]["start"] == "2022-04-30"  # the latest
    assert any("early 2022 (January to April)" in a for a in early.assumptions)


def test_hours_in_brackets_and_a_job_with_no_dates_asks_when() -> None:
    draft = read_facts(
        "got a diploma of business management and i worked as customer service manager full "
        "time (38h) at a hotel group head office. is that enough?",
        TODAY,
    )
    (job,) = draft.jobs
    assert job.hours == 38.0 and job.start is None
    assert any("start" in m for m in draft.missing) and any("end" in m for m in draft.missing)


def test_a_spelling_correction_is_an_assumption_and_names_are_not_corrected() -> None:
    draft = read_facts("diplomma of busines managment 2017 from Monash", TODAY)
    assert draft.qualifications[0].field == "Business Management"
    assert "'diplomma' is read as 'diploma'." in draft.assumptions
    assert not any("Monash" in a for a in draft.assumptions)
    assert read_facts("it matters, I am a diplomat", TODAY).qualifications == ()


def test_abbreviations_are_levels_only_where_they_name_a_degree() -> None:
    assert read_facts("I live in MA", TODAY).qualifications == ()
    (qual,) = read_facts("Bachelor of Arts (BA) 2009", TODAY).qualifications
    assert qual.level == "bachelor" and qual.field == "Arts"


def test_a_field_followup_replaces_the_major() -> None:
    draft = read_facts(
        "Bachelor of Business Administration majoring in Business Management, 2019", TODAY
    )
    after = apply_followup(draft, "what if my major was in marketing?", TODAY)
    (qual,) = after.to_assess_input()["qualifications"]
    assert qual["field"] == "Marketing"
    assert qual["title"] == "Bachelor of Business Administration majoring in Marketing"
