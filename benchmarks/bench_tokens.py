"""Tokens of a typical first and second model request: does the prompt fit a small context?

Run from the repository root:

    .venv/bin/python benchmarks/bench_tokens.py [--home DIR]

Two turns go through the real ``openai`` client to the scripted stub
(``tests/agent/stub.py``) on 127.0.0.1, which records each request body:

- a plain question ("How many hours a week must a job be to count?"): its one request;
- an eligibility question whose model calls ``assess_eligibility`` once: the first
  request, and the second one (which carries the engine's result).

Each body is counted in tokens of ``o200k_base`` (gpt-4o-mini's encoding): the
messages' text and tool calls, plus the tool definitions, plus 4 tokens a message
(the chat format's overhead, approximately). The counter is ``bpe_openai`` (its
tables are built in, so it works offline) or ``tiktoken`` when its BPE file can be
loaded; else 1 token per 4 characters, and the line says which. It prints numbers;
nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from skillcheck.assistant import Assistant  # noqa: E402
from skillcheck.config import Settings  # noqa: E402
from skillcheck.retrieval import open_retriever  # noqa: E402
from tests.agent import stub  # noqa: E402

FACTS = {
    "qualifications": [
        {"title": "Diploma of Business", "level": "diploma", "field": "Business Management", "completed": "2018-06-30"}  # noqa: E501
    ],
    "employment": [
        {"title": "Customer Experience Manager", "start": "2019-01-01", "end": None, "hours_per_week": 38, "paid": True}  # noqa: E501
    ],
}  # fmt: skip


def counter() -> tuple[str, Callable[[str], int]]:
    """The token counter available offline, and its name."""
    try:
        import bpe_openai

        enc = bpe_openai.get_encoding("o200k_base")
        return "o200k_base (bpe_openai)", lambda text: len(enc.encode(text))
    except Exception:
        pass
    try:
        import tiktoken

        tik = tiktoken.get_encoding("o200k_base")
        return "o200k_base (tiktoken)", lambda text: len(tik.encode(text))
    except Exception:
        return "estimate: 1 token per 4 characters", lambda text: (len(text) + 3) // 4


def count(body: dict[str, Any], tokens: Callable[[str], int]) -> tuple[int, int, int]:
    """(message tokens, tool-definition tokens, characters) of one request body."""
    total = 0
    chars = 0
    for message in body.get("messages", []):
        text = str(message.get("content") or "")
        calls = json.dumps(message["tool_calls"]) if message.get("tool_calls") else ""
        total += 4 + tokens(text) + (tokens(calls) if calls else 0)
        chars += len(text) + len(calls)
    tools = json.dumps(body.get("tools") or [])
    return total, tokens(tools), chars + len(tools)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=None)
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="bench-tokens-"))
    open_retriever(Settings(home=home), say=lambda _m: None, progress=False)
    name, tokens = counter()
    print(f"counter: {name}")
    turns = [
        (
            "plain question",
            "How many hours a week must a job be to count?",
            [stub.text("Yes [1].")],
        ),
        (
            "eligibility question",
            "Am I eligible? Diploma of Business 2018, Customer Experience Manager since 2019.",
            [stub.tool("assess_eligibility", FACTS), stub.text("The check has run [1].")],
        ),
    ]
    for label, question, script in turns:
        with stub.serve(*script) as server:
            values: dict[str, Any] = {
                "home": home,
                "openai_api_key": "sk-bench-not-a-key",
                "openai_base_url": server.base_url,
                "model": "stub-model",
                "llm_max_retries": 0,
            }
            settings = Settings(**values)
            for _ in Assistant(settings, open_retriever(settings, progress=False)).stream(question):
                pass
        for n, body in enumerate(server.requests, 1):
            msgs, tools, chars = count(body, tokens)
            print(
                f"{label:21} request {n}: {msgs + tools:5} tokens "
                f"({msgs} messages + {tools} tool definitions), {chars} characters",
                flush=True,
            )


if __name__ == "__main__":
    main()
