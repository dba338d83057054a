"""Load test: many sessions asking at once, against a real ``chroma run`` and the local store.

Run from the repository root (loopback only; nothing leaves 127.0.0.1):

    .venv/bin/python benchmarks/bench_load.py --sessions 16 --questions 20 --mode both

A session is what a running instance does for one visitor: a long-lived retriever and
assistant on the offline default (no API key), asked one question after another with
its conversation kept, as ``skillcheck chat`` and the app do. Sessions run as threads
inside worker processes (``--processes``, 4 by default, each with its share of the
sessions): as in the app, where one process serves every visitor's session from one
cached retriever and assistant, and several app processes share one store. Each worker
opens its retriever and answers one warm-up question (as the app's background start
does), says it is ready, and all sessions start together; the questions (varied,
from the eval and answer sets in ``skillcheck/data/eval/``, a different slice per
session) are then asked back to back.

Per mode the store is built first into a temporary folder: ``server`` starts its own
``chroma run`` on a free 127.0.0.1 port with a temporary ``--path`` and ingests into
it; ``local`` ingests into a temporary ``SKILLCHECK_HOME``. It prints one table row per
mode: throughput (answered questions per second of wall time from the common start
to the last answer), p50/p95/max latency of a turn, errors (an exception, an empty
answer, a question not asked before the deadline or a worker that died: all count),
and peak RSS per process (each worker; the server's too). The whole run is bounded
by ``--deadline`` seconds; the server and every worker are stopped in a ``finally``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
for _path in (REPO, Path(__file__).resolve().parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from benchstats import cpu_seconds, peak_rss_mb, percentile  # noqa: E402  (benchmarks/ is the script's own folder)

WARM_QUESTION = "What qualification do I need?"
HISTORY_TURNS = 10  # turns a session keeps, as `skillcheck chat` does
EVAL_FILES = (
    "questions.yaml",
    "heldout.yaml",
    "heldout2.yaml",
    "answers.yaml",
    "answers_heldout.yaml",
    "answers_tuning2.yaml",
    "answers_blind.yaml",
    "answers_blind2.yaml",
)


# --- the worker: one process, several session threads -------------------------------------
def _session(
    assistant: Any, questions: list[str], deadline: float, out: dict[str, list[Any]]
) -> None:
    """One visitor: the questions in turn, the conversation kept; latencies and errors."""
    from skillcheck.events import Done
    from skillcheck.history import Message

    history: list[Message] = []
    for question in questions:
        if time.time() > deadline:
            out["errors"].append(f"not asked before the deadline: {question[:60]}")
            continue
        started = time.perf_counter()
        try:
            done = None
            for event in assistant.stream(question, history):
                if isinstance(event, Done):
                    done = event
        except Exception as exc:
            out["errors"].append(f"{type(exc).__name__}: {exc}"[:300])
            continue
        elapsed = (time.perf_counter() - started) * 1000.0
        if done is None or not done.answer.strip():
            out["errors"].append(f"empty answer: {question[:60]}")
            continue
        out["latencies"].append(elapsed)
        history += [Message("user", question), Message("assistant", done.answer)]
        del history[: -2 * HISTORY_TURNS]


def worker(sessions_file: Path, deadline: float) -> int:
    """Open, warm, say READY, wait for GO on stdin, run the sessions; print one JSON line."""
    from skillcheck.assistant import Assistant
    from skillcheck.config import get_settings
    from skillcheck.retrieval import open_retriever

    sessions: list[list[str]] = json.loads(sessions_file.read_text("utf-8"))
    settings = get_settings()
    assistant = Assistant(settings, open_retriever(settings, build=False))
    if assistant.mode != "offline":
        raise SystemExit("the load test runs on the offline default: unset OPENAI_API_KEY")
    for _ in assistant.stream(WARM_QUESTION, []):
        pass
    print("READY", flush=True)
    if sys.stdin.readline().strip() != "GO":
        return 1
    outs: list[dict[str, list[Any]]] = [{"latencies": [], "errors": []} for _ in sessions]
    threads = [
        threading.Thread(target=_session, args=(assistant, qs, deadline, out), daemon=True)
        for qs, out in zip(sessions, outs, strict=True)
    ]
    started, cpu = time.time(), cpu_seconds()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.time()) + 5)
    ended = time.time()
    stuck = sum(thread.is_alive() for thread in threads)
    result = {
        "started": started,
        "ended": ended,
        "latencies": [ms for out in outs for ms in out["latencies"]],
        "errors": [e for out in outs for e in out["errors"]]
        + [f"a session still running at the deadline ({stuck})"] * stuck,
        "peak_rss_mb": peak_rss_mb(),
        "cpu_s": cpu_seconds() - cpu,
    }
    print(json.dumps(result), flush=True)
    os._exit(0)  # a stuck session thread must not hold the process


# --- the driver ---------------------------------------------------------------------------
def question_pool() -> list[str]:
    """Every distinct question of the eval and answer sets, in a fixed shuffled order."""
    import yaml

    from skillcheck.paths import EVAL_DIR

    seen: dict[str, None] = {}
    for name in EVAL_FILES:
        data = yaml.safe_load((EVAL_DIR / name).read_text("utf-8"))
        for item in data["questions"]:
            seen.setdefault(" ".join(str(item["question"]).split()), None)
    pool = list(seen)
    random.Random(15).shuffle(pool)
    return pool


def split_sessions(pool: list[str], sessions: int, questions: int, processes: int) -> list[Any]:
    """Per process, its sessions' question lists (session i takes the i-th slice of the pool)."""
    per_session = [
        [pool[(i * questions + j) % len(pool)] for j in range(questions)] for i in range(sessions)
    ]
    return [per_session[p::processes] for p in range(processes)]


