"""`skillcheck ask` and `ingest` as a user runs them: answers, JSON, batch, clean errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, cli_env


def run(*args: str, home: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "skillcheck", *args],
        cwd=REPO,
        env=cli_env(SKILLCHECK_HOME=str(home)),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_ask_answers_with_markers_that_map_to_sources(home: Path) -> None:
    out = run("ask", "How many hours a week must a job be to count?", home=home)
    assert out.returncode == 0, out.stderr
    assert "20 hours or more per week" in out.stdout
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", out.stdout.split("Sources:")[0])}
    listed = {int(m) for m in re.findall(r"^\[(\d+)\]", out.stdout, flags=re.M)}
    assert markers and markers <= listed


def test_the_sources_list_gives_each_pages_address_and_capture_date(home: Path) -> None:
    out = run("ask", "--offline", "Must I submit an organisational chart?", home=home)
    assert out.returncode == 0, out.stderr
    listed = out.stdout.split("\nSources:\n")[1].splitlines()
    vetassess = [line for line in listed if "(VETASSESS)" in line]
    assert vetassess, listed
    address = "https://www.vetassess.com.au/check-my-occupation/professional-occupations/"
    assert all(f"; {address}customer-service-manager" in line for line in vetassess)
    assert "captured" not in out.stdout  # the seeds record no capture date: none is shown


def test_a_model_answer_with_markers_gets_the_sources_list_after_it() -> None:
    from skillcheck.cli.ask import sources_after
    from skillcheck.events import Done
    from skillcheck.passages import Passage

    def passage(n: int, **extra: str) -> Passage:
        return Passage(
            n=n, chunk_id=f"c{n}", source="s", title="Page\x1b[2J", publisher="P",
            latest_release=True, section="Sec\nFake line", text="t", start=0, end=1, **extra,
        )  # fmt: skip

    cards = [passage(1, url="https://example.org/p", captured="2026-11-20"), passage(2)]
    said = sources_after(Done(answer="Yes [1].", mode="model", passages=cards))
    assert said == (
        '\nSources:\n[1] Page\\x1b[2J (P), section "Sec\\nFake line"; '
        "https://example.org/p; captured 2026-11-20\n"
    )
    assert sources_after(Done(answer="No markers.", mode="model", passages=cards)) == ""
    offline = Done(answer="Yes [2].\n\nSources:\n[2] ...", mode="offline", passages=cards)
    assert sources_after(offline) == ""  # the offline answer lists its own


def test_ask_json_has_the_contract_fields(home: Path) -> None:
    out = run("ask", "--json", "--top-k", "3", "Is a Retail Manager accepted?", home=home)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["mode"] == "offline"
    assert [c["n"] for c in data["citations"]] == [1, 2, 3]
    keys = {"n", "chunk_id", "source", "title", "section", "text", "start", "end"}
    assert all(keys <= set(c) for c in data["citations"])
    for n in map(int, re.findall(r"\[(\d+)\]", data["answer"])):
        assert 1 <= n <= 3


def test_ask_reads_one_question_per_line_from_stdin(home: Path) -> None:
    out = run("ask", home=home, stdin="What fields are highly relevant?\n\nWhat is 149211?\n")
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(lines) == 2
    assert all(line["citations"] for line in lines)


def test_a_missing_store_is_built_first_with_a_message(tmp_path: Path) -> None:
    out = run("ask", "Must I submit an organisational chart?", home=tmp_path / "fresh")
    assert out.returncode == 0, out.stderr
    assert "building it from the corpus" in out.stderr
    assert "organisational chart" in out.stdout


def test_ingest_twice_writes_nothing_the_second_time(home: Path) -> None:
    out = run("ingest", "--quiet", home=home)
    assert out.returncode == 0, out.stderr
    assert "nothing written" in out.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", ""], "question: empty"),
        (["ask", "x" * 100_000], "too long"),
        (["ask", "--top-k", "0", "hours"], "--top-k"),
        (["ask", "--top-k", "many", "hours"], "--top-k"),
        (["ask", "--nonsense", "hours"], "unrecognized arguments"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(home: Path, args: list[str], message: str) -> None:
    out = run(*args, home=home)
    assert out.returncode == 2
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert "Traceback" not in out.stderr


def test_a_corrupt_store_is_one_line_and_exit_2(home: Path) -> None:
    db = next(home.rglob("chroma.sqlite3"))
    db.write_bytes(b"this is not a database" * 100)
    out = run("ask", "What hours count?", home=home)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert "store" in out.stderr


def test_python_m_ingest_is_the_same_command(home: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "ingest", "--quiet"],
        cwd=REPO,
        env=cli_env(SKILLCHECK_HOME=str(home)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "store up to date" in out.stdout
