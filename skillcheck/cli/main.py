"""The ``skillcheck`` command line: parses arguments and hands each command to its module.

Every error a user can cause is a :class:`~skillcheck.errors.SkillcheckError`, printed
as one line on stderr with exit status 2; nothing here prints a traceback for them.
"""

from __future__ import annotations

import argparse
import logging
import os
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


def _cmd_ingest(args: argparse.Namespace) -> int:
    from skillcheck.config import get_settings
    from skillcheck.indexing import run_ingest

    summary = run_ingest(get_settings(), force=args.force, progress=not args.quiet)
    print(summary.line())
    return 0


def _cmd_ask(args: argparse.Namespace) -> int:
    from skillcheck.cli.ask import run_ask

    return run_ask(args)


def _cmd_chat(args: argparse.Namespace) -> int:
    from skillcheck.cli.chat import run_chat

    return run_chat(args)


def _cmd_eval(args: argparse.Namespace) -> int:
    from skillcheck.evaluation import run_eval

    return run_eval(args)


def _cmd_doctor(args: argparse.Namespace) -> int:
    from skillcheck.cli.doctor import run_doctor

    return run_doctor(args)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 50:
        raise argparse.ArgumentTypeError(f"{value} is out of range (1 to 50)")
    return value


def _cmd_assess(args: argparse.Namespace) -> int:
    from skillcheck.cli.assess import run_assess

    status: int = run_assess(args)
    return status


def _cmd_feedback(args: argparse.Namespace) -> int:
    from skillcheck.cli.feedback import run_feedback

    return run_feedback(args)


def _cmd_clean_orphans(args: argparse.Namespace) -> int:
    from skillcheck.cli.admin import run_clean_orphans

    return run_clean_orphans(args)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = _Parser(prog="skillcheck", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--version", action="version", version=f"skillcheck {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("ingest", help="build the vector store from corpus/ (idempotent, atomic)")
    p.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_ingest)

    p = sub.add_parser("ask", help="ask a question; answered with citations to the sources")
    p.add_argument("question", nargs="?", help="the question; omitted: one per line on stdin")
    p.add_argument("--json", action="store_true", help="print JSON (one object per line)")
    p.add_argument("--offline", action="store_true", help="never call a language model")
    p.add_argument("--top-k", type=_positive_int, default=None, metavar="N", help="passages (1-50)")
    p.set_defaults(func=_cmd_ask)

    p = sub.add_parser("chat", help="a conversation in the terminal (/clear, /quit)")
    p.add_argument("--offline", action="store_true", help="never call a language model")
    p.set_defaults(func=_cmd_chat)

    p = sub.add_parser("eval", help="retrieval recall@1/@4 and MRR: dense, BM25 and hybrid")
    p.add_argument(
        "--questions",
        default=None,
        help="a question set: a YAML file, or a packaged set (questions, heldout)",
    )
    p.add_argument("--min-recall", type=float, default=0.95, help="hybrid recall@4 floor")
    p.add_argument(
        "--answers",
        nargs="?",
        const="answers",
        default=None,
        metavar="SET",
        help="score the offline answers instead: a packaged set (answers, answers_blind) or a file",
    )
    p.add_argument("--min-answered", type=float, default=0.0, help="fully-answered floor")
    p.add_argument("--verbose", action="store_true", help="with --answers: a row per question")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_eval)

    p = sub.add_parser(
        "doctor", help="check the configured model server; each failure with its fix"
    )
    p.set_defaults(func=_cmd_doctor)

    p = sub.add_parser(
        "assess", help="check a profile against the 149212 criteria (JSON in, JSON out)"
    )
    p.add_argument("file", nargs="?", help="the profile as JSON; '-' reads stdin")
    p.add_argument(
        "--format",
        choices=["json", "text", "markdown"],
        default="json",
        help="json (the result), text (a report for the terminal) or markdown (the same report)",
    )
    p.add_argument("--schema", action="store_true", help="print the input JSON Schema and exit")
    p.add_argument("--title", help="look up a job title (suitable, unsuitable, not listed)")
    p.set_defaults(func=_cmd_assess)

    p = sub.add_parser("feedback", help="the app's answer feedback (thumbs, comments)")
    fsub = p.add_subparsers(dest="action", required=True, parser_class=_Parser)
    e = fsub.add_parser("export", help="every rated answer with its turn, as JSON lines")
    e.add_argument("--output", "-o", default=None, metavar="FILE", help="a file ('-': stdout)")
    e.add_argument("--rating", choices=["up", "down"], default=None, help="only this rating")
    e.set_defaults(func=_cmd_feedback)

    p = sub.add_parser("admin", help="operators' tasks on the host of a Chroma server")
    asub = p.add_subparsers(dest="action", required=True, parser_class=_Parser)
    c = asub.add_parser(
        "clean-orphans",
        help="remove the segment directories of dropped builds (safe while the server runs)",
    )
    c.add_argument("--path", required=True, help="the Chroma data directory (chroma run --path)")
    c.add_argument("--dry-run", action="store_true", help="list what would go; remove nothing")
    c.set_defaults(func=_cmd_clean_orphans)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    # What our modules log (a model failure, say) is told to the user as a notice; without
    # a handler, Python would also print it, mid-answer, on stderr.
    logging.getLogger("skillcheck").addHandler(logging.NullHandler())
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Command = args.func
    try:
        return func(args)
    except SkillcheckError as exc:
        sys.stderr.write(f"skillcheck: error: {exc}\n")
        return exc.exit_code
    except BrokenPipeError:  # `skillcheck ask ... | head`: the reader left; not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        sys.stderr.write("skillcheck: interrupted\n")
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
