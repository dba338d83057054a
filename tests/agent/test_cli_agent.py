"""`skillcheck ask` and `skillcheck chat` with and without a model (the stub)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from skillcheck.assistant import Assistant
from skillcheck.cli import main
from skillcheck.cli.chat import chat_loop
from skillcheck.config import Settings, get_settings
from skillcheck.retrieval import Retriever
from tests.agent import stub
from tests.agent.conftest import FAKE_KEY
from tests.agent.test_agent_engine import MEETS

pytestmark = pytest.mark.usefixtures("every_persona")  # every server the stub speaks as


def _use_model(monkeypatch: pytest.MonkeyPatch, home: Path, base_url: str) -> None:
    monkeypatch.setenv("SKILLCHECK_HOME", str(home))
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", base_url)
    monkeypatch.setenv("SKILLCHECK_MODEL", "stub-model")
    get_settings.cache_clear()


def test_ask_json_offline_reports_zero_usage(
    agent_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SKILLCHECK_HOME", str(agent_home))
    get_settings.cache_clear()
    assert main(["ask", "--json", "--top-k", "3", "Am I eligible?"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["mode"] == "offline" and [c["n"] for c in record["citations"]] == [1, 2, 3]
    assert record["usage"]["llm_calls"] == 0 and record["needs_eligibility_form"] is True
    assert "eligibility" not in record


def test_ask_json_with_a_model_adds_eligibility_and_usage(
    agent_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with stub.serve(
        stub.tool("assess_eligibility", MEETS),
        stub.text("The check says the published criteria are met [1]."),
    ) as server:
        _use_model(monkeypatch, agent_home, server.base_url)
        assert main(["ask", "--json", "Am I eligible? Diploma 2018, CX manager since 2019."]) == 0
    out = capsys.readouterr()
    record = json.loads(out.out)
    assert record["mode"] == "llm" and record["eligibility"]["outcome"] == "meets_criteria"
    assert record["usage"] == {
        "llm_calls": 2,
        "input_tokens": 240,
        "output_tokens": 60,
        "total_tokens": 300,
    }
    assert len(server.requests) == 2
    assert FAKE_KEY not in out.out + out.err


def test_ask_text_streams_the_model_answer(
    agent_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with stub.serve(stub.text("Twenty hours or more per week [1].")) as server:
        _use_model(monkeypatch, agent_home, server.base_url)
        assert main(["ask", "How many hours a week?"]) == 0
    answer, _, listed = capsys.readouterr().out.partition("\n\nSources:\n")
    assert answer == "Twenty hours or more per week [1]."
    assert listed.startswith("[1] ") and listed.count("\n[") == 0  # the cited source only


def test_ask_offline_flag_never_calls_the_model(
    agent_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with stub.serve() as server:
        _use_model(monkeypatch, agent_home, server.base_url)
        assert main(["ask", "--offline", "--json", "How many hours a week?"]) == 0
    assert json.loads(capsys.readouterr().out)["mode"] == "offline"
    assert server.requests == []


def test_chat_offline_answers_clears_and_quits(settings: Settings, retriever: Retriever) -> None:
    lines = io.StringIO(
        "How many hours a week must a job be?\n\n/clear\n/help\n/quit\nnever read\n"
    )
    out, err = io.StringIO(), io.StringIO()
    assert chat_loop(Assistant(settings, retriever), lines, out, err, "") == 0
    text = out.getvalue()
    assert "20 hours or more per week" in text and "(conversation cleared)" in text
    assert "/quit leaves" in text and err.getvalue() == ""


def test_chat_with_a_model_keeps_the_conversation(agent_home: Path, retriever: Retriever) -> None:
    from tests.agent.conftest import llm_settings

    with stub.serve(
        stub.text("You need one year of highly relevant employment [1]."),
        stub.text("Does part-time employment count toward the employment requirement?"),
        stub.text("Only 20 hours or more per week counts [1]."),
    ) as server:
        assistant = Assistant(llm_settings(agent_home, server.base_url), retriever)
        lines = io.StringIO("How much employment do I need?\nAnd if I only worked part-time?\n")
        out, err = io.StringIO(), io.StringIO()
        assert chat_loop(assistant, lines, out, err, "you> ") == 0
    assert len(server.requests) == 3  # one call, then a rewrite and an answer
    follow_up = server.requests[2]["messages"]
    assert any("How much employment" in str(m.get("content")) for m in follow_up)
    assert "Only 20 hours" in out.getvalue()
    assert out.getvalue().count("\nSources:\n[1] ") == 2  # each answer's cited source, listed


def test_chat_says_the_engines_outcome_in_words() -> None:
    from skillcheck.cli.chat import _summary
    from skillcheck.events import Done, EligibilityRun
    from skillcheck.rules import assess

    profile = {
        "application_date": "2026-11-22",
        "qualifications": [{"level": "diploma", "field": "Business Management",
                            "completed": "2018-06-30"}],
        "employment": [{"start": "2019-01-01", "end": None, "hours_per_week": 38, "paid": True,
                        "relevance": "highly_relevant"}],
    }  # fmt: skip
    run = EligibilityRun(profile, assess(profile))
    said = _summary(Done(answer="Yes.", mode="offline", eligibility=run))
    assert said == "Eligibility check: Meets the published criteria (route 1)"


def test_chat_command_runs_offline_from_stdin(
    agent_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SKILLCHECK_HOME", str(agent_home))
    monkeypatch.setattr("sys.stdin", io.StringIO("Is Retail Manager a suitable title?\n"))
    get_settings.cache_clear()
    assert main(["chat"]) == 0
    assert "[1]" in capsys.readouterr().out
