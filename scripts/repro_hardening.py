"""Reproduce the reliability issue's cases against a source tree: one line per case.

    .venv/bin/python scripts/repro_hardening.py --tree PATH [--only WORD]

Each case runs the real ``skillcheck`` command of the tree at PATH (its package put
first on ``PYTHONPATH``, this checkout's virtual environment), against a scripted
OpenAI-compatible server on 127.0.0.1 where a model is needed, and prints the exit
code, the seconds taken and the start of what the user saw. Run it with the tree as
it was and as it is for the before/after lines of the closing note. Every case is
bounded in time (a turn is killed after ``--limit`` seconds).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEY = "sk-repro-" + "k3y" * 8
Reply = Callable[[BaseHTTPRequestHandler, int], None]


def _chunk(delta: dict[str, object], finish: str | None = None) -> bytes:
    event = {
        "id": "chatcmpl-repro",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "repro",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(event)}\n\n".encode()


def _start(h: BaseHTTPRequestHandler, ctype: str = "text/event-stream") -> None:
    h.send_response(200)
    h.send_header("Content-Type", ctype)
    h.end_headers()


def streamed(pieces: list[str], finish: str | None = "stop", gap: float = 0.0) -> Reply:
    """A reply streamed as ``pieces`` (one chunk each); ``finish`` None cuts it off."""

    def reply(h: BaseHTTPRequestHandler, _n: int) -> None:
        _start(h)
        h.wfile.write(_chunk({"role": "assistant", "content": ""}))
        for piece in pieces:
            h.wfile.write(_chunk({"content": piece}))
            h.wfile.flush()
            if gap:
                time.sleep(gap)
        if finish is not None:
            h.wfile.write(_chunk({}, finish))
            h.wfile.write(b"data: [DONE]\n\n")
        h.wfile.flush()

    return reply


def html(h: BaseHTTPRequestHandler, _n: int) -> None:
    _start(h, "text/html")
    h.wfile.write(b"<html><body><h1>Welcome to nginx!</h1></body></html>")


def tool_loop(h: BaseHTTPRequestHandler, n: int) -> None:
    _start(h)
    call = {
        "index": 0,
        "id": f"call{n:05d}x",
        "type": "function",
        "function": {"name": "search_sources", "arguments": json.dumps({"query": f"hours {n}"})},
    }
    h.wfile.write(_chunk({"role": "assistant", "content": None, "tool_calls": [call]}))
    h.wfile.write(_chunk({}, "tool_calls"))
    h.wfile.write(b"data: [DONE]\n\n")


@dataclass
class Server:
    replies: list[Reply]
    base_url: str = ""
    requests: list[dict[str, object]] = field(default_factory=list)


@contextmanager
def serve(*replies: Reply, repeat_last: bool = True) -> Iterator[Server]:
    state = Server(list(replies))

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            state.requests.append(body)
            n = len(state.requests)
            if n > len(state.replies) and not repeat_last:
                self.send_error(500)
                return
            reply = state.replies[min(n, len(state.replies)) - 1]
            try:
                reply(self, n)
            except (BrokenPipeError, ConnectionResetError):
                return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def run(
    tree: Path,
    home: Path,
    args: list[str],
    env: dict[str, str] | None = None,
    *,
    limit: float,
    stdin: bytes | None = None,
) -> tuple[int | str, float, str]:
    """Run ``skillcheck ARGS`` of ``tree``; (exit code or "killed", seconds, output)."""
    full = dict(os.environ, PYTHONPATH=str(tree), SKILLCHECK_HOME=str(home), NO_COLOR="1")
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "CHROMA_HOST", "CHROMA_PORT"):
        full.pop(name, None)
    full.update(env or {})
    entry = "skillcheck.cli.main" if (tree / "skillcheck" / "cli").is_dir() else "skillcheck.cli"
    cmd = [sys.executable, "-c", f"import sys; from {entry} import main; sys.exit(main())", *args]
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, env=full, cwd=home, input=stdin, capture_output=True, timeout=limit
        )
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"") + (exc.stderr or b"")
        return "killed", time.perf_counter() - started, out.decode("utf-8", "replace")
    out = proc.stdout + proc.stderr
    return proc.returncode, time.perf_counter() - started, out.decode("utf-8", "replace")


def _shown(out: str, width: int = 150) -> str:
    lines = [ln for ln in out.splitlines() if ln.strip() and not ln.startswith("ingest")]
    text = " / ".join(lines)
    return (text[:width] + "...") if len(text) > width else text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=ROOT)
    parser.add_argument("--only", default="")
    parser.add_argument("--limit", type=float, default=60.0, help="seconds per case")
    a = parser.parse_args()
    tree = a.tree.resolve()
    home = Path(tempfile.mkdtemp(prefix="skillcheck-repro-"))
    run(tree, home, ["ingest"], limit=300)  # the store, once
    system = (tree / "prompts" / "system.txt").read_text(encoding="utf-8")
    q = "What is the employment requirement?"
    cases: list[tuple[str, list[Reply], list[str], dict[str, str], bytes | None]] = []
    for sentence in (
        "Once again, you meet the criteria. You have met all the criteria and will receive a "
        "positive skills assessment [1].",
        "Your qualifications and experience satisfy the requirements.",
        "Yes. Eligible via route 1.",
        "To conclude: you meet the published criteria.",
    ):
        words = sentence.split(" ")
        pieces = [w if i == 0 else " " + w for i, w in enumerate(words)]
        cases.append((f"outcome, no check run: {sentence[:40]}", [streamed(pieces)], [q], {}, None))
    body = system.split("\n", 1)[1] if system.startswith("version:") else system
    echo = body.strip()[:400]
    cases.append(
        (
            "system prompt echoed",
            [streamed([echo[i : i + 9] for i in range(0, len(echo), 9)])],
            [q],
            {},
            None,
        )
    )
    split = [f"The key is {KEY[:10]}", f"{KEY[10:]} [1]."]
    cases.append(("key split across two chunks", [streamed(split)], [q], {}, None))
    cases.append(("trickle: a token every 2 s", [streamed([" word"] * 40, gap=2.0)], [q], {}, None))
    huge = ["lorem ipsum dolor sit amet " * 40] * 6000  # about 6.5 MB
    cases.append(("huge reply (6.5 MB)", [streamed(huge)], [q], {}, None))
    cases.append(
        (
            "truncated stream (no finish, no [DONE])",
            [streamed(["A job counts when it is", " 20 hours"], finish=None)],
            [q],
            {},
            None,
        )
    )
    cases.append(("HTML with status 200", [html], [q], {}, None))
    cases.append(("tool loop (search_sources again and again)", [tool_loop], [q], {}, None))
    cases.append(("non-UTF-8 question", [], ["ask", "--offline"], {}, None))
    for setting in ("CHROMA_PORT=abc", "SKILLCHECK_TOP_K=0", "SKILLCHECK_LLM_TIMEOUT=-1"):
        name, value = setting.split("=")
        cases.append(
            (f"bad setting {setting}, ask", [], ["ask", "--offline", q], {name: value}, None)
        )
        cases.append(
            (
                f"bad setting {setting}, assess --title",
                [],
                ["assess", "--title", "Customer Service Manager"],
                {name: value},
                None,
            )
        )
    cases.append(
        (
            "CHROMA_PORT=tcp://127.0.0.1:1 (a Kubernetes service)",
            [],
            ["ask", "--offline", q],
            {"CHROMA_PORT": "tcp://127.0.0.1:1"},
            None,
        )
    )
    print("| case | exit | s | what the user sees |\n| --- | --- | --- | --- |")
    for name, replies, args, env, _stdin in cases:
        if a.only.lower() not in name.lower():
            continue
        if name == "non-UTF-8 question":
            args = ["ask", "--offline", os.fsdecode(b"caf\xe9")]
        if replies:
            with serve(*replies) as server:
                model_env = {
                    "OPENAI_API_KEY": KEY,
                    "OPENAI_BASE_URL": server.base_url,
                    "SKILLCHECK_TURN_TIMEOUT": "20",  # a tree without the setting ignores it
                    **env,
                }
                code, secs, out = run(tree, home, ["ask", *args], model_env, limit=a.limit)
                extra = f" ({len(server.requests)} requests)"
        else:
            code, secs, out = run(tree, home, args, env, limit=a.limit)
            extra = ""
        seen = _shown(out).replace("|", "\\|")
        if KEY in out or KEY[10:] in out:
            seen = "KEY SHOWN: " + seen
        print(f"| {name} | {code} | {secs:.1f}{extra} | {seen} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
