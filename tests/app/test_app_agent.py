"""The app with a model: the real agent, a scripted chat model, the real engine.

The scripted model streams a tool call to ``assess_eligibility`` and then an answer;
the app must show the steps, the answer with its sources, and the engine's own result
as the card (from the tool's artifact, not from the model's words).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage
from streamlit.testing.v1 import AppTest

from skillcheck import rules
from tests.agent.fakes import ScriptedModel, scripted_assistant

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PROFILE: dict[str, Any] = {
    "application_date": "2026-11-22",
    "qualifications": [
        {"title": "Diploma of Business", "level": "diploma", "field": "Business Management",
         "completed": "2018-06-30"}
    ],
    "employment": [
        {"title": "Customer Experience Manager", "start": "2019-01-01", "end": None,
         "hours_per_week": 38, "paid": True, "relevance": "highly_relevant"}
    ],
    "organisational_chart": True,
}  # fmt: skip


def test_the_agent_calls_the_engine_and_the_card_shows_its_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from skillcheck.config import get_settings
    from skillcheck.ui import resources

    model = ScriptedModel(
        responses=[
            AIMessage(
                "",
                tool_calls=[
                    {"name": "assess_eligibility", "args": PROFILE, "id": "c1", "type": "tool_call"}
                ],
            ),
            AIMessage("The check says you meet the published criteria through route 1 [1]."),
        ]
    )
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-key")
    get_settings.cache_clear()
    resources.get_assistant.clear()
    monkeypatch.setattr(resources, "get_assistant", scripted_assistant(model))
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.chat_input[0].set_value("Am I eligible? Diploma of Business 2018, CX manager since 2019")
    at = at.run()
    assert not at.exception
    answer = at.session_state["messages"][-1]
    assert answer["mode"] == "llm"
    assert [s["name"] for s in answer["steps"]] == ["search_sources", "assess_eligibility"]
    assert answer["citations"] and "[1]" in answer["content"]
    # the engine decides relevance and the date: the model's are dropped before it runs
    stated = {k: v for k, v in PROFILE.items() if k != "application_date"}
    stated["employment"] = [
        {k: v for k, v in job.items() if k != "relevance"} for job in PROFILE["employment"]
    ]
    expected = rules.assess(stated).model_dump(mode="json")
    assert answer["eligibility"]["result"] == expected
    assert all(m["kind"] != "form" for m in at.session_state["messages"])  # no form needed
    assert at.get("vega_lite_chart"), "the card's timeline is drawn"
    badges = [str(m.value) for m in at.markdown if "badge" in str(m.value)]
    assert any("Meets the published criteria" in b for b in badges)
