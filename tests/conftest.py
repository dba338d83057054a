"""Shared fixtures: every test runs offline, with no API key and its own store."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from skillcheck.config import get_settings

_SECRET_VARS = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SKILLCHECK_OPENAI_API_KEY", "CHROMA_HOST")
# Markers whose tests need something built outside the venv (a 20-minute compile):
# they run only when the -m expression names them, never in the default or CI run.
OPT_IN_MARKERS = ("llama_server",)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the opt-in markers' tests unless ``-m`` names the marker."""
    expression = str(config.getoption("markexpr") or "")
    keep, dropped = [], []
    for item in items:
        opt_in = [m for m in OPT_IN_MARKERS if item.get_closest_marker(m) is not None]
        (dropped if any(m not in expression for m in opt_in) else keep).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test sees a real key, a Chroma server it did not ask for, or the user's store."""
    for name in _SECRET_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SKILLCHECK_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def built_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built once per session from the real corpus (copy it before mutating)."""
    from ingest import run_ingest

    home = tmp_path_factory.mktemp("built-home")
    old = os.environ.get("SKILLCHECK_HOME")
    os.environ["SKILLCHECK_HOME"] = str(home)
    get_settings.cache_clear()
    try:
        run_ingest(get_settings(), progress=False)
    finally:
        if old is None:
            os.environ.pop("SKILLCHECK_HOME", None)
        else:
            os.environ["SKILLCHECK_HOME"] = old
        get_settings.cache_clear()
    return home


@pytest.fixture
def home(built_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the built store, set as SKILLCHECK_HOME for this test."""
    target = tmp_path / "built"
    shutil.copytree(built_home, target)
    monkeypatch.setenv("SKILLCHECK_HOME", str(target))
    get_settings.cache_clear()
    return target


REPO = Path(__file__).resolve().parents[1]


def cli_env(**extra: str) -> dict[str, str]:
    """The environment for running ``python -m skillcheck`` from this checkout."""
    env = dict(os.environ)
    for name in _SECRET_VARS:
        env.pop(name, None)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def edited_corpus(dest: Path, page: str, edit: Callable[[str], str]) -> Path:
    """A copy of the corpus at ``dest`` with ``page`` edited (its manifest sha256 fixed)."""
    shutil.copytree(get_settings().corpus_dir, dest)
    path = dest / page
    text = path.read_text("utf-8")
    changed = edit(text)
    assert changed != text, f"the edit changed nothing in {page}"
    path.write_text(changed, "utf-8")
    manifest = dest / "manifest.yaml"
    old = hashlib.sha256(text.encode("utf-8")).hexdigest()
    new = hashlib.sha256(changed.encode("utf-8")).hexdigest()
    manifest.write_text(manifest.read_text("utf-8").replace(old, new), "utf-8")
    return dest
