"""The agent against an OpenAI-compatible stub on 127.0.0.1, through the real openai client."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from skillcheck.agent import build_chat_model
from skillcheck.assistant import Assistant
from skillcheck.events import Notice, Token, ToolResult, ToolStart, Usage
from skillcheck.followups import rewrite_question
from skillcheck.history import Message
from skillcheck.prompts import load_prompt
from skillcheck.retrieval import Retriever
from tests.agent import stub
from tests.agent.conftest import FAKE_KEY, assert_markers_map, llm_settings, run
from tests.agent.test_agent_engine import MEETS

pytestmark = pytest.mark.usefixtures("every_persona")  # every server the stub speaks as


def test_a_normal_non_streamed_answer(agent_home: Path) -> None:
    with stub.serve(stub.text("Do part-time jobs count for 149212?")) as server:
        settings = llm_settings(agent_home, server.base_url)
        model = build_chat_model(settings)
        history = [Message("user", "How much employment do I need?")]
        prompt = load_prompt("followup", settings.prompts_dir)
        out = rewrite_question(model, prompt, "And part-time?", history)
    assert out == "Do part-time jobs count for 149212?"
    assert len(server.requests) == 1 and not server.requests[0].get("stream")
    assert server.headers[0]["authorization"] == f"Bearer {FAKE_KEY}"


def test_a_streamed_answer_takes_one_call(agent_home: Path, retriever: Retriever) -> None:
    answer = "A job counts when it is paid and 20 hours or more per week [1]."
    with stub.serve(stub.text(answer)) as server:
        assistant = Assistant(llm_settings(agent_home, server.base_url), retriever)
        events, done = run(assistant.stream("How many hours a week must a job be to count?"))
    assert len(server.requests) == 1 and server.requests[0]["stream"] is True
    body = server.requests[0]
    assert body["model"] == "stub-model"
    assert {t["function"]["name"] for t in body["tools"]} == {
        "search_sources",
        "assess_eligibility",
        "lookup_title",
    }
    assert body["messages"][0]["role"] == "system"
    assert body["messages"][-1]["role"] == "tool"  # the passages, as a search_sources result
    assert "".join(e.text for e in events if isinstance(e, Token)) == answer  # one checked sentence
    assert done.answer == answer and done.mode == "llm" and done.notices == []
    assert done.usage == Usage(llm_calls=1, input_tokens=120, output_tokens=30, total_tokens=150)
    assert_markers_map(done)


def test_a_follow_up_takes_two_calls(agent_home: Path, retriever: Retriever) -> None:
    with stub.serve(
        stub.text("Does part-time employment count toward the employment requirement?"),
        stub.text("Only employment of 20 hours or more per week counts [1]."),
    ) as server:
        assistant = Assistant(llm_settings(agent_home, server.base_url), retriever)
        history = [
            {"role": "user", "content": "How much employment do I need for 149212?"},
            {"role": "assistant", "content": "One year [1]."},
        ]
        events, done = run(assistant.stream("And if I only worked part-time?", history))
    assert len(server.requests) == 2 and done.usage.llm_calls == 2
    search = next(e for e in events if isinstance(e, ToolStart))
    assert search.args["query"].startswith("Does part-time employment")
    assert_markers_map(done)


def test_a_tool_call_runs_the_engine_in_two_calls(agent_home: Path, retriever: Retriever) -> None:
    with stub.serve(
        stub.tool("assess_eligibility", MEETS),
        stub.text("The eligibility check says the published criteria are met [1]."),
    ) as server:
        assistant = Assistant(llm_settings(agent_home, server.base_url), retriever)
        events, done = run(assistant.stream("Am I eligible? Diploma 2018, CX manager since 2019."))
    assert len(server.requests) == 2 and done.usage.llm_calls == 2
    tool_schema = next(
        t for t in server.requests[0]["tools"] if t["function"]["name"] == "assess_eligibility"
    )
    assert tool_schema["function"]["parameters"]["required"] == ["qualifications", "employment"]
    result = next(e for e in events if isinstance(e, ToolResult) and e.name == "assess_eligibility")
    assert (
        done.eligibility == result.artifact and done.eligibility.result.outcome == "meets_criteria"
    )
    second = server.requests[1]["messages"]
    assert second[-1]["role"] == "tool" and "meets_criteria" in second[-1]["content"]
    assert_markers_map(done)


def test_a_429_is_retried_then_answers(agent_home: Path, retriever: Retriever) -> None:
    with stub.serve(stub.status(429, "slow down"), stub.text("Twenty hours a week [1].")) as server:
        assistant = Assistant(llm_settings(agent_home, server.base_url), retriever)
        _, done = run(assistant.stream("How many hours per week?"))
    assert len(server.requests) == 2
    assert done.mode == "llm" and done.answer == "Twenty hours a week [1]."


def test_a_500_every_time_falls_back_to_offline(agent_home: Path, retriever: Retriever) -> None:
    with stub.serve(*[stub.status(500)] * 5) as server:
        settings = llm_settings(agent_home, server.base_url, llm_max_retries=2)
        events, done = run(Assistant(settings, retriever).stream("How many hours per week?"))
    assert len(server.requests) == 3  # one call and two retries, then no more
    assert done.mode == "offline" and "20 hours" in done.answer
    fallback = next(n for n in done.notices if n.kind == "fallback")
    assert "HTTP 500" in fallback.text and fallback in events
    assert done.usage.llm_calls == 1
    assert_markers_map(done)


def test_a_timeout_falls_back_to_offline(agent_home: Path, retriever: Retriever) -> None:
    with stub.serve(stub.stall(2.0), stub.stall(2.0)) as server:
        settings = llm_settings(agent_home, server.base_url, llm_timeout=0.3, llm_max_retries=1)
        _, done = run(Assistant(settings, retriever).stream("How many hours per week?"))
    assert len(server.requests) == 2
    assert done.mode == "offline"
    assert any("timed out" in n.text for n in done.notices if n.kind == "fallback")


@pytest.mark.parametrize(
    ("raw", "told_text"),
    [
        ("qualifications=diploma; employment=lots", "not valid JSON"),  # unparseable
        ('{"qualifications": [oops', "employment: missing"),  # cut short: parsed partially
    ],
    ids=["not-json", "truncated-json"],
)
def test_malformed_tool_arguments_are_answered_once(
    agent_home: Path, retriever: Retriever, raw: str, told_text: str
) -> None:
    with stub.serve(
        stub.tool("assess_eligibility", raw), stub.tool("assess_eligibility", raw)
    ) as server:
        assistant = Assistant(llm_settings(agent_home, server.base_url), retriever)
        _, done = run(assistant.stream("Am I eligible?"))
    assert len(server.requests) == 2
    told = server.requests[1]["messages"][-1]
    assert told["role"] == "tool" and told_text in told["content"]
    assert "could not run the eligibility check" in done.answer
    assert done.needs_eligibility_form and done.eligibility is None


def test_the_api_key_never_appears_in_output_or_logs(
    agent_home: Path, retriever: Retriever, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    leaky = f"Incorrect API key provided: {FAKE_KEY}"  # what some servers echo back
    with stub.serve(stub.status(401, leaky)) as server:
        settings = llm_settings(agent_home, server.base_url)
        events, done = run(Assistant(settings, retriever).stream("How many hours per week?"))
    assert len(server.requests) == 1  # a 401 is not retried
    assert done.mode == "offline"
    assert any("401" in n.text for n in done.notices if isinstance(n, Notice))
    assert FAKE_KEY not in repr(events)
    assert FAKE_KEY not in caplog.text and FAKE_KEY not in repr(settings)
