"""An OpenAI-compatible chat completions server on 127.0.0.1, scripted per test.

Each request to ``/v1/chat/completions`` takes the next step of the script: a text
answer, a tool call, an HTTP error, a stall (to make the client time out), or a
faulty stream: a token every few seconds (``trickle``), a stream cut off before its
``finish_reason`` (``truncated``), a line that is not JSON (``malformed``), an HTML
page with status 200 (``html``), or a reply that ignores ``max_tokens`` (``huge``).
A well-behaved step honours ``max_tokens`` (one word, one token) and ends with
``finish_reason: "length"`` when it is reached. The answer is streamed as
server-sent events when the request asks for ``stream``. Every request is recorded;
a request past the end of the script gets a 500, so no test can loop on the server.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

USAGE = {"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150}


@dataclass
class Step:
    """One scripted reply."""

    text: str = ""
    tool: tuple[str, str] | None = None  # (name, raw JSON arguments)
    status: int = 200
    stall: float = 0.0
    error_message: str = "scripted error"
    trickle: float = 0.0  # seconds between streamed words
    fault: str = ""  # "", "truncated", "malformed", "html"
    ignore_max_tokens: bool = False
    finish: str | None = None  # a finish_reason to send instead of the natural one


def text(content: str) -> Step:
    return Step(text=content)


def tool(name: str, arguments: dict[str, Any] | str) -> Step:
    raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return Step(tool=(name, raw))


def status(code: int, message: str = "scripted error") -> Step:
    return Step(status=code, error_message=message)


def stall(seconds: float) -> Step:
    return Step(text="too late", stall=seconds)


def trickle(content: str, every: float) -> Step:
    """``content`` streamed one word every ``every`` seconds."""
    return Step(text=content, trickle=every)


def faulty(kind: str, content: str = "A job counts when it is paid [1].") -> Step:
    """A stream that is ``truncated``, ``malformed``, or an ``html`` page with status 200."""
    return Step(text=content, fault=kind)


def huge(words: int) -> Step:
    """A reply of ``words`` words that ignores ``max_tokens``, as a misbehaving server would."""
    return Step(text=" ".join(["word"] * words), ignore_max_tokens=True)


@dataclass
class Stub:
    """The server's script and what it received."""

    script: list[Step]
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    base_url: str = ""
    stopped: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def next_step(self, body: dict[str, Any], headers: dict[str, str]) -> Step:
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
            n = len(self.requests)
        if n > len(self.script):
            return status(500, f"script exhausted after {len(self.script)} steps")
        return self.script[n - 1]


def _chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "stub-model",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _handler(stub: Stub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            step = stub.next_step(body, {k.lower(): v for k, v in self.headers.items()})
            if not self.path.endswith("/chat/completions"):
                step = status(404, "not found")
            try:
                if step.stall:
                    time.sleep(step.stall)
                if step.fault == "html":
                    self._html()
                elif step.status != 200:
                    self._error(step)
                elif body.get("stream"):
                    self._stream(step, body)
                else:
                    self._complete(step)
            except (BrokenPipeError, ConnectionResetError):
                return

        def _send_json(self, code: int, payload: dict[str, Any], extra: dict[str, str]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in extra.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def _error(self, step: Step) -> None:
            payload = {"error": {"message": step.error_message, "type": "stub", "code": None}}
            self._send_json(step.status, payload, {"retry-after-ms": "5"})

        def _html(self) -> None:
            data = b"<!doctype html><html><body><h1>Welcome</h1></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _tool_calls(self, step: Step) -> list[dict[str, Any]]:
            assert step.tool is not None
            name, raw = step.tool
            fn = {"name": name, "arguments": raw}
            return [
                {"index": 0, "id": f"call_{len(stub.requests)}", "type": "function", "function": fn}
            ]

        def _complete(self, step: Step) -> None:
            message: dict[str, Any] = {"role": "assistant", "content": step.text or None}
            finish = "stop"
            if step.tool:
                calls = self._tool_calls(step)
                for c in calls:
                    c.pop("index")
                message["tool_calls"] = calls
                finish = "tool_calls"
            payload = {
                "id": "chatcmpl-stub",
                "object": "chat.completion",
                "created": 0,
                "model": "stub-model",
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": USAGE,
            }
            self._send_json(200, payload, {})

        def _stream(self, step: Step, body: dict[str, Any]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            events: list[Any] = [_chunk({"role": "assistant", "content": ""})]
            words = step.text.split(" ") if step.text else []
            limit = body.get("max_tokens") or body.get("max_completion_tokens")
            finish = "tool_calls" if step.tool else "stop"
            if limit and not step.ignore_max_tokens and len(words) > int(limit):
                words, finish = words[: int(limit)], "length"
            events += [_chunk({"content": w if i == 0 else " " + w}) for i, w in enumerate(words)]
            if step.tool:
                events.append(_chunk({"tool_calls": self._tool_calls(step)}))
            if step.fault == "malformed":
                events.insert(len(events) // 2 + 1, "{not json")
            if step.fault != "truncated":
                events.append(_chunk({}, step.finish or finish))
            if (body.get("stream_options") or {}).get("include_usage"):
                events.append({**_chunk({}), "choices": [], "usage": USAGE})
            for n, event in enumerate(events):
                if stub.stopped.is_set():
                    return
                if step.trickle and n > 1:
                    time.sleep(step.trickle)
                data = event if isinstance(event, str) else json.dumps(event)
                self.wfile.write(f"data: {data}\n\n".encode())
                self.wfile.flush()
            if step.fault == "truncated":
                return  # the connection closes with no finish_reason and no [DONE]
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

    return Handler


@contextmanager
def serve(*script: Step) -> Iterator[Stub]:
    """Run the stub for the ``with`` block; yields it with ``base_url`` set."""
    stub = Stub(list(script))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    stub.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield stub
    finally:
        stub.stopped.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