def _env(home: Path, server: Any | None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("OPENAI_API_KEY", "SKILLCHECK_OPENAI_API_KEY", "OPENAI_BASE_URL")
        and not k.startswith("CHROMA_")
        and not k.startswith("SKILLCHECK_")
    }
    env["SKILLCHECK_HOME"] = str(home)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    if server is not None:
        env.update(CHROMA_HOST=server.host, CHROMA_PORT=str(server.port))
    return env


def _remaining(deadline: float) -> float:
    left = deadline - time.time()
    if left <= 0:
        raise TimeoutError("the global deadline passed")
    return left


def _ingest(env: dict[str, str], cwd: Path, deadline: float) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "skillcheck", "ingest", "--quiet"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=_remaining(deadline),
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"ingest failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return time.perf_counter() - started


def run_mode(
    mode: str, args: argparse.Namespace, pool: list[str], tmp: Path, deadline: float
) -> dict[str, Any]:
    """One mode's run: build the store, start the workers, gather their results."""
    from tests.chroma_run import chroma_run  # the tests' own server start

    work = tmp / mode
    work.mkdir()
    plan = split_sessions(pool, args.sessions, args.questions, args.processes)
    with ExitStack() as stack:
        server = stack.enter_context(chroma_run(work / "chroma")) if mode == "server" else None
        env = _env(work / "home", server)
        ingest_s = _ingest(env, work, deadline)
        procs: list[subprocess.Popen[str]] = []
        stack.callback(_stop_all, procs)
        for p, sessions in enumerate(plan):
            sessions_file = work / f"sessions-{p}.json"
            sessions_file.write_text(json.dumps(sessions), "utf-8")
            log = stack.enter_context((work / f"worker-{p}.log").open("w"))
            procs.append(
                subprocess.Popen(
                    [sys.executable, __file__, "--worker", str(sessions_file),
                     "--worker-deadline", str(deadline)],
                    cwd=work, env=env, text=True, stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE, stderr=log,
                )
            )  # fmt: skip
        opened = time.perf_counter()
        for p, proc in enumerate(procs):
            _expect_ready(proc, work / f"worker-{p}.log", deadline)
        ready_s = time.perf_counter() - opened
        server_cpu = cpu_seconds(server.pid) if server is not None else 0.0
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("GO\n")
            proc.stdin.flush()
        results = [_result(proc, deadline) for proc in procs]
        server_rss = peak_rss_mb(server.pid) if server is not None else None
        if server is not None:
            server_cpu = cpu_seconds(server.pid) - server_cpu
    return _summary(mode, args, results, ingest_s, ready_s, server_rss, server_cpu)


