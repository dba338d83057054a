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
