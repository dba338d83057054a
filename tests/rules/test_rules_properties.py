"""Property tests: what must hold for every valid profile, not just the golden ones."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from skillcheck.rules import assess
from skillcheck.rules.models import AssessmentResult

MAX_EXAMPLES = 200  # per property; 3000 were run once by hand without a failure
LEVELS = [
    "none",
    "certificate_iv",
    "diploma",
    "advanced_diploma",
    "associate_degree",
    "bachelor",
    "graduate_certificate",
    "graduate_diploma",
    "master",
    "doctoral",
]
FIELDS = ["Business Management", "Customer Service Management", "History", "Marketing", None]
TITLES = [
    "Customer Service Manager",
    "Call Centre Manager",
    "Service Manager",
    "Team Leader",
    "Operations Manager",
    None,
]
APP = date(2026, 11, 22)
_days = st.integers(min_value=-6000, max_value=200)


def _iso(offset: int) -> str:
    return (APP + timedelta(days=offset)).isoformat()


@st.composite
def qualifications(draw: st.DrawFn) -> dict[str, Any]:
    done = draw(st.one_of(st.none(), _days))
    return {
        "level": draw(st.sampled_from(LEVELS)),
        "field": draw(st.sampled_from(FIELDS)),
        "highly_relevant": draw(st.sampled_from([None, True, False])),
        "completed": None if done is None else _iso(done),
    }


@st.composite
def jobs(draw: st.DrawFn, counted: bool = False) -> dict[str, Any]:
    start = draw(_days)
    length = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=3000)))
    job: dict[str, Any] = {
        "title": draw(st.sampled_from(TITLES)),
        "start": _iso(start),
        "end": None if length is None else _iso(start + length),
        "hours_per_week": draw(st.sampled_from([0, 10, 19.5, 20, 38, 60])),
        "paid": draw(st.booleans()),
        "relevance": draw(st.sampled_from([None, "highly_relevant", "relevant", "not_relevant"])),
        "tasks": draw(
            st.sampled_from(
                [[], ["managing, motivating and developing staff providing customer services"]]
            )
        ),
        "front_line_retail": draw(st.booleans()),
        "transactional": draw(st.booleans()),
        "operations_only": draw(st.booleans()),
    }
    if counted:
        job.update(
            hours_per_week=40,
            paid=True,
            relevance="highly_relevant",
            front_line_retail=False,
            transactional=False,
            operations_only=False,
        )
    return job


@st.composite
def profiles(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "application_date": APP.isoformat(),
        "qualifications": draw(st.lists(qualifications(), max_size=4)),
        "employment": draw(st.lists(jobs(), max_size=6)),
        "organisational_chart": draw(st.booleans()),
        "statutory_declaration": draw(st.booleans()),
    }


def _decision(result: AssessmentResult) -> tuple[Any, ...]:
    """What must not depend on the order of the input lists."""
    routes = tuple(
        (
            r.route,
            r.met,
            r.qualification_met,
            r.counted_days,
            r.required_days,
            tuple((q.counted_days, q.overlap_days, q.undecided_days) for q in r.requirements),
        )
        for r in result.routes
    )
    warnings = sorted(w.code for w in result.warnings)
    steps = sorted((s.code, s.route, s.earliest_date, s.shortfall_days) for s in result.next_steps)
    return result.outcome, result.pathway, routes, tuple(warnings), tuple(steps)


@settings(max_examples=MAX_EXAMPLES, deadline=None)
@given(profiles())
def test_never_raises_and_answers_one_of_three(profile: dict[str, Any]) -> None:
    result = assess(profile)
    assert result.outcome in ("meets_criteria", "does_not_meet", "needs_more_information")
    assert (result.pathway is not None) == (result.outcome == "meets_criteria")
    assert result.disclaimer
    assert len(result.periods) == len(profile["employment"])


@settings(max_examples=MAX_EXAMPLES, deadline=None)
@given(profiles(), jobs(counted=True))
def test_adding_a_counted_period_never_turns_meets_into_no(
    profile: dict[str, Any], job: dict[str, Any]
) -> None:
    before = assess(profile)
    after = assess({**profile, "employment": [*profile["employment"], job]})
    if before.outcome == "meets_criteria":
        assert after.outcome == "meets_criteria"
        assert after.pathway is not None and after.pathway <= before.pathway  # type: ignore[operator]


@settings(max_examples=MAX_EXAMPLES, deadline=None)
@given(profiles())
def test_removing_every_qualification_gives_does_not_meet(profile: dict[str, Any]) -> None:
    assert assess({**profile, "qualifications": []}).outcome == "does_not_meet"


@settings(max_examples=MAX_EXAMPLES, deadline=None)
@given(profiles(), st.randoms(use_true_random=False))
def test_reordering_jobs_and_qualifications_changes_nothing(
    profile: dict[str, Any], rnd: Any
) -> None:
    shuffled = {**profile}
    shuffled["qualifications"] = rnd.sample(
        profile["qualifications"], len(profile["qualifications"])
    )
    shuffled["employment"] = rnd.sample(profile["employment"], len(profile["employment"]))
    assert _decision(assess(shuffled)) == _decision(assess(profile))


@settings(max_examples=MAX_EXAMPLES, deadline=None)
@given(profiles())
def test_same_input_same_output(profile: dict[str, Any]) -> None:
    assert assess(profile).model_dump() == assess(profile).model_dump()


@settings(max_examples=MAX_EXAMPLES, deadline=None)
@given(profiles())
def test_earliest_date_is_really_the_first_date_that_meets(profile: dict[str, Any]) -> None:
    """A next step's earliest date meets its route; the day before does not.

    Only for profiles with nothing dated after the application date (the projection
    extends ongoing jobs and changes nothing else).
    """
    app = APP.isoformat()
    assume(all(q["completed"] is None or q["completed"] <= app for q in profile["qualifications"]))
    assume(all(j["start"] <= app and (j["end"] or "") <= app for j in profile["employment"]))
    result = assess(profile)
    for step in result.next_steps:
        if step.earliest_date is None:
            continue
        later = assess({**profile, "application_date": step.earliest_date.isoformat()})
        before = assess(
            {**profile, "application_date": (step.earliest_date - timedelta(days=1)).isoformat()}
        )
        assert next(r for r in later.routes if r.route == step.route).met
        assert not next(r for r in before.routes if r.route == step.route).met
