"""Every turn is bounded: model faults through the real openai client end in the offline answer.

Each test scripts the stub on 127.0.0.1 (``tests/agent/stub.py``) with one fault: a
trickle past the turn's deadline, a reply past ``max_tokens`` (honoured, or ignored
by the server), a stream cut off, malformed, an HTML page, an empty answer, a cut or
filtered reply, or a tool loop. Each must end in the offline answer with a
``fallback`` notice that says what happened, and never show the model's part as the
answer. Timings are printed by ``benchmarks/bench_bounds.py``, not asserted here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from skillcheck.assistant import Assistant
from skillcheck.events import Done, Event, Notice, Token, ToolResult
from skillcheck.retrieval import Retriever
from tests.agent import stub
from tests.agent.conftest import llm_settings, run
from tests.agent.test_agent_engine import MEETS

pytestmark = pytest.mark.usefixtures("every_persona")  # every server the stub speaks as

SENTENCE = "A job counts when it is paid and 20 hours or more per week [1]."
QUESTION = "How many hours a week must a job be to count?"


def _turn(
    agent_home: Path, retriever: Retriever, *script: stub.Step, **extra: Any
) -> tuple[list[Event], Done, stub.Stub]:
    with stub.serve(*script) as server:
        settings = llm_settings(agent_home, server.base_url, llm_max_retries=0, **extra)
        events, done = run(Assistant(settings, retriever).stream(QUESTION))
    return events, done, server


def _fell_back(events: list[Event], done: Done, *said: str) -> str:
    """The fallback notice's text, after checking the turn ended in the offline answer."""
    assert done.mode == "offline" and "20 hours" in done.answer, done
    notice = next(n for n in done.notices if n.kind == "fallback")
    assert notice in events and "offline answer" in notice.text
    for words in said:
        assert words in notice.text, notice.text
    return notice.text


def test_every_request_caps_the_answer_with_max_tokens(
    agent_home: Path, retriever: Retriever
) -> None:
    with stub.serve(
        stub.text("Does part-time employment count toward the employment requirement?"),
        stub.text(SENTENCE),
    ) as server:
        settings = llm_settings(agent_home, server.base_url, max_tokens=321)
        history = [{"role": "user", "content": "How much employment do I need?"}]
        run(Assistant(settings, retriever).stream("And part-time?", history))
    assert len(server.requests) == 2
    assert [r.get("max_tokens") for r in server.requests] == [321, 321]


def test_a_trickling_model_falls_back_at_the_turn_deadline(
    agent_home: Path, retriever: Retriever
) -> None:
    slow = stub.trickle("Twenty hours a week are needed for a job to count here [1].", 2.0)
    events, done, _ = _turn(agent_home, retriever, slow, turn_timeout=3.0, llm_timeout=10.0)
    _fell_back(events, done, "3-second limit", "SKILLCHECK_TURN_TIMEOUT")
    assert "Twenty hours a week are needed" not in done.answer


def test_a_huge_reply_that_ignores_max_tokens_is_stopped(
    agent_home: Path, retriever: Retriever
) -> None:
    events, done, server = _turn(agent_home, retriever, stub.huge(20_000), max_tokens=100)
    _fell_back(events, done, "100-token limit", "stopped")
    assert server.requests[0]["max_tokens"] == 100
    shown = "".join(e.text for e in events if isinstance(e, Token))
    assert shown.count("word") < 100 * 8  # what was streamed stayed under the cap


def test_a_reply_cut_at_max_tokens_is_not_shown_as_complete(
    agent_home: Path, retriever: Retriever
) -> None:
    long = stub.text(" ".join(["A job counts."] * 100))
    events, done, _ = _turn(agent_home, retriever, long, max_tokens=50)
    _fell_back(events, done, "cut off at the 50-token limit", "SKILLCHECK_MAX_TOKENS")


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ("truncated", "ended before the answer was complete"),
        ("malformed", "malformed"),
        ("html", "not a chat-completions stream"),
    ],
)
def test_a_broken_stream_falls_back(
    agent_home: Path, retriever: Retriever, fault: str, said: str
) -> None:
    events, done, _ = _turn(agent_home, retriever, stub.faulty(fault, SENTENCE))
    _fell_back(events, done, said)
    assert SENTENCE not in done.answer


def test_an_empty_answer_falls_back(agent_home: Path, retriever: Retriever) -> None:
    events, done, _ = _turn(agent_home, retriever, stub.text(""))
    _fell_back(events, done, "answer was empty")


def test_a_content_filter_stop_falls_back(agent_home: Path, retriever: Retriever) -> None:
    filtered = stub.Step(text="A job counts when", finish="content_filter")
    events, done, _ = _turn(agent_home, retriever, filtered)
    _fell_back(events, done, "content filter")


def test_a_tool_call_cut_off_is_never_run(agent_home: Path, retriever: Retriever) -> None:
    cut = stub.Step(tool=("assess_eligibility", '{"qualifications": []}'), finish="length")
    events, done, server = _turn(agent_home, retriever, cut, stub.text(SENTENCE))
    _fell_back(events, done, "cut off")
    assert len(server.requests) == 1
    assert not any(isinstance(e, ToolResult) and e.name == "assess_eligibility" for e in events)
    assert done.eligibility is None


def test_six_tool_calls_in_a_row_fall_back_at_the_cap(
    agent_home: Path, retriever: Retriever
) -> None:
    calls = [stub.tool("assess_eligibility", MEETS)] * 6
    events, done, server = _turn(agent_home, retriever, *calls, stub.text(SENTENCE))
    _fell_back(events, done, "called tools 5 times", "SKILLCHECK_MAX_TOOL_CALLS")
    assert len(server.requests) == 5  # the fifth call is refused, never run, nothing more asked
    fell = next(i for i, e in enumerate(events) if isinstance(e, Notice) and e.kind == "fallback")
    ran = [e for e in events[:fell] if isinstance(e, ToolResult) and e.name == "assess_eligibility"]
    assert len(ran) == 4
    assert done.eligibility is None  # the offline answer does not claim the model's runs


def test_openai_itself_gets_max_completion_tokens(agent_home: Path) -> None:
    from langchain_core.messages import HumanMessage

    from skillcheck.agent import build_chat_model
    from skillcheck.config import Settings

    model = build_chat_model(Settings(home=agent_home, openai_api_key="x", max_tokens=321))
    payload = model._get_request_payload([HumanMessage("hi")])  # type: ignore[attr-defined]
    assert payload["max_completion_tokens"] == 321 and "max_tokens" not in payload
