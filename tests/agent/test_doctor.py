"""``skillcheck doctor`` against the stub: a table; every check passes, or failures name the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillcheck.cli import main
from skillcheck.config import get_settings
from tests.agent import stub
from tests.agent.conftest import FAKE_KEY

ANSWER = "A job counts at 20 hours or more a week [1]."
FACTS = {
    "qualifications": [{"title": "Bachelor of Business", "level": "bachelor", "field": "Management", "completed": "2017-11-30"}],  # noqa: E501
    "employment": [{"title": "Customer Service Manager", "start": "2018-02-01", "end": None, "hours_per_week": 38, "paid": True}],  # noqa: E501
}  # fmt: skip
SCRIPT = (
    stub.text(ANSWER),  # plain
    stub.tool("assess_eligibility", FACTS),  # eligibility
    stub.text("The check has run [1]."),
    stub.text("Does a job of 15 hours a week count?"),  # follow-up: rewritten, answered
    stub.text(ANSWER),
    stub.text("I can only answer about this occupation and its assessment."),  # off-topic
    stub.text(ANSWER),
)


def _doctor(
    agent_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], base: str
) -> tuple[int, list[str]]:
    monkeypatch.setenv("SKILLCHECK_HOME", str(agent_home))
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", base)
    monkeypatch.setenv("SKILLCHECK_MODEL", "stub-model")
    monkeypatch.setenv("SKILLCHECK_LLM_MAX_RETRIES", "0")
    get_settings.cache_clear()
    status = main(["doctor"])
    out = capsys.readouterr()
    assert FAKE_KEY not in out.out + out.err
    return status, out.out.splitlines()


def _row(lines: list[str], name: str) -> str:
    return next(line for line in lines if line.startswith(name))


def test_doctor_passes_every_check_against_the_openai_shaped_stub(
    agent_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with stub.serve(*SCRIPT) as server:
        status, lines = _doctor(agent_home, monkeypatch, capsys, server.base_url)
    print("\n".join(lines))
    names = [
        "reachable",
        "model listed",
        "plain cited answer",
        "eligibility tool call",
        "follow-up after a tool turn",
        "off-topic question",
        "context used",
    ]
    for name in names:
        assert " ok " in _row(lines, name), lines
    assert status == 0
    assert "well-formed; the engine says" in _row(lines, "eligibility tool call")


def test_doctor_names_the_fix_for_vllm_without_tool_flags(
    agent_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with stub.serve(*SCRIPT, persona="vllm-no-tools") as server:
        status, lines = _doctor(agent_home, monkeypatch, capsys, server.base_url)
    print("\n".join(lines))
    assert status == 1
    assert " ok " in _row(lines, "reachable")
    row = _row(lines, "plain cited answer")
    assert "FAIL" in row and "--enable-auto-tool-choice --tool-call-parser" in row


def test_doctor_without_a_key_says_what_to_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    get_settings.cache_clear()
    assert main(["doctor"]) == 1
    assert "set OPENAI_API_KEY" in capsys.readouterr().out


def test_doctor_takes_llama_cpps_one_model_whatever_its_name_and_checks_its_context(
    agent_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """llama-server lists its model by file name and answers to any name; it reports n_ctx."""
    with stub.serve(*SCRIPT, persona="llamacpp") as server:
        server.model_name = "gemma-3-270m-q4_k_m.gguf"  # not SKILLCHECK_MODEL (stub-model)
        status, lines = _doctor(agent_home, monkeypatch, capsys, server.base_url)
    print("\n".join(lines))
    listed = _row(lines, "model listed")
    assert " ok " in listed and "gemma-3-270m-q4_k_m.gguf" in listed and "--alias" in listed
    context = _row(lines, "context used")
    assert " ok " in context and "within the server's 8192-token context" in context
    assert status == 0


def test_doctor_fails_a_context_too_small_for_the_request_and_its_answer(
    agent_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with stub.serve(*SCRIPT, persona="llamacpp") as server:
        server.context = 512  # the stub's 120 input tokens + the 800-token answer cap
        status, lines = _doctor(agent_home, monkeypatch, capsys, server.base_url)
    print("\n".join(lines))
    row = _row(lines, "context used")
    assert "FAIL" in row and "512-token context" in row and "llama.cpp -c" in row
    assert status == 1


def test_doctor_fails_a_model_that_is_listed_under_another_name_elsewhere(
    agent_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only llama.cpp ignores the name: vLLM and the others are still held to it."""
    with stub.serve(*SCRIPT, persona="vllm") as server:
        server.model_name = "Qwen/Qwen2.5-7B-Instruct"
        status, lines = _doctor(agent_home, monkeypatch, capsys, server.base_url)
    row = _row(lines, "model listed")
    assert "FAIL" in row and "Qwen/Qwen2.5-7B-Instruct" in row and "SKILLCHECK_MODEL" in row
    assert status == 1


def test_doctor_fails_a_base_model_that_answers_but_never_calls_the_tool(
    agent_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Like gemma-3-270m on llama.cpp: text for every question, never a tool call."""
    rambling = [stub.text(ANSWER) for _ in range(8)]
    with stub.serve(*rambling, persona="llamacpp") as server:
        status, lines = _doctor(agent_home, monkeypatch, capsys, server.base_url)
    print("\n".join(lines))
    assert " ok " in _row(lines, "plain cited answer")
    row = _row(lines, "eligibility tool call")
    assert "FAIL" in row and "did not call assess_eligibility" in row and "tool calls" in row
    assert status == 1


def test_doctor_says_a_model_that_runs_to_the_token_limit_may_be_a_base_model(
    agent_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Like gemma-3-270m (a base model) on llama.cpp: every answer ends at max_tokens."""
    rambling = [stub.Step(text="The job is a job and the", finish="length") for _ in range(8)]
    with stub.serve(*rambling, persona="llamacpp") as server:
        status, lines = _doctor(agent_home, monkeypatch, capsys, server.base_url)
    print("\n".join(lines))
    row = _row(lines, "plain cited answer")
    assert "FAIL" in row and "cut off at the 800-token limit" in row
    assert "base model (use an instruction-tuned one)" in row
    assert status == 1


def test_doctor_gives_each_check_a_time_limit_and_says_so(
    agent_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from skillcheck.cli import doctor

    monkeypatch.setattr(doctor, "CHECK_SECONDS", 1.0)
    slow = stub.trickle("A job counts at 20 hours a week or more [1]. " * 3, 0.5)
    with stub.serve(slow, *SCRIPT[1:]) as server:
        status, lines = _doctor(agent_home, monkeypatch, capsys, server.base_url)
    print("\n".join(lines))
    assert status == 1
    row = _row(lines, "plain cited answer")
    assert "FAIL" in row and "the doctor gives each check at most 1 s" in row
    assert " ok " in _row(lines, "eligibility tool call")  # the next checks still run
