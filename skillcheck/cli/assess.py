"""``skillcheck assess``: read a profile (file or stdin), print the answer as JSON or text.

Every input mistake is a :class:`~skillcheck.errors.UserInputError` naming the field;
the CLI prints it as one line on stderr and exits 2, writing nothing on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from skillcheck.cli.text import check_utf8
from skillcheck.errors import UserInputError

MAX_TITLE = 200  # as a job title in a profile (models.Title)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise UserInputError(f"{key}: given twice")
        out[key] = value
    return out


def _reject_constant(name: str) -> None:
    raise UserInputError(f"input: {name} is not a number")


def read_profile(source: str | None) -> Any:
    """The parsed JSON of a file path or '-' (stdin)."""
    if source is None:
        raise UserInputError("file: give a JSON file, or '-' to read stdin")
    if source == "-":
        try:
            text = sys.stdin.read()
        except UnicodeDecodeError:
            raise UserInputError("input: stdin is not UTF-8 text") from None
        check_utf8(text, "input")
        where = "stdin"
    else:
        path = Path(source)
        if path.is_dir():
            raise UserInputError(f"file: {source} is a directory")
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UserInputError(f"file: {source} does not exist") from None
        except UnicodeDecodeError:
            raise UserInputError(f"file: {source} is not UTF-8 text") from None
        except OSError as exc:
            raise UserInputError(f"file: cannot read {source} ({exc.strerror})") from None
        where = source
    if not text.strip():
        raise UserInputError(f"input: {where} is empty")
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise UserInputError(
            f"input: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    except RecursionError:
        raise UserInputError("input: JSON nested too deeply to be a profile") from None


def _check_arguments(args: argparse.Namespace) -> str | None:
    """The title to look up, if any; a clash of arguments raises UserInputError."""
    title: str | None = getattr(args, "title", None)
    schema = bool(getattr(args, "schema", False))
    given = getattr(args, "file", None)
    if schema and title is not None:
        raise UserInputError("--schema: cannot be combined with --title")
    if schema and given is not None:
        raise UserInputError(f"--schema: cannot be combined with a profile file ({given!r})")
    if title is None:
        return None
    if given is not None:
        raise UserInputError(f"--title: cannot be combined with a profile file ({given!r})")
    if not title.strip():
        raise UserInputError("--title: give a job title (it is empty)")
    check_utf8(title, "--title")
    if len(title) > MAX_TITLE:
        raise UserInputError(f"--title: too long ({len(title)} characters; at most {MAX_TITLE})")
    return title


def run_assess(args: argparse.Namespace) -> int:
    """Run ``skillcheck assess``; returns the exit status."""
    from skillcheck.rules import assess, input_schema, lookup_title
    from skillcheck.rules.report import one_line

    title = _check_arguments(args)
    if getattr(args, "schema", False):
        sys.stdout.write(json.dumps(input_schema(), indent=2) + "\n")
        return 0
    if title is not None:
        match = lookup_title(title)
        if args.format in ("text", "markdown"):
            sys.stdout.write(one_line(match.message) + "\n")
        else:
            sys.stdout.write(match.model_dump_json(indent=2) + "\n")
        return 0
    result = assess(read_profile(args.file))
    if args.format in ("text", "markdown"):
        from skillcheck.rules.report import to_markdown, to_text

        sys.stdout.write(to_text(result) if args.format == "text" else to_markdown(result))
    else:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    return 0
