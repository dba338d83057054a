"""The ``skillcheck`` command line: parses arguments and hands each command to its module.

Every error a user can cause is a :class:`~skillcheck.errors.SkillcheckError`, printed
as one line on stderr with exit status 2; nothing here prints a traceback for them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from skillcheck import __version__
from skillcheck.errors import SkillcheckError

Command = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line and exit 2 (no usage dump)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(2)


def _cmd_assess(args: argparse.Namespace) -> int:
    from skillcheck.rules.cli import run_assess

    return run_assess(args)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = _Parser(prog="skillcheck", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--version", action="version", version=f"skillcheck {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("assess", help="check a profile against the 149212 criteria (JSON in, JSON out)")
    p.add_argument("file", nargs="?", help="the profile as JSON; '-' reads stdin")
    p.add_argument("--format", choices=["json", "text"], default="json")
    p.add_argument("--schema", action="store_true", help="print the input JSON Schema and exit")
    p.add_argument("--title", help="look up a job title (suitable, unsuitable, not listed) and exit")
    p.set_defaults(func=_cmd_assess)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Command = args.func
    try:
        return func(args)
    except SkillcheckError as exc:
        sys.stderr.write(f"skillcheck: error: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("skillcheck: interrupted\n")
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
