"""Hard to break: a bad setting or a bad byte is one line and exit 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from skillcheck.cli import main
from skillcheck.config import get_settings
from tests.conftest import REPO, cli_env

BAD_SETTINGS = [
    ({"CHROMA_PORT": "abc"}, "", "CHROMA_PORT=abc is not a whole number"),
    ({"CHROMA_PORT": "http://10.0.0.1"}, "", "CHROMA_PORT=http://10.0.0.1 is not a whole number"),
    ({"CHROMA_PORT": "70000"}, "", "CHROMA_PORT=70000 must be at most 65535"),
    ({}, "SKILLCHECK_TOP_K=0\n", "SKILLCHECK_TOP_K=0 (in .env) must be at least 1"),
    ({"SKILLCHECK_LLM_TIMEOUT": "-1"}, "", "SKILLCHECK_LLM_TIMEOUT=-1 must be greater than 0"),
    ({"SKILLCHECK_EMBEDDINGS": "bert"}, "", "SKILLCHECK_EMBEDDINGS=bert should be 'local' or"),
    ({"SKILLCHECK_TURN_TIMEOUT": "abc"}, "", "SKILLCHECK_TURN_TIMEOUT=abc is not a number"),
    ({"SKILLCHECK_TURN_TIMEOUT": "0"}, "", "SKILLCHECK_TURN_TIMEOUT=0 must be greater than 0"),
    ({"SKILLCHECK_MAX_TOKENS": "5"}, "", "SKILLCHECK_MAX_TOKENS=5 must be at least 16"),
    ({}, "SKILLCHECK_MAX_TOOL_CALLS=0\n", "SKILLCHECK_MAX_TOOL_CALLS=0 (in .env) must be at least"),
]
COMMANDS = [["ask", "What hours count?"], ["chat"], ["ingest"], ["eval"]]


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("command", COMMANDS, ids=[c[0] for c in COMMANDS])
@pytest.mark.parametrize(("env", "dotenv", "message"), BAD_SETTINGS)
def test_a_bad_setting_is_one_line_naming_the_variable(
    command: list[str],
    env: dict[str, str],
    dotenv: str,
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if dotenv:
        Path(".env").write_text(dotenv, encoding="utf-8")  # the test runs in its tmp_path
    get_settings.cache_clear()
    assert main(command) == 2
    out = capsys.readouterr()
    assert out.out == ""
    line = _one_error_line(out.err)
    assert line.startswith("skillcheck: error: setting ") and message in line


def test_every_bad_value_is_named_on_the_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHROMA_PORT", "abc")
    monkeypatch.setenv("SKILLCHECK_LLM_TIMEOUT", "-1")
    Path(".env").write_text("SKILLCHECK_TOP_K=0\n", encoding="utf-8")
    assert main(["ask", "hours"]) == 2
    line = _one_error_line(capsys.readouterr().err)
    for name in ("CHROMA_PORT", "SKILLCHECK_LLM_TIMEOUT", "SKILLCHECK_TOP_K"):
        assert name in line


def test_a_secret_is_never_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    from skillcheck.config import Settings, describe_settings_error

    with pytest.raises(ValidationError) as caught:
        Settings(openai_api_key=["sk-live-not-a-string"], top_k=0)  # type: ignore[arg-type]
    line = describe_settings_error(caught.value)
    assert "OPENAI_API_KEY" in line and "sk-live" not in line


def test_a_kubernetes_service_link_in_chroma_port_means_its_port(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CHROMA_PORT", "tcp://10.0.0.1:8123")
    get_settings.cache_clear()
    assert get_settings().chroma_port == 8123
    assert get_settings().chroma_host is None  # the link gives no host: CHROMA_HOST does


def test_assess_reads_no_setting_at_all(tmp_path: Path) -> None:
    """With every bad value above set, `assess` still answers: it needs no settings."""
    (tmp_path / ".env").write_text("SKILLCHECK_TOP_K=0\n", encoding="utf-8")
    env = cli_env(
        CHROMA_PORT="tcp://not a port",
        SKILLCHECK_LLM_TIMEOUT="-1",
        SKILLCHECK_EMBEDDINGS="bert",
        SKILLCHECK_HOME=str(tmp_path / "nowhere"),
    )
    for args in (["--title", "Retail Manager", "--format", "text"], ["--schema"]):
        out = subprocess.run(
            [sys.executable, "-m", "skillcheck", "assess", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() and out.stderr == ""
    assert not (tmp_path / "nowhere").exists()


def test_assess_never_calls_get_settings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import skillcheck.config

    def refuse() -> None:
        raise AssertionError("assess read the settings")

    monkeypatch.setattr(skillcheck.config, "get_settings", refuse)
    monkeypatch.setattr(skillcheck.config, "load_settings", refuse)
    assert main(["assess", "--title", "Retail Manager"]) == 0
    assert "Retail Manager" in capsys.readouterr().out


# --- text that is not UTF-8 -------------------------------------------------------------
LATIN1 = "caf\udce9"  # `skillcheck ask "$(printf 'caf\xe9')"` as Python receives it


@pytest.mark.parametrize(
    ("args", "what"),
    [(["ask", LATIN1], "question"), (["assess", "--title", LATIN1], "--title")],
)
def test_a_non_utf8_argument_is_refused_in_one_line(
    args: list[str], what: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    out = capsys.readouterr()
    assert out.out == ""
    line = _one_error_line(out.err)
    assert line.startswith(f"skillcheck: error: {what}: not UTF-8 text (byte 0xe9 at character 4)")


def _run_bytes(args: list[str], stdin: bytes, home: Path) -> subprocess.CompletedProcess[bytes]:
    env = cli_env(SKILLCHECK_HOME=str(home), LC_ALL="C.UTF-8", PYTHONUTF8="0")
    return subprocess.run(
        [sys.executable, "-m", "skillcheck", *args],
        cwd=REPO,
        env=env,
        input=stdin,
        capture_output=True,
        timeout=120,
    )


def test_a_non_utf8_argument_from_a_real_shell(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "skillcheck", "ask", b"caf\xe9"],  # type: ignore[list-item]
        cwd=REPO,
        env=cli_env(SKILLCHECK_HOME=str(tmp_path / "h"), LC_ALL="C.UTF-8"),
        capture_output=True,
        timeout=120,
    )
    assert out.returncode == 2
    err = out.stderr.decode()
    assert _one_error_line(err).endswith("set your terminal to UTF-8, or retype it")
    assert not (tmp_path / "h").exists()  # refused before any store is opened


def test_a_non_utf8_line_on_stdin_is_refused_alone(home: Path) -> None:
    out = _run_bytes(["ask"], b"caf\xe9\nHow many hours a week must a job be?\n", home)
    assert out.returncode == 2
    assert b"Traceback" not in out.stderr
    first, second = out.stdout.decode().splitlines()
    assert "not UTF-8 text (byte 0xe9" in first
    assert "20 hours" in second


def test_a_non_utf8_line_in_chat_is_refused_and_the_chat_goes_on(home: Path) -> None:
    out = _run_bytes(["chat", "--offline"], b"caf\xe9\nWhat hours count?\n", home)
    assert out.returncode == 0
    assert b"Traceback" not in out.stderr
    assert b"error: question: not UTF-8 text (byte 0xe9" in out.stderr
    assert b"20 hours" in out.stdout


def test_a_non_utf8_profile_on_stdin_is_one_line(tmp_path: Path) -> None:
    out = _run_bytes(["assess", "-"], b'{"name": "caf\xe9"}', tmp_path)
    assert out.returncode == 2
    line = _one_error_line(out.stderr.decode())
    assert "input:" in line and "UTF-8" in line


# --- ingest: a full disk, and any OSError ---------------------------------------------------
def _builds(home: Path) -> list[str]:
    from skillcheck.store import Store

    return sorted(n for n in Store(get_settings())._collection_names() if n.count("-") == 2)


def _full_disk_after_writing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The new build's first write goes through, then the disk is full."""
    import errno

    from chromadb.api.models.Collection import Collection

    original = Collection.add

    def add_then_full(self: Collection, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Collection, "add", add_then_full)


