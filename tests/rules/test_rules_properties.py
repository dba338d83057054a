"""Property tests: what must hold for every valid profile, not just the golden ones.

The two conditional properties (a yes stays a yes; the earliest date is the first
that meets) draw half their examples from strategies built to reach the condition,
count how many examples reach each assertion, print the counts (``pytest -s``) and
fail if too few do, so a property cannot pass by never being checked.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from skillcheck.rules import assess
from skillcheck.rules.models import AssessmentResult

MAX_EXAMPLES = 200  # per property; 3000 were run once by hand without a failure
MIN_REACHED = MAX_EXAMPLES // 4  # each conditional assertion must be reached this often
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


@st.composite
def meeting_profiles(draw: st.DrawFn) -> dict[str, Any]:
    """A profile built to meet (route 1, 2, 3 or 4), with random extras beside it."""
    route = draw(st.sampled_from([1, 2, 3, 4]))
    done = draw(st.integers(min_value=-4000, max_value=-800))
    quals: list[dict[str, Any]] = [
        {"level": "bachelor", "field": "History", "highly_relevant": False, "completed": _iso(done)}
    ]
    if route == 1:
        quals[0].update(field="Business Management", highly_relevant=True)
    if route == 2:
        quals.append(
            {"level": "diploma", "field": "Business Management", "completed": _iso(done + 10)}
        )
    need = {1: 365, 2: 365, 3: 730, 4: 1460}[route]
    lowest = -3000 if route == 4 else max(done + 1, -1800)  # route 4 may precede it
    start = draw(st.integers(min_value=lowest, max_value=-need))
    ongoing = draw(st.booleans())
    job = {
        "title": draw(st.sampled_from(TITLES)),
        "start": _iso(start),
        "end": None if ongoing else _iso(start + need + draw(st.integers(0, 200)) - 1),
        "hours_per_week": 38,
        "paid": True,
        "relevance": "highly_relevant",
    }
    if job["end"] is not None and job["end"] > APP.isoformat():
        job["end"] = None
    extra = draw(profiles())
    return {
        **extra,
        "qualifications": quals + extra["qualifications"],
        "employment": [job, *extra["employment"]],
    }


@st.composite
def near_profiles(draw: st.DrawFn) -> dict[str, Any]:
    """A profile with an ongoing counted job that may be short of a route, nothing in the future."""
    hr = draw(st.booleans())
    done = draw(st.integers(min_value=-3000, max_value=-1))
    quals = [
        {
            "level": draw(st.sampled_from(["diploma", "bachelor", "master"])),
            "field": "Business Management" if hr else "History",
            "highly_relevant": hr,
            "completed": _iso(done),
        }
    ]
    job = {
        "start": _iso(draw(st.integers(min_value=-800, max_value=0))),
        "end": None,
        "hours_per_week": 40,
        "paid": True,
        "relevance": draw(st.sampled_from(["highly_relevant", "highly_relevant", "relevant"])),
    }
    others = [
        j
        for j in draw(st.lists(jobs(counted=True), max_size=2))
        if j["start"] <= APP.isoformat() and j["end"] is not None and j["end"] <= APP.isoformat()
    ]
    return {
        "application_date": APP.isoformat(),
        "qualifications": quals,
        "employment": [job, *others],
    }


def test_adding_a_counted_period_never_turns_meets_into_no() -> None:
    reached: Counter[str] = Counter()

    @settings(max_examples=MAX_EXAMPLES, deadline=None)
    @given(st.one_of(profiles(), meeting_profiles()), jobs(counted=True))
    def check(profile: dict[str, Any], job: dict[str, Any]) -> None:
        reached["examples"] += 1
        before = assess(profile)
        after = assess({**profile, "employment": [*profile["employment"], job]})
        if before.outcome == "meets_criteria":
            reached["assertion reached (profile meets)"] += 1
            assert after.outcome == "meets_criteria"
            assert after.pathway is not None and before.pathway is not None
            assert after.pathway <= before.pathway

    check()
    print(f"\nadding a counted job: {dict(reached)}")
    assert reached["assertion reached (profile meets)"] >= MIN_REACHED, reached


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


def test_earliest_date_is_really_the_first_date_that_meets() -> None:
    """A next step's earliest date meets its route; the day before does not.

    Only for profiles with nothing dated after the application date (the projection
    extends ongoing jobs and changes nothing else).
    """
    reached: Counter[str] = Counter()
    app = APP.isoformat()

    @settings(max_examples=MAX_EXAMPLES, deadline=None)
    @given(st.one_of(profiles(), near_profiles(), near_profiles()))
    def check(profile: dict[str, Any]) -> None:
        reached["examples"] += 1
        quals, jobs_ = profile["qualifications"], profile["employment"]
        assume(all(q["completed"] is None or q["completed"] <= app for q in quals))
        assume(all(j["start"] <= app and (j["end"] or "") <= app for j in jobs_))
        result = assess(profile)
        dated = [s for s in result.next_steps if s.earliest_date is not None]
        reached["examples with a dated next step"] += bool(dated)
        for step in dated:
            assert step.earliest_date is not None
            reached["assertion reached (a dated next step)"] += 1
            later = assess({**profile, "application_date": step.earliest_date.isoformat()})
            day_before = (step.earliest_date - timedelta(days=1)).isoformat()
            before = assess({**profile, "application_date": day_before})
            assert next(r for r in later.routes if r.route == step.route).met
            assert not next(r for r in before.routes if r.route == step.route).met

    check()
    print(f"\nearliest date: {dict(reached)}")
    assert reached["examples with a dated next step"] >= MIN_REACHED, reached
