"""Every rejection of the contract, via the real CLI: exit 2, one stderr line naming the field."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from skillcheck.cli import main

REPO = Path(__file__).resolve().parents[2]
GOOD: dict[str, Any] = {
    "application_date": "2026-11-22",
    "qualifications": [
        {"level": "diploma", "field": "Business Management", "completed": "2018-06-30"}
    ],
    "employment": [
        {
            "start": "2019-01-01",
            "end": None,
            "hours_per_week": 38,
            "paid": True,
            "relevance": "highly_relevant",
        }
    ],
}


def _with(path: str, value: Any) -> dict[str, Any]:
    """GOOD with one field changed (value ``...`` deletes it)."""
    data = json.loads(json.dumps(GOOD))
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return data


def _run(stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "skillcheck", "assess", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )


CASES = [
    ("missing employment", _with("employment", ...), "employment: missing"),
    ("missing qualifications", _with("qualifications", ...), "qualifications: missing"),
    ("missing start", _with("employment.0.start", ...), "employment[0].start: missing"),
    ("missing level", _with("qualifications.0.level", ...), "qualifications[0].level: missing"),
    (
        "missing completed",
        _with("qualifications.0.completed", ...),
        "qualifications[0].completed: missing",
    ),
    ("unknown top-level key", {**GOOD, "salary": 1}, "salary: unknown field"),
    (
        "unknown job key",
        _with("employment.0.employer", "ACME"),
        "employment[0].employer: unknown field",
    ),
    (
        "impossible date",
        _with("employment.0.start", "2023-02-29"),
        "employment[0].start: '2023-02-29' is not a real date",
    ),
    (
        "date not YYYY-MM-DD",
        _with("application_date", "22/11/2026"),
        "application_date: must be a date written YYYY-MM-DD",
    ),
    (
        "date with a time",
        _with("qualifications.0.completed", "2018-06-30T00:00:00"),
        "qualifications[0].completed: must be a date",
    ),
    (
        "end before start",
        _with("employment.0.end", "2018-12-31"),
        "employment[0].end: 2018-12-31 is before start 2019-01-01",
    ),
    (
        "negative hours",
        _with("employment.0.hours_per_week", -1),
        "employment[0].hours_per_week: Input should be greater than or equal to 0",
    ),
    (
        "over 168 hours",
        _with("employment.0.hours_per_week", 168.5),
        "employment[0].hours_per_week: Input should be less than or equal to 168",
    ),
    ("hours as text", _with("employment.0.hours_per_week", "38"), "employment[0].hours_per_week:"),
    (
        "level outside the list",
        _with("qualifications.0.level", "phd"),
        "qualifications[0].level: Input should be",
    ),
    (
        "relevance outside the list",
        _with("employment.0.relevance", "very"),
        "employment[0].relevance: Input should be",
    ),
    (
        "paid as text",
        _with("employment.0.paid", "yes"),
        "employment[0].paid: Input should be a valid boolean",
    ),
    ("unknown occupation", {**GOOD, "occupation": "149211"}, "occupation: no rules for 149211"),
    ("list instead of object", [GOOD], "input: expected a JSON object"),
    (
        "application date in year 1 (the windows would start before it)",
        _with("application_date", "0001-01-01"),
        "application_date: 0001-01-01 is outside the dates the check accepts",
    ),
    (
        "application date on the last day of year 9999",
        _with("application_date", "9999-12-31"),
        "application_date: 9999-12-31 is outside the dates the check accepts",
    ),
    (
        "application date whose earliest-date projection would pass year 9999",
        {
            **_with("application_date", "9998-06-01"),
            "employment": [{**GOOD["employment"][0], "start": "9998-01-01"}],
        },
        "application_date: 9998-06-01 is outside the dates the check accepts",
    ),
]


@pytest.mark.parametrize(
    ("data", "message"), [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_profile_is_one_line_exit_2(data: Any, message: str) -> None:
    proc = _run(json.dumps(data), "-")
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("skillcheck: error: ")
    assert message in lines[0]
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("stdin", "args", "message"),
    [
        ("{not json", ["-"], "input: not valid JSON"),
        ("", ["-"], "input: stdin is empty"),
        ("   \n", ["-"], "input: stdin is empty"),
        ('{"qualifications": [], "qualifications": []}', ["-"], "qualifications: given twice"),
        (
            '{"qualifications": [], "employment": [{"start": "2020-01-01", "end": null, '
            '"hours_per_week": NaN, "paid": true}]}',
            ["-"],
            "NaN is not a number",
        ),
        ("", ["/nonexistent/profile.json"], "does not exist"),
        ("", [str(REPO / "tests")], "is a directory"),
        ("", [], "file: give a JSON file"),
        ("[" * 100000, ["-"], "input: JSON nested too deeply"),
        ('{"a":' * 50000 + "1" + "}" * 50000, ["-"], "input: JSON nested too deeply"),
        ("", ["--title", ""], "--title: give a job title"),
        ("", ["--title", "   "], "--title: give a job title"),
        ("", ["--title", "Service Manager", "profile.json"], "--title: cannot be combined"),
        ("", ["--schema", "profile.json"], "--schema: cannot be combined with a profile file"),
        ("", ["--schema", "--title", "Service Manager"], "--schema: cannot be combined"),
        ("", ["--title", "x" * 100000], "--title: too long (100000 characters; at most 200)"),
    ],
    ids=[
        "not json",
        "empty stdin",
        "blank stdin",
        "duplicate key",
        "NaN",
        "missing file",
        "directory",
        "no file",
        "deeply nested list",
        "deeply nested object",
        "empty title",
        "blank title",
        "title with a file",
        "schema with a file",
        "schema with a title",
        "unbounded title",
    ],
)
def test_unreadable_input_is_one_line_exit_2(stdin: str, args: list[str], message: str) -> None:
    proc = _run(stdin, *args)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert len(proc.stderr.splitlines()) == 1 and message in proc.stderr


def test_good_profile_prints_json_and_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(GOOD), encoding="utf-8")
    proc = _run("", str(path))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["outcome"] == "meets_criteria" and out["pathway"] == 1
    assert all(c["start"] is not None for c in out["citations"])


def test_text_format_and_schema_in_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(GOOD), encoding="utf-8")
    assert main(["assess", str(path), "--format", "text"]) == 0
    text = capsys.readouterr().out
    assert "MEETS the published criteria through route 1" in text and "Disclaimer" in text
    assert main(["assess", "--schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"qualifications", "employment"}


def test_title_lookup_from_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assess", "--title", "Call Centre Manager"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["status"], out["anzsco_code"]) == ("unsuitable", "149211")


def test_a_title_cannot_print_a_fake_outcome_line(capsys: pytest.CaptureFixture[str]) -> None:
    fake = "Service Manager\nMEETS\x1b[1A\x1b[2K the published criteria"
    assert main(["assess", "--title", fake, "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 1 and "\x1b" not in out  # the newline is folded, ESC shown
    assert "MEETS\\x1b[1A\\x1b[2K the published criteria" in out


def test_the_in_process_entry_refuses_dates_out_of_range_with_the_same_message() -> None:
    from skillcheck.errors import UserInputError
    from skillcheck.rules import assess

    with pytest.raises(UserInputError, match="application_date: 0001-01-01 is outside"):
        assess(_with("application_date", "0001-01-01"))
