"""A real ``chroma run`` server on 127.0.0.1, for the tests and the benchmarks.

:func:`chroma_run` starts one on a free loopback port with its data in a given folder,
waits (bounded) for its heartbeat, and stops it when the ``with`` block ends, however
it ends. The ``chroma_server`` test fixture and ``benchmarks/bench_load.py`` use it.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
START_TIMEOUT = 60.0  # seconds for a new server to answer its heartbeat


@dataclass(frozen=True)
class ChromaServer:
    """A running server: where it listens and its process id (for its memory)."""

    host: str
    port: int
    pid: int


def free_port() -> int:
    """A TCP port nothing listens on at 127.0.0.1 just now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_heartbeat(
    port: int, deadline: float, proc: subprocess.Popen[bytes] | None = None
) -> None:
    """Wait until the server on ``port`` answers, or fail at ``deadline`` (monotonic)."""
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"chroma run exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/api/v2/heartbeat", timeout=1):
                return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"chroma server on {HOST}:{port} did not answer in time")


@contextmanager
def chroma_run(data: Path, timeout: float = START_TIMEOUT) -> Iterator[ChromaServer]:
    """``chroma run --path data`` on a free 127.0.0.1 port; terminated (then killed) after."""
    port = free_port()
    chroma = Path(sys.executable).with_name("chroma")
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(data), "--host", HOST, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_heartbeat(port, time.monotonic() + timeout, proc)
        yield ChromaServer(HOST, port, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
