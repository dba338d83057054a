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

The stream has OpenAI's own shape: the first chunk carries the role (and a tool
call's id and name with empty arguments, ``content: null``), the arguments follow in
fragments, every chunk has ``usage: null`` when usage was asked for, and a last chunk
with no choices carries the usage. Every request is validated as a server would (the
roles, each tool message answering an assistant tool call, the tools' schema shape):
a bad one gets a 400 naming what is wrong. ``persona`` adds a real server's quirks
(:data:`PERSONAS`); ``serve`` uses :data:`DEFAULT_PERSONA` unless told.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

USAGE = {"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150}

#: What each persona emulates. The first four accept our requests; the last two are
#: servers started without the flags tools need.
PERSONAS = {
    "openai": "OpenAI: fragments of arguments, ids call_<24>, content null accepted",
    "ollama": "Ollama: whole tool calls in one chunk, 400 'invalid tool call arguments' "
    "when a request repeats arguments that are not JSON, reads max_tokens only",
    "vllm": "vLLM with a Mistral template: tool-call ids must be 9 letters or digits, "
    "400 on invalid arguments, reads max_tokens",
    "llamacpp": "llama.cpp --jinja: 400 on an assistant message whose content is null",
    "vllm-no-tools": "vLLM without --enable-auto-tool-choice --tool-call-parser: 400 on tools",
    "llamacpp-no-jinja": "llama.cpp without --jinja: 400 'tools param requires --jinja flag'",
}
WORKING_PERSONAS = ("openai", "ollama", "vllm", "llamacpp")
DEFAULT_PERSONA = "openai"
VLLM_NO_TOOLS = (
    '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set'
)


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


def error_event(content: str = "A job counts when it is paid") -> Step:
    """A stream that sends some text, then an SSE error event (as servers do mid-stream)."""
    return Step(text=content, fault="error_event")


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
    persona: str = "openai"
    model_name: str = "stub-model"
    context: int = 8192  # the context llama.cpp's /v1/models reports (meta.n_ctx)
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


def _is_json_object(text: Any) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except (TypeError, ValueError):
        return False


def validate(body: dict[str, Any], persona: str) -> str | None:
    """What a server would reject in ``body`` (one line), or None when it is accepted."""
    tools = body.get("tools")
    if tools and persona == "vllm-no-tools":
        return VLLM_NO_TOOLS
    if tools and persona == "llamacpp-no-jinja":
        return "tools param requires --jinja flag"
    for tool in tools or []:
        fn = tool.get("function") or {}
        params = fn.get("parameters") or {}
        if tool.get("type") != "function" or not fn.get("name") or params.get("type") != "object":
            return f"invalid tool definition: {json.dumps(tool)[:80]}"
    open_calls: set[str] = set()
    messages = body.get("messages") or []
    if not messages:
        return "messages: empty"
    for n, message in enumerate(messages):
        role = message.get("role")
        if role not in ("system", "developer", "user", "assistant", "tool"):
            return f"messages[{n}].role: {role!r} is not a role"
        if role != "tool" and open_calls:
            return f"messages[{n}]: tool calls {sorted(open_calls)} have no tool message"
        content = message.get("content")
        if role == "assistant":
            if content is None and persona == "llamacpp":
                return "Expected 'content' to be a string or an array"
            for call in message.get("tool_calls") or []:
                call_id = str(call.get("id"))
                if persona == "vllm" and not re.fullmatch(r"[a-zA-Z0-9]{9}", call_id):
                    return "Tool call IDs should be alphanumeric strings with length 9!"
                if persona in ("ollama", "vllm") and not _is_json_object(
                    (call.get("function") or {}).get("arguments")
                ):
                    return "invalid tool call arguments"
                open_calls.add(call_id)
        elif role == "tool":
            call_id = message.get("tool_call_id")
            if call_id not in open_calls:
                return f"messages[{n}]: tool message for unknown call {call_id!r}"
            open_calls.discard(call_id)
        if content is None and role != "assistant":
            return f"messages[{n}].content: missing"
    return None


def _handler(stub: Stub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def do_GET(self) -> None:
            if self.path != "/v1/models":
                self._send_json(404, {"error": {"message": "not found"}}, {})
                return
            model: dict[str, Any] = {"id": stub.model_name, "object": "model"}
            if stub.persona.startswith("llamacpp"):  # llama-server's shape (server-context.cpp)
                model.update(
                    aliases=[], tags=[], created=0, owned_by="llamacpp",
                    meta={"vocab_type": 1, "n_vocab": 262144, "n_ctx": stub.context,
                          "n_ctx_train": 32768, "n_params": 268098176},
                )  # fmt: skip
            self._send_json(200, {"object": "list", "data": [model]}, {})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            step = stub.next_step(body, {k.lower(): v for k, v in self.headers.items()})
            if self.path != "/v1/chat/completions":
                step = status(404, "not found")
            elif (problem := validate(body, stub.persona)) is not None:
                step = status(400, problem)
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

        def _call_id(self) -> str:
            n = len(stub.requests)
            if stub.persona == "vllm":
                return f"{n:09d}"
            return f"call_{n:024d}"

        def _tool_calls(self, step: Step) -> list[dict[str, Any]]:
            assert step.tool is not None
            name, raw = step.tool
            fn = {"name": name, "arguments": raw}
            return [{"index": 0, "id": self._call_id(), "type": "function", "function": fn}]

        def _tool_call_chunks(self, step: Step) -> list[dict[str, Any]]:
            """OpenAI's shape: id and name first, then the arguments in fragments."""
            assert step.tool is not None
            name, raw = step.tool
            if stub.persona == "ollama":  # Ollama sends each call whole, in one chunk
                return [_chunk({"content": "", "tool_calls": self._tool_calls(step)})]
            head = {"index": 0, "id": self._call_id(), "type": "function"}
            first = {**head, "function": {"name": name, "arguments": ""}}
            out = [_chunk({"role": "assistant", "content": None, "tool_calls": [first]})]
            for i in range(0, len(raw), 8):
                piece = {"index": 0, "function": {"arguments": raw[i : i + 8]}}
                out.append(_chunk({"tool_calls": [piece]}))
            return out

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
            events: list[Any] = []
            if step.text or not step.tool:
                events.append(_chunk({"role": "assistant", "content": ""}))
            words = step.text.split(" ") if step.text else []
            limit = body.get("max_tokens")
            if stub.persona == "openai":
                limit = limit or body.get("max_completion_tokens")
            finish = "tool_calls" if step.tool else "stop"
            if limit and not step.ignore_max_tokens and len(words) > int(limit):
                words, finish = words[: int(limit)], "length"
            events += [_chunk({"content": w if i == 0 else " " + w}) for i, w in enumerate(words)]
            if step.tool:
                events += self._tool_call_chunks(step)
            if step.fault == "error_event":
                events.append({"error": {"message": "scripted mid-stream error", "code": 500}})
            if step.fault == "malformed":
                events.insert(len(events) // 2 + 1, "{not json")
            if step.fault not in ("truncated", "error_event"):
                events.append(_chunk({}, step.finish or finish))
            if (body.get("stream_options") or {}).get("include_usage"):
                events = [
                    {**e, "usage": None} if isinstance(e, dict) and "choices" in e else e
                    for e in events
                ]
                events.append({**_chunk({}), "choices": [], "usage": USAGE})
            for n, event in enumerate(events):
                if stub.stopped.is_set():
                    return
                if step.trickle and n > 1:
                    time.sleep(step.trickle)
                data = event if isinstance(event, str) else json.dumps(event)
                self.wfile.write(f"data: {data}\n\n".encode())
                self.wfile.flush()
            if step.fault in ("truncated", "error_event"):
                return  # the connection closes with no finish_reason and no [DONE]
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

    return Handler


@contextmanager
def serve(*script: Step, persona: str | None = None) -> Iterator[Stub]:
    """Run the stub for the ``with`` block; yields it with ``base_url`` set."""
    stub = Stub(list(script), persona=persona or DEFAULT_PERSONA)
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
