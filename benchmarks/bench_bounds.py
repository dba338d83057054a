"""Every turn is bounded: the time to the answer and what the user sees, per model fault.

Run from the repository root:

    .venv/bin/python benchmarks/bench_bounds.py [--home DIR] [--trickle-words N]
        [--huge-words N] [--only TEXT]

Each case runs one ``Assistant.stream`` turn through the real ``openai`` client
against the scripted stub (``tests/agent/stub.py``) on 127.0.0.1 and prints one
line: the case, the seconds until ``Done``, the mode (``llm`` or ``offline``), the
notices' kinds and the first words of what the user sees. Nothing is asserted: it
prints numbers. The turn deadline is 3 s (``SKILLCHECK_TURN_TIMEOUT``), the
per-read timeout 5 s, ``max_tokens`` 800 (settings the code at hand may not know:
``Settings`` ignores them then, which is how the "before" lines were taken).

A store is built under ``--home`` (default: a temporary directory) when it is
missing. Every case is bounded by its script; the trickle sends ``--trickle-words``
words 2 s apart (default 15, so 30 s with no deadline); the huge reply is
``--huge-words`` words (default 200,000, about 1 MB) sent whatever ``max_tokens`` says.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from skillcheck.assistant import Assistant  # noqa: E402
from skillcheck.config import Settings  # noqa: E402
from skillcheck.events import Done, Token  # noqa: E402
from skillcheck.retrieval import open_retriever  # noqa: E402
from tests.agent import stub  # noqa: E402

QUESTION = "How many hours a week must a job be to count?"


def cases(trickle_words: int, huge_words: int) -> list[tuple[str, list[stub.Step]]]:
    """The faults, each as the stub's script for one turn."""
    sentence = "A job counts when it is paid and 20 hours or more per week [1]."
    words = " ".join(["slowly"] * (trickle_words - 1)) + " [1]."
    search = stub.tool("search_sources", {"query": "hours per week"})
    return [
        ("normal answer", [stub.text(sentence)]),
        ("trickle 2 s/token", [stub.trickle(words, 2.0)]),
        (f"huge reply ({huge_words} words)", [stub.huge(huge_words)]),
        ("reply past max_tokens", [stub.text(" ".join(["word"] * 2000))]),
        ("truncated stream", [stub.faulty("truncated", sentence)]),
        ("malformed stream", [stub.faulty("malformed", sentence)]),
        ("HTML with status 200", [stub.faulty("html")]),
        ("empty answer", [stub.text("")]),
        ("six tool calls in a row", [search] * 6 + [stub.text(sentence)]),
    ]


def run_case(home: Path, script: list[stub.Step]) -> tuple[float, Done | None, str, str]:
    """Seconds to ``Done``, the ``Done``, the streamed text, and an error if it raised."""
    with stub.serve(*script) as server:
        values: dict[str, Any] = {
            "home": home,
            "openai_api_key": "sk-bench-not-a-key",
            "openai_base_url": server.base_url,
            "model": "stub-model",
            "llm_timeout": 5.0,
            "llm_max_retries": 0,
            "turn_timeout": 3.0,
            "max_tokens": 800,
        }
        settings = Settings(**values)
        assistant = Assistant(settings, open_retriever(settings, progress=False))
        start = time.perf_counter()
        done: Done | None = None
        shown = ""
        error = ""
        try:
            for event in assistant.stream(QUESTION):
                if isinstance(event, Token):
                    shown += event.text
                elif isinstance(event, Done):
                    done = event
        except Exception as exc:  # the "before" code may raise: that is a result too
            error = f"{type(exc).__name__}: {str(exc)[:80]}"
        return time.perf_counter() - start, done, shown, error


def describe(done: Done | None, shown: str, error: str) -> str:
    """What the user sees, in one line."""
    if done is None:
        return f"traceback ({error})"
    kinds = ",".join(n.kind for n in done.notices) or "-"
    fallback = next((n for n in done.notices if n.kind == "fallback"), None)
    answer = " ".join(done.answer.split())
    seen = f"{len(answer)} chars: {answer[:60]!r}" if answer else "EMPTY answer"
    streamed = f"; streamed {len(shown)} chars" if len(shown) != len(done.answer) else ""
    said = f"; notice: {fallback.text[:150]!r}" if fallback else ""
    return f"mode={done.mode} notices={kinds} {seen}{streamed}{said}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--trickle-words", type=int, default=15)
    parser.add_argument("--huge-words", type=int, default=200_000)
    parser.add_argument("--only", default="", help="run the cases whose name has this text")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="bench-bounds-"))
    open_retriever(Settings(home=home), say=lambda _m: None, progress=False)
    for name, script in cases(args.trickle_words, args.huge_words):
        if args.only not in name:
            continue
        seconds, done, shown, error = run_case(home, script)
        print(f"{name:26} {seconds:6.2f} s  {describe(done, shown, error)}", flush=True)


if __name__ == "__main__":
    main()
