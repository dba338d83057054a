"""`ask` and `chat`: a model's text printed before a fallback is taken back, never left above it.

The stub streams two checked sentences and then cuts the stream (or the model calls
tools until the cap). On a pipe or a file the text above is marked as cut off by a line
of its own; on a terminal (a real pseudo-terminal, its output replayed through a small
terminal model) it is erased, unless it has scrolled off the screen, where the line is
printed instead. The fallback's note is said once.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from skillcheck.assistant import Assistant
from skillcheck.cli import main
from skillcheck.cli.chat import chat_loop
from skillcheck.cli.screen import CUT_OFF, rows_up
from skillcheck.retrieval import Retriever
from tests.agent import stub
from tests.agent.conftest import FAKE_KEY, llm_settings
from tests.agent.test_agent_engine import MEETS
from tests.agent.test_cli_agent import _use_model
from tests.conftest import REPO, cli_env

SAID = "A job counts when it is paid [1]. It must be 20 hours or more per week [1]. "
CUT = SAID + "And then the stream"
QUESTION = "How many hours a week must a job be?"
OFFLINE = "VETASSESS counts paid employment of 20 hours or more per week"


# --- a pipe or a file -----------------------------------------------------------------------
def test_ask_marks_the_cut_text_on_a_pipe_and_notes_the_fallback_once(
    agent_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with stub.serve(stub.faulty("truncated", CUT)) as server:
        _use_model(monkeypatch, agent_home, server.base_url)
        assert main(["ask", QUESTION]) == 0
    out = capsys.readouterr()
    model, marker, rest = out.out.partition(f"\n{CUT_OFF}\n")
    assert marker, out.out
    assert model.startswith("A job counts when it is paid [1].")
    assert "A job counts" not in rest and OFFLINE in rest  # the answer is below the line
    assert out.err.count("note: The language model could not answer") == 1, out.err
    assert "model call failed" not in out.err  # the log line is not printed mid-answer


def test_ask_adds_no_line_when_nothing_was_printed_before_the_fallback(
    agent_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with stub.serve(stub.status(500)) as server:
        _use_model(monkeypatch, agent_home, server.base_url)
        monkeypatch.setenv("SKILLCHECK_LLM_MAX_RETRIES", "0")
        assert main(["ask", QUESTION]) == 0
    out = capsys.readouterr()
    assert CUT_OFF not in out.out and out.out.startswith("Only if") and OFFLINE in out.out


def test_chat_marks_the_cut_text_after_a_tool_loop_and_keeps_the_offline_answer(
    agent_home: Path, retriever: Retriever
) -> None:
    loop = [
        stub.Step(text="Let me check that for you.", tool=("assess_eligibility", json.dumps(MEETS)))
    ]
    calls = loop + [stub.tool("assess_eligibility", MEETS)] * 5
    with stub.serve(*calls) as server:
        assistant = Assistant(llm_settings(agent_home, server.base_url), retriever)
        out, err = io.StringIO(), io.StringIO()
        lines = io.StringIO(f"{QUESTION}\n")
        assert chat_loop(assistant, lines, out, err, "") == 0
    text = out.getvalue()
    model, marker, rest = text.partition(f"\n{CUT_OFF}\n")
    assert marker, text
    assert "Let me check that for you." in model and OFFLINE in rest
    assert err.getvalue().count("note: The language model could not answer") == 1


# --- a terminal -----------------------------------------------------------------------------
class Terminal:
    """Enough of a VT100 to replay our output: wrapping, CR, LF, cursor up, erase below."""

    def __init__(self, rows: int, columns: int) -> None:
        self.rows, self.columns = rows, columns
        self.screen = [""] * rows
        self.scrolled: list[str] = []  # rows gone off the top
        self.row = self.col = 0
        self.pending_wrap = False

    def feed(self, data: str) -> None:
        for token in re.findall(r"\x1b\[[0-9;?]*[A-Za-z]|.", data, re.S):
            if token.startswith("\x1b["):
                self._csi(token)
            elif token == "\r":
                self.col, self.pending_wrap = 0, False
            elif token == "\n":
                self._down()
            else:
                self._put(token)

    def _csi(self, token: str) -> None:
        arg, op = token[2:-1], token[-1]
        if op == "A":
            self.row = max(0, self.row - int(arg or 1))
            self.pending_wrap = False
        elif op == "J" and arg in ("", "0"):
            self.screen[self.row] = self.screen[self.row][: self.col]
            for r in range(self.row + 1, self.rows):
                self.screen[r] = ""
        else:
            raise AssertionError(f"unexpected escape sequence {token!r}")

    def _down(self) -> None:
        self.pending_wrap = False
        if self.row == self.rows - 1:
            self.scrolled.append(self.screen.pop(0))
            self.screen.append("")
        else:
            self.row += 1

    def _put(self, ch: str) -> None:
        if self.pending_wrap:
            self._down()
            self.col = 0
        line = self.screen[self.row].ljust(self.col)
        self.screen[self.row] = line[: self.col] + ch + line[self.col + 1 :]
        if self.col == self.columns - 1:
            self.pending_wrap = True
        else:
            self.col += 1

    def everything(self) -> str:
        """Every row, scrolled off or on the screen, joined (so wrapped text reads whole)."""
        return "".join(self.scrolled + self.screen)


def _ask_on_a_terminal(agent_home: Path, base_url: str, rows: int, columns: int) -> str:
    """``skillcheck ask`` with stdout and stderr on a pseudo-terminal; all it wrote."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    env = cli_env(
        SKILLCHECK_HOME=str(agent_home),
        OPENAI_API_KEY=FAKE_KEY,
        OPENAI_BASE_URL=base_url,
        SKILLCHECK_MODEL="stub-model",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "skillcheck", "ask", QUESTION],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    data = b""
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 1.0)
            if ready:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                data += chunk
            elif proc.poll() is not None:
                break
        assert proc.wait(timeout=30) == 0, data.decode("utf-8", "replace")
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)
    return data.decode("utf-8")