def _expect_ready(proc: subprocess.Popen[str], log: Path, deadline: float) -> None:
    assert proc.stdout is not None
    box: list[str] = []
    stdout = proc.stdout
    reader = threading.Thread(target=lambda: box.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(_remaining(deadline))
    if not box or box[0].strip() != "READY":
        tail = log.read_text()[-1500:] if log.is_file() else ""
        raise RuntimeError(f"a worker did not start (status {proc.poll()}): {tail}")


def _result(proc: subprocess.Popen[str], deadline: float) -> dict[str, Any] | None:
    """A worker's JSON result, or None if it died or overran the deadline."""
    try:
        out, _ = proc.communicate(timeout=max(0.0, deadline - time.time()) + 15)
    except subprocess.TimeoutExpired:
        return None
    lines = [line for line in out.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if proc.returncode == 0 and lines else None


def _stop_all(procs: list[subprocess.Popen[str]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)


def _summary(
    mode: str,
    args: argparse.Namespace,
    results: list[dict[str, Any] | None],
    ingest_s: float,
    ready_s: float,
    server_rss: float | None,
    server_cpu: float,
) -> dict[str, Any]:
    done = [r for r in results if r is not None]
    latencies = [ms for r in done for ms in r["latencies"]]
    errors = [e for r in done for e in r["errors"]]
    per_process = [len(s) for s in split_sessions([""], args.sessions, 1, args.processes)]
    lost = sum(n * args.questions for n, r in zip(per_process, results, strict=True) if r is None)
    wall = max((r["ended"] for r in done), default=0.0) - min(
        (r["started"] for r in done), default=0.0
    )
    return {
        "mode": "chroma run" if mode == "server" else "local store",
        "shape": f"{args.processes} x {args.sessions // args.processes}"
        + (f"-{-(-args.sessions // args.processes)}" if args.sessions % args.processes else ""),
        "asked": args.sessions * args.questions,
        "answered": len(latencies),
        "wall": wall,
        "qps": len(latencies) / wall if wall > 0 else 0.0,
        "cpu_ms": 1000.0 * (sum(r["cpu_s"] for r in done) + server_cpu) / max(1, len(latencies)),
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "max": max(latencies, default=float("nan")),
        "errors": len(errors) + lost,
        "error_samples": errors[:5] + ([f"{lost} questions of dead workers"] if lost else []),
        "rss": sorted(r["peak_rss_mb"] for r in done),
        "server_rss": server_rss,
        "ingest_s": ingest_s,
        "ready_s": ready_s,
    }


def print_table(rows: list[dict[str, Any]]) -> None:
    print(
        "\n| store | processes x sessions | questions | wall s | questions/s "
        "| p50 / p95 / max ms | CPU ms per question | errors | peak RSS per worker MB "
        "| chroma run peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        rss = r["rss"]
        workers = f"{rss[0]:.0f}-{rss[-1]:.0f}" if rss else "-"
        server = f"{r['server_rss']:.0f}" if r["server_rss"] is not None else "-"
        print(
            f"| {r['mode']} | {r['shape']} | {r['answered']} of {r['asked']} | {r['wall']:.1f} "
            f"| {r['qps']:.1f} | {r['p50']:.0f} / {r['p95']:.0f} / {r['max']:.0f} "
            f"| {r['cpu_ms']:.0f} | {r['errors']} | {workers} | {server} |"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sessions", type=int, default=16, choices=range(1, 65), metavar="1-64")
    parser.add_argument("--questions", type=int, default=20, choices=range(1, 201), metavar="1-200")
    parser.add_argument("--processes", type=int, default=4, choices=range(1, 33), metavar="1-32")
    parser.add_argument("--mode", choices=("local", "server", "both"), default="both")
    parser.add_argument(
        "--deadline", type=float, default=900.0, help="seconds for the whole run (default 900)"
    )
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--worker-deadline", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker is not None:
        return worker(args.worker, float(args.worker_deadline))
    if args.processes > args.sessions:
        parser.error("--processes must not exceed --sessions")
    if not 10 <= args.deadline <= 3600:
        parser.error("--deadline must be 10-3600 seconds")

    deadline = time.time() + args.deadline
    pool = question_pool()
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{args.sessions} sessions x {args.questions} questions in {args.processes} processes; "
        f"{len(pool)} distinct questions; {os.cpu_count()} cpus, load {load}"
    )
    modes = ("local", "server") if args.mode == "both" else (args.mode,)
    tmp = Path(tempfile.mkdtemp(prefix="skillcheck-bench-load-"))
    rows = []
    try:
        for mode in modes:
            try:
                row = run_mode(mode, args, pool, tmp, deadline)
            except (RuntimeError, TimeoutError, subprocess.TimeoutExpired) as exc:
                print(f"bench_load: {mode}: {exc}", file=sys.stderr)
                return 1
            print(
                f"{row['mode']}: ingest {row['ingest_s']:.1f} s, workers opened and warmed in "
                f"{row['ready_s']:.1f} s, {row['answered']} answered, {row['errors']} errors"
                + "".join(f"\n    {e}" for e in row["error_samples"])
            )
            rows.append(row)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print_table(rows)
    return 1 if any(r["errors"] for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
