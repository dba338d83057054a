"""Requests every server accepts, and a turn that keeps its parts apart (issue 14, item 1).

Through the real openai client against the stub: our synthetic tool call has a
9-character alphanumeric id, every assistant message's content is a string, invalid
arguments are never sent back, text said before a tool call is its own paragraph.
With scripted models: the refusal the system prompt asks for is not a leak, and each
tool has its own limit of bad calls.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage

from skillcheck.assistant import Assistant
from skillcheck.config import Settings
from skillcheck.events import Done, ToolResult
from skillcheck.retrieval import Retriever
from tests.agent import stub
from tests.agent.conftest import llm_settings, run
from tests.agent.fakes import call, scripted
from tests.agent.test_agent_engine import MEETS

pytestmark = pytest.mark.usefixtures("every_persona")  # every server the stub speaks as

ANSWER = "A job counts at 20 hours or more a week [1]."


def _assistant_messages(body: dict[str, object]) -> list[dict[str, object]]:
    messages = body["messages"]
    assert isinstance(messages, list)
    return [m for m in messages if m["role"] == "assistant"]


def test_every_request_has_string_content_and_nine_character_ids(
    agent_home: Path, retriever: Retriever
) -> None:
    with stub.serve(stub.tool("assess_eligibility", MEETS), stub.text(ANSWER)) as server:
        assistant = Assistant(llm_settings(agent_home, server.base_url), retriever)
        run(assistant.stream("Am I eligible? Diploma 2018, CX manager since 2019."))
    assert len(server.requests) == 2
    for body in server.requests:
        assistant_messages = _assistant_messages(body)
        assert assistant_messages
        for message in assistant_messages:
            assert isinstance(message["content"], str)
        ours = assistant_messages[0]["tool_calls"]
        assert isinstance(ours, list)
        assert re.fullmatch(r"[A-Za-z0-9]{9}", ours[0]["id"])
        messages = body["messages"]
        assert isinstance(messages, list)
        replied = {m["tool_call_id"] for m in messages if m["role"] == "tool"}
        asked = {c["id"] for m in assistant_messages for c in m.get("tool_calls") or []}
        assert asked == replied  # every call answered, every answer to a call


def test_invalid_arguments_are_replaced_before_the_retry(
    agent_home: Path, retriever: Retriever
) -> None:
    raw = "qualifications=diploma; employment=lots"
    with stub.serve(
        stub.tool("assess_eligibility", raw), stub.tool("assess_eligibility", raw)
    ) as server:
        run(Assistant(llm_settings(agent_home, server.base_url), retriever).stream("Eligible?"))
    assert len(server.requests) == 2
    sent = [
        c["function"]["arguments"]
        for m in _assistant_messages(server.requests[1])
        for c in m.get("tool_calls") or []  # type: ignore[attr-defined]
    ]
    assert raw not in json.dumps(server.requests[1])
    assert all(isinstance(json.loads(a), dict) for a in sent)


def test_text_said_before_a_tool_call_is_its_own_paragraph(
    agent_home: Path, retriever: Retriever
) -> None:
    before = stub.Step(text="Let me check that for you.", tool=("lookup_title", '{"title": "x"}'))
    with stub.serve(before, stub.text(ANSWER)) as server:
        assistant = Assistant(llm_settings(agent_home, server.base_url), retriever)
        _, done = run(assistant.stream("Is a Retail Manager job suitable?"))
    assert done.mode == "llm"
    assert done.answer == "Let me check that for you.\n\n" + ANSWER


def test_the_refusal_the_prompt_asks_for_is_not_withheld(
    settings: Settings, retriever: Retriever
) -> None:
    refusal = (
        "I can only answer questions about the VETASSESS skills assessment for Customer "
        "Service Manager (ANZSCO 149212), and about that occupation as ANZSCO describes it."
    )
    model = scripted(AIMessage(refusal))
    _, done = run(Assistant(settings, retriever, model).stream("What is the weather in Paris?"))
    assert "withheld" not in {n.kind for n in done.notices}
    assert done.answer.startswith(refusal)


def _kinds(done: Done) -> set[str]:
    return {n.kind for n in done.notices}


def test_a_bad_search_does_not_count_against_the_engine(
    settings: Settings, retriever: Retriever
) -> None:
    model = scripted(
        call("search_sources", {"query": ""}, "c1"),
        call("assess_eligibility", {"employment": "lots"}, "c2"),
        AIMessage(ANSWER),
    )
    events, done = run(Assistant(settings, retriever, model).stream("Hours?"))
    errors = [e.name for e in events if isinstance(e, ToolResult) and e.error]
    assert errors == ["search_sources", "assess_eligibility"]
    assert done.mode == "llm" and done.answer == ANSWER and "tool_error" not in _kinds(done)


def test_two_bad_searches_end_the_turn_offline(settings: Settings, retriever: Retriever) -> None:
    model = scripted(
        call("search_sources", {"query": ""}, "c1"),
        call("search_sources", {"query": ""}, "c2"),
        AIMessage(ANSWER),
    )
    _, done = run(Assistant(settings, retriever, model).stream("How many hours per week?"))
    assert model.i == 2 and done.mode == "offline"
    fallback = next(n.text for n in done.notices if n.kind == "fallback")
    assert "search_sources calls were invalid 2 times" in fallback
