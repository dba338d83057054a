"""Many instances, one server: two app processes and ``skillcheck chat`` on one ``chroma run``.

Each instance is a real, long-lived process: two ``streamlit run app.py`` servers, each
driven in headless Chromium, and a ``skillcheck chat`` fed through its stdin. All three
ask a question the pages do not answer; another process then re-ingests a copy of the
corpus with a sentence added that answers it; all three, without a restart, quote the
new sentence on their next question.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from skillcheck.cli.chat import HELP
from tests.app.test_browser import (
    Server,
    _ask,
    _open,
    _require_chromium,
    browser,  # noqa: F401  (a fixture, used by name)
    streamlit_app,
)
from tests.conftest import REPO, cli_env, edited_corpus
from tests.core.test_store import chroma_server  # noqa: F401  (a fixture, used by name)

pytestmark = [pytest.mark.chroma_server, pytest.mark.browser]

#: Added to the VETASSESS page (after "Help with an urgent application") by the re-ingest.
ADDED = (
    "Applicants who work on a ship at sea must attach the vessel's crew register "
    "to their application."
)
ANCHOR = "Help with an urgent application\n"
#: Not covered by the pages as they are; answered, word for word, by ``ADDED``.
QUESTION = "What about crew registers for ship workers?"
PROC_TIMEOUT = 240  # seconds for a subprocess (ingest) or one chat answer: a bound for a hang


class Chat:
    """``skillcheck chat`` in a subprocess; each question is followed by ``/help``, whose
    line marks the end of the answer."""

    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "skillcheck", "chat"],
            cwd=REPO,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put("")  # end of output

    def ask(self, question: str) -> str:
        """The answer's text (all it printed before the ``/help`` line)."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{question}\n/help\n")
        self.proc.stdin.flush()
        deadline = time.monotonic() + PROC_TIMEOUT
        said: list[str] = []
        while True:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"chat gave no answer in {PROC_TIMEOUT} s: {said}") from None
            if not line:
                stderr = self.proc.stderr.read() if self.proc.stderr else ""
                raise AssertionError(f"chat ended ({self.proc.poll()}): {said} {stderr[-1500:]}")
            if line.strip() == HELP:
                return "".join(said)
            said.append(line)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "skillcheck", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=PROC_TIMEOUT,
    )
    assert done.returncode == 0, done.stderr


def _last_answer(page: Any) -> str:
    text: str = page.get_by_test_id("stChatMessage").last.inner_text()
    return " ".join(text.split())


@pytest.fixture
def shared(
    chroma_server: tuple[str, int],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[dict[str, str]]:
    """The settings every instance shares: the server and this test's collection prefix."""
    from skillcheck.config import get_settings
    from skillcheck.store import Store

    host, port = chroma_server
    values = {
        "CHROMA_HOST": host,
        "CHROMA_PORT": str(port),
        "SKILLCHECK_COLLECTION_PREFIX": f"i{os.getpid()}x{time.monotonic_ns() % 10**8}",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield values
    Store(get_settings()).reset()


def test_two_apps_and_a_chat_see_a_reingest_on_one_chroma_run_without_restart(
    shared: dict[str, str],
    browser: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    _require_chromium()
    _run(["ingest", "--quiet"], cli_env(SKILLCHECK_HOME=str(tmp_path / "admin"), **shared))
    with ExitStack() as stack:
        apps: list[Server] = [
            stack.enter_context(streamlit_app(_home(tmp_path, f"app{i}"), **shared)) for i in (1, 2)
        ]
        chat = Chat(cli_env(SKILLCHECK_HOME=str(tmp_path / "chat"), **shared))
        stack.callback(chat.close)
        pages = [_open(browser, app) for app in apps]

        before = [_ask_app(page) for page in pages] + [chat.ask(QUESTION)]
        for answer in before:
            assert answer.strip(), "no answer"
            assert ADDED not in answer, answer

        changed = edited_corpus(
            tmp_path / "changed-corpus",
            "vetassess-149212.txt",
            lambda text: text.replace(ANCHOR, f"{ANCHOR}\n{ADDED}\n", 1),
        )
        _run(
            ["ingest", "--quiet"],
            cli_env(
                SKILLCHECK_HOME=str(tmp_path / "admin"),
                SKILLCHECK_CORPUS_DIR=str(changed),
                **shared,
            ),
        )

        after = [_ask_app(page) for page in pages] + [chat.ask(QUESTION)]
        for who, answer in zip(["app 1", "app 2", "chat"], after, strict=True):
            assert ADDED in answer, f"{who} did not see the re-ingest: {answer}"
        assert chat.proc.poll() is None  # the same processes all along: no restart
        assert all(app.proc.poll() is None for app in apps)


def _home(tmp_path: Path, name: str) -> Path:
    home = tmp_path / name
    home.mkdir()
    return home


def _ask_app(page: Any) -> str:
    _ask(page, QUESTION, sources=False)
    return _last_answer(page)