def test_a_full_disk_during_ingest_force_is_one_line_and_the_old_store_answers(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from skillcheck.embeddings import get_embedder
    from skillcheck.retrieval import Retriever
    from skillcheck.store import Store

    before = _builds(home)
    assert len(before) == 1
    _full_disk_after_writing(monkeypatch)
    for _ in range(3):  # failing again and again piles nothing up
        assert main(["ingest", "--force", "--quiet"]) == 2
        line = _one_error_line(capsys.readouterr().err)
        assert line.startswith("skillcheck: error: the disk is full")
        assert "free some space" in line
        assert _builds(home) == before
    monkeypatch.undo()
    monkeypatch.setenv("SKILLCHECK_HOME", str(home))
    store = Store(get_settings())
    assert store.active_name() == before[0]
    hits = Retriever(store, get_embedder(get_settings())).search("organisational chart", 3)
    assert any("organisational chart" in h.chunk.text for h in hits)


def test_sqlite_saying_the_disk_is_full_is_the_same_line(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    from chromadb.api.models.Collection import Collection

    def full(self: Collection, *args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    before = _builds(home)
    monkeypatch.setattr(Collection, "add", full)
    assert main(["ingest", "--force", "--quiet"]) == 2
    assert "the disk is full" in _one_error_line(capsys.readouterr().err)
    assert _builds(home) == before


def test_leftovers_of_a_killed_build_are_cleared_before_the_next_build(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from skillcheck.store import Store

    store = Store(get_settings())
    store._client.create_collection(f"{store.prefix}-{'0' * 16}-{'a' * 8}")  # a killed build's
    before = store.active_name()
    _full_disk_after_writing(monkeypatch)
    assert main(["ingest", "--force", "--quiet"]) == 2
    capsys.readouterr()
    assert _builds(home) == [before]


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (PermissionError(13, "Permission denied", "/x/cache"), "Permission denied: /x/cache"),
        (OSError(5, "Input/output error"), "Input/output error"),
    ],
)
def test_any_os_error_escaping_ingest_is_one_line(
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    error: OSError,
    message: str,
) -> None:
    import skillcheck.indexing

    def broken(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(skillcheck.indexing, "build_chunks", broken)
    assert main(["ingest", "--force", "--quiet"]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert line == f"skillcheck: error: ingest failed: {message}; the store in use is unchanged"


def test_a_full_disk_outside_the_store_is_still_named(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import errno

    import skillcheck.indexing

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", "/x/cache/vectors.npy")

    monkeypatch.setattr(skillcheck.indexing, "get_embedder", full)
    assert main(["ingest", "--force", "--quiet"]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert line.startswith("skillcheck: error: the disk is full (No space left on device: /x/")
