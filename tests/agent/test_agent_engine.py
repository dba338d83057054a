"""The agent with the real eligibility engine (skillcheck.rules) behind assess_eligibility."""

from __future__ import annotations

import json
from datetime import date

from langchain_core.messages import AIMessage, ToolMessage

from skillcheck import rules
from skillcheck.assistant import Assistant
from skillcheck.config import Settings
from skillcheck.events import EligibilityRun, ToolResult
from skillcheck.retrieval import Retriever
from skillcheck.tools import TurnState, build_tools
from tests.agent.conftest import assert_markers_map, run
from tests.agent.fakes import call, scripted

JOB = {
    "title": "Customer Experience Manager",
    "start": "2019-01-01",
    "end": None,
    "hours_per_week": 38,
    "paid": True,
    "relevance": "highly_relevant",
}
DIPLOMA = {
    "title": "Diploma of Business",
    "level": "diploma",
    "field": "Business Management",
    "completed": "2018-06-30",
}
MEETS = {"application_date": "2026-11-22", "qualifications": [DIPLOMA], "employment": [JOB]}
EXPERIENCE_ONLY = {
    "application_date": "2026-11-22",
    "qualifications": [],
    "employment": [{**JOB, "start": "2012-01-01"}],
}


def test_the_real_engine_decides_and_its_output_is_the_artifact(
    settings: Settings, retriever: Retriever
) -> None:
    model = scripted(
        call("assess_eligibility", MEETS),
        AIMessage("The eligibility check found that the published criteria are met [1]."),
    )
    events, done = run(
        Assistant(settings, retriever, model).stream(
            "Am I eligible? Diploma of Business 2018, Customer Experience Manager since 2019."
        )
    )
    result = next(e for e in events if isinstance(e, ToolResult) and e.name == "assess_eligibility")
    assert isinstance(result.artifact, EligibilityRun)
    profile = result.artifact.profile
    # the model's relevance and application date are dropped: the engine decides them
    assert "application_date" not in profile and "relevance" not in profile["employment"][0]
    assert profile["employment"][0]["title"] == JOB["title"]
    assert result.artifact.result == rules.assess(profile)
    assert (
        done.eligibility == result.artifact and done.eligibility.result.outcome == "meets_criteria"
    )
    assert not [n for n in done.notices if n.kind == "correction"]
    assert_markers_map(done)


def test_experience_without_a_diploma_is_does_not_meet_whatever_the_model_says(
    settings: Settings, retriever: Retriever
) -> None:
    model = scripted(
        call("assess_eligibility", EXPERIENCE_ONLY),
        AIMessage("With fourteen years of experience you qualify [1]."),
    )
    _, done = run(
        Assistant(settings, retriever, model).stream(
            "I have no diploma but 14 years as a customer service manager. Do I qualify?"
        )
    )
    assert done.eligibility is not None and done.eligibility.result.outcome == "does_not_meet"
    assert any(n.kind == "correction" for n in done.notices)
    assert "does not meet the published criteria" in done.answer


def test_the_tool_schema_asks_only_for_stated_facts_and_its_errors_reach_the_model(
    settings: Settings, retriever: Retriever
) -> None:
    missing_end = {
        "qualifications": [DIPLOMA],
        "employment": [{k: v for k, v in JOB.items() if k != "end"}],
    }
    model = scripted(
        call("assess_eligibility", missing_end, "c1"),
        call("assess_eligibility", MEETS, "c2"),
        AIMessage("The check says the criteria are met [1]."),
    )
    assistant = Assistant(settings, retriever, model)
    _, done = run(assistant.stream("Am I eligible?"))
    told = model.seen[1][-1]
    assert isinstance(told, ToolMessage) and "employment[0].end: missing" in str(told.content)
    assert done.eligibility is not None and done.eligibility.result.outcome == "meets_criteria"
    tools = build_tools(retriever, TurnState(), 4, settings.prompts_dir)
    assert tools[1].name == "assess_eligibility"
    schema = tools[1].args_schema
    assert isinstance(schema, dict)
    text = json.dumps(schema)
    for decided in ("relevance", "highly_relevant", "application_date"):
        assert decided not in text
    job = schema["$defs"]["StatedJob"]
    assert "hours_per_week" not in job["required"] and "paid" not in job["required"]
    assert {"type": "null"} in job["properties"]["hours_per_week"]["anyOf"]


def test_unstated_hours_or_pay_need_more_information_and_the_engine_does_not_guess(
    settings: Settings, retriever: Retriever
) -> None:
    job = {"title": "CX Manager", "start": "2019-01-01", "end": None}
    vague = {"qualifications": [DIPLOMA], "employment": [job]}
    model = scripted(call("assess_eligibility", vague), AIMessage("How many hours a week? [1]"))
    events, done = run(Assistant(settings, retriever, model).stream("Am I eligible?"))
    told = str(model.seen[1][-1].content)
    assert told.startswith("needs_more_information")
    assert "hours per week of job 1 (CX Manager)" in told and "whether job 1" in told
    assert done.eligibility is None and done.needs_eligibility_form
    ran = next(e for e in events if isinstance(e, ToolResult) and e.name == "assess_eligibility")
    assert ran.artifact is None and ran.error is None


def test_the_model_reads_a_short_summary_and_todays_date(
    settings: Settings, retriever: Retriever
) -> None:
    model = scripted(call("assess_eligibility", MEETS), AIMessage("The check has run [1]."))
    run(Assistant(settings, retriever, model).stream("Am I eligible?"))
    told = str(model.seen[1][-1].content)
    assert told.startswith("outcome: meets_criteria (route 1)") and len(told) <= 1500
    assert "next step:" in told or "route 1" in told
    system = str(model.seen[0][0].content)
    assert f"Today's date is {date.today().isoformat()}." in system
