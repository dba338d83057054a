"""Fixtures of the app tests: an isolated store, no model key, fresh caches."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def skillcheck_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store for the whole session (built by the first test that needs it)."""
    return tmp_path_factory.mktemp("skillcheck-home")


@pytest.fixture(autouse=True)
def isolated_settings(skillcheck_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test sees the temporary store and no model key (so no model is ever called)."""
    from skillcheck.config import get_settings

    monkeypatch.setenv("SKILLCHECK_HOME", str(skillcheck_home))
    for name in ("OPENAI_API_KEY", "SKILLCHECK_OPENAI_API_KEY", "OPENAI_BASE_URL", "CHROMA_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(skillcheck_home)  # no stray .env file is read
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session", autouse=True)
def background_starts_finish() -> Iterator[None]:
    """At the end, wait (bounded) for the app's background starts: a daemon thread still
    inside the embedding model when the interpreter exits aborts the process."""
    import threading

    yield
    for thread in threading.enumerate():
        if thread.name == "skillcheck-start":
            thread.join(timeout=120)
