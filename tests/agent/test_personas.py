"""The stub's server personas: what each refuses, and errors that name their fix (issue 14).

The validator refuses what the real servers refuse (so the suite run against every
working persona, ``every_persona``, proves our requests pass them), and each failure
a misconfigured server gives ends in the offline answer with a notice naming the fix.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from skillcheck.assistant import Assistant
from skillcheck.events import Done
from skillcheck.retrieval import Retriever
from tests.agent import stub
from tests.agent.conftest import llm_settings, run

QUESTION = "How many hours a week must a job be to count?"
OLD_REQUEST = {  # what the model path sent before: id pre_search, content null, bad arguments
    "messages": [
        {"role": "system", "content": "rules"},
        {"role": "user", "content": "Am I eligible?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "pre_search",
                    "type": "function",
                    "function": {"name": "assess_eligibility", "arguments": "employment=lots"},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "pre_search", "content": "passages"},
    ]
}


@pytest.mark.parametrize(
    ("persona", "refusal"),
    [
        ("llamacpp", "Expected 'content' to be a string"),
        ("vllm", "alphanumeric strings with length 9"),
        ("ollama", "invalid tool call arguments"),
    ],
)
def test_each_persona_refuses_what_its_server_refuses(persona: str, refusal: str) -> None:
    problem = stub.validate(OLD_REQUEST, persona)
    assert problem is not None and refusal in problem
    assert stub.validate(OLD_REQUEST, "openai") is None


def test_the_validator_checks_tool_message_pairing() -> None:
    user = {"role": "user", "content": "q"}
    orphan = {"messages": [user, {"role": "tool", "tool_call_id": "x", "content": "r"}]}
    assert "unknown call" in str(stub.validate(orphan, "openai"))
    unanswered = {"messages": [*OLD_REQUEST["messages"][:3], user]}
    assert "have no tool message" in str(stub.validate(unanswered, "openai"))


def _fallback(done: Done) -> str:
    assert done.mode == "offline" and "20 hours" in done.answer
    return next(n.text for n in done.notices if n.kind == "fallback")


@pytest.mark.parametrize(
    ("persona", "fix"),
    [
        ("vllm-no-tools", "--enable-auto-tool-choice --tool-call-parser"),
        ("llamacpp-no-jinja", "restart llama-server with --jinja"),
    ],
)
def test_a_server_without_tool_flags_gets_a_notice_naming_them(
    agent_home: Path, retriever: Retriever, persona: str, fix: str
) -> None:
    with stub.serve(stub.text("unused"), persona=persona) as server:
        settings = llm_settings(agent_home, server.base_url)
        _, done = run(Assistant(settings, retriever).stream(QUESTION))
    assert len(server.requests) == 1  # a 400 is not retried
    assert fix in _fallback(done)


@pytest.mark.parametrize(
    ("step", "fix"),
    [
        (
            stub.status(404, 'model "stub-model" not found, try pulling it first'),
            "SKILLCHECK_MODEL",
        ),
        (
            stub.status(400, "This model's maximum context length is 4096 tokens."),
            "raise the server's context",
        ),
        (stub.error_event(), "error in the middle of its answer"),
    ],
    ids=["unknown-model", "context-overflow", "sse-error-event"],
)
def test_server_errors_name_their_fix(
    agent_home: Path, retriever: Retriever, step: stub.Step, fix: str
) -> None:
    with stub.serve(step) as server:
        settings = llm_settings(agent_home, server.base_url, llm_max_retries=0)
        _, done = run(Assistant(settings, retriever).stream(QUESTION))
    assert fix in _fallback(done)


def test_a_base_url_without_v1_is_named(agent_home: Path, retriever: Retriever) -> None:
    with stub.serve(stub.text("unused")) as server:
        base = server.base_url.removesuffix("/v1")
        settings = llm_settings(agent_home, base, llm_max_retries=0)
        _, done = run(Assistant(settings, retriever).stream(QUESTION))
    assert "OPENAI_BASE_URL must end in /v1" in _fallback(done)