def test_ask_on_a_terminal_erases_the_cut_text(agent_home: Path) -> None:
    with stub.serve(stub.faulty("truncated", CUT)) as server:
        raw = _ask_on_a_terminal(agent_home, server.base_url, rows=40, columns=80)
    assert "A job counts when it is paid" in raw  # it was streamed...
    term = Terminal(40, 80)
    term.feed(raw)
    shown = term.everything()
    assert "A job counts" not in shown and "20 hours or more per week [1]. And" not in shown
    assert CUT_OFF not in shown  # ...and erased, so no line is needed
    assert shown.startswith("note: The language model could not answer"), shown
    assert OFFLINE in shown


def test_ask_on_a_small_terminal_marks_text_that_scrolled_off(agent_home: Path) -> None:
    with stub.serve(stub.faulty("truncated", CUT)) as server:
        raw = _ask_on_a_terminal(agent_home, server.base_url, rows=3, columns=30)
    assert "\x1b[" not in raw  # nothing erased: its first rows are off the screen
    term = Terminal(3, 30)
    term.feed(raw)
    shown = term.everything()
    assert "A job counts" in shown and CUT_OFF in shown
    assert shown.index("A job counts") < shown.index(CUT_OFF) < shown.index("VETASSESS")


# --- the arithmetic -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "columns", "up"),
    [
        ("", 80, 0),
        ("abc", 80, 0),
        ("abc\n", 80, 1),
        ("a" * 80, 80, 0),  # a full row: the cursor waits at its end
        ("a" * 81, 80, 1),
        ("a" * 80 + "\n", 80, 1),  # the newline after a full row moves down once
        ("ab\ncd\nef", 80, 2),
        ("中文字", 5, 1),  # wide characters take two columns; the third wraps
        ("e\u0301" * 4, 4, 0),  # combining accents take none
    ],
)
def test_rows_up_counts_the_rows_a_terminal_used(text: str, columns: int, up: int) -> None:
    assert rows_up(text, columns) == up


@pytest.mark.parametrize("text", ["tab\there", "bell\a", "esc\x1b[2J", "zero\u200dwidth"])
def test_rows_up_cannot_tell_for_controls(text: str) -> None:
    assert rows_up(text, 80) is None
