"""Fixtures of the agent tests: no real key or model, a store built once, a stand-in engine."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from skillcheck.config import Settings, get_settings
from skillcheck.events import Done, Event
from skillcheck.retrieval import Retriever, open_retriever
from tests.agent import stub
from tests.agent.stub import WORKING_PERSONAS

SECRET_VARS = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SKILLCHECK_OPENAI_API_KEY", "CHROMA_HOST")
FAKE_KEY = "sk-test-DO-NOT-LEAK-5f3a9c"


@pytest.fixture(autouse=True)
def _offline_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test sees a real key, a stray .env, or the user's store."""
    for name in SECRET_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SKILLCHECK_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _every_answer_cites_only_retrieved_passages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every turn of every test (agent, ask, chat) is checked: its [n] name its passages."""
    from skillcheck.assistant import Assistant

    original = Assistant.stream

    def checked(self: Assistant, *args: Any, **kwargs: Any) -> Iterator[Event]:
        for event in original(self, *args, **kwargs):
            if isinstance(event, Done):
                assert_markers_map(event)
            yield event

    monkeypatch.setattr(Assistant, "stream", checked)


@pytest.fixture(params=WORKING_PERSONAS)
def every_persona(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The stub speaks as each server whose quirks it knows (``stub.PERSONAS``), in turn."""
    persona = str(request.param)
    monkeypatch.setattr(stub, "DEFAULT_PERSONA", persona)
    return persona


@pytest.fixture(scope="session")
def agent_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built once for the session (read-only use)."""
    home = tmp_path_factory.mktemp("agent-home")
    open_retriever(Settings(home=home), say=lambda _m: None, progress=False)
    return home


@pytest.fixture(scope="session")
def retriever(agent_home: Path) -> Retriever:
    return open_retriever(Settings(home=agent_home), progress=False)


@pytest.fixture
def settings(agent_home: Path) -> Settings:
    """Offline settings over the built store."""
    return Settings(home=agent_home, openai_api_key=None, offline=False)


def llm_settings(agent_home: Path, base_url: str, **extra: Any) -> Settings:
    """Settings that point the real OpenAI client at a stub server."""
    values: dict[str, Any] = {
        "home": agent_home,
        "openai_api_key": FAKE_KEY,
        "openai_base_url": base_url,
        "model": "stub-model",
        "llm_timeout": 5.0,
        "llm_max_retries": 2,
    }
    values.update(extra)
    return Settings(**values)


def run(events: Iterator[Event]) -> tuple[list[Event], Done]:
    """All events of a turn, and its ``Done`` (which must come last, exactly once)."""
    out = list(events)
    done = [e for e in out if isinstance(e, Done)]
    assert len(done) == 1 and out[-1] is done[0], out
    return out, done[0]


def assert_markers_map(done: Done) -> None:
    """Every [n] of the answer names a passage retrieved in this turn."""
    numbers = {p.n for p in done.passages}
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", done.answer)}
    assert cited <= numbers, (cited, numbers)
