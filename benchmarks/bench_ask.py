"""Benchmark of ``skillcheck ask`` on the bundled corpus: ingest, warm ask latency, cold start.

Run from the repository root:

    .venv/bin/python benchmarks/bench_ask.py

It prints numbers; its few asserts are sanity checks, not performance thresholds.
Everything is written under a temporary
``SKILLCHECK_HOME`` that is deleted at the end; the user's own store is never touched.

(a) ingest: ``run_ingest`` on 3 fresh homes (the embedding model is loaded once
    beforehand and its load time printed separately), median seconds.
(b) warm ask: the retriever is opened once; per eval question, the timed work is
    the assistant's whole offline turn (``Assistant.stream``), what ``skillcheck ask``
    does per question. 3 passes: pass 1 is "first-touch" (the sentence-vector cache is
    cold), p50/p95/max are over passes 2-3.
(c) cold start: ``python -m skillcheck ask "What hours count?"`` as a subprocess on
    the already-built store, 5 runs, median and max wall seconds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchstats import percentile  # noqa: E402  (benchmarks/ is the script's own folder)

INGEST_RUNS = 3
PASSES = 3
COLD_RUNS = 5
TOP_K = 4
COLD_QUESTION = "What hours count?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ingest-runs", type=int, default=INGEST_RUNS)
    parser.add_argument("--passes", type=int, default=PASSES)
    parser.add_argument("--cold-runs", type=int, default=COLD_RUNS)
    args = parser.parse_args(argv)
    if args.passes < 2:
        parser.error("--passes must be at least 2 (pass 1 is first-touch)")

    tmp = Path(tempfile.mkdtemp(prefix="skillcheck-bench-ask-"))
    home = tmp / "home"
    # Set before anything reads the settings; force the offline, local configuration.
    os.environ["SKILLCHECK_HOME"] = str(home)
    os.environ["SKILLCHECK_EMBEDDINGS"] = "local"
    os.environ["SKILLCHECK_OFFLINE"] = "1"
    os.environ.pop("CHROMA_HOST", None)
    os.environ.pop("SKILLCHECK_CHROMA_HOST", None)
    try:
        return _run(args, tmp, home)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _run(args: argparse.Namespace, tmp: Path, home: Path) -> int:
    from skillcheck.assistant import Assistant
    from skillcheck.config import Settings, get_settings
    from skillcheck.corpus import build_chunks
    from skillcheck.embeddings import get_embedder
    from skillcheck.evaluation import DEFAULT_QUESTIONS, load_questions
    from skillcheck.events import Done
    from skillcheck.indexing import run_ingest
    from skillcheck.retrieval import Retriever
    from skillcheck.store import Store, records_for

    get_settings.cache_clear()
    settings = get_settings()
    assert settings.home == home, settings.home
    chunks = build_chunks(settings.corpus_dir)
    n_records = len(records_for(chunks))
    questions = [q.question for q in load_questions(DEFAULT_QUESTIONS)]
    print(f"corpus: {len(chunks)} chunks, {n_records} records (chunks + units)")
    print(f"eval questions: {len(questions)}")
    print(f"python: {sys.version.split()[0]}, cpus: {os.cpu_count()}")

    # (a) ingest ---------------------------------------------------------------------------
    t0 = time.perf_counter()
    embedder = get_embedder(get_settings())
    load_s = time.perf_counter() - t0
    print(f"\n(a) embedding model load (once, excluded from ingest): {load_s:.2f} s")
    ingest_times = []
    for i in range(args.ingest_runs):
        run_home = tmp / f"ingest-{i}"
        run_settings = Settings(home=run_home)
        t0 = time.perf_counter()
        summary = run_ingest(run_settings, embedder=embedder, progress=False)
        dt = time.perf_counter() - t0
        assert summary.changed, "a fresh home must be built"
        ingest_times.append(dt)
        print(f"    ingest run {i + 1}: {dt:.2f} s ({summary.chunks} chunks)")
        shutil.rmtree(run_home, ignore_errors=True)
    ingest_median = statistics.median(ingest_times)
    print(f"    ingest median of {args.ingest_runs}: {ingest_median:.2f} s")

    # (b) warm ask -------------------------------------------------------------------------
    run_ingest(settings, embedder=embedder, progress=False)  # the store used by (b) and (c)
    t0 = time.perf_counter()
    retriever = Retriever(Store(settings), embedder)
    open_s = time.perf_counter() - t0
    print(f"\n(b) retriever open (store + model check + lexical index): {open_s * 1000:.0f} ms")
    assistant = Assistant(settings, retriever, offline=True)
    first_touch: list[float] = []
    warm: list[float] = []
    clear = getattr(embedder, "clear_query_cache", None)
    for p in range(args.passes):
        for q in questions:
            if clear is not None:
                clear()  # each question is embedded as if new (the cache would flatter it)
            t0 = time.perf_counter()
            done = list(assistant.stream(q, top_k=TOP_K))[-1]
            dt = (time.perf_counter() - t0) * 1000.0
            assert isinstance(done, Done) and done.answer, q
            (first_touch if p == 0 else warm).append(dt)
    ft_p50, ft_max = percentile(first_touch, 50), max(first_touch)
    w_p50, w_p95, w_max = percentile(warm, 50), percentile(warm, 95), max(warm)
    print(
        f"    first-touch pass: p50 {ft_p50:.1f} ms, max {ft_max:.1f} ms, "
        f"total {sum(first_touch) / 1000:.2f} s over {len(first_touch)} questions"
    )
    print(
        f"    warm passes 2-{args.passes} ({len(warm)} asks): "
        f"p50 {w_p50:.1f} ms, p95 {w_p95:.1f} ms, max {w_max:.1f} ms"
    )

    # (c) cold start -----------------------------------------------------------------------
    env = dict(os.environ)
    env.pop("OPENAI_API_KEY", None)
    env.pop("SKILLCHECK_OPENAI_API_KEY", None)
    cmd = [sys.executable, "-m", "skillcheck", "ask", COLD_QUESTION]
    cold: list[float] = []
    workdir = tmp / "cwd"  # no stray .env is read
    workdir.mkdir()
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    print(f"\n(c) cold start: {' '.join(cmd[1:])!s} (store already built)")
    for i in range(args.cold_runs):
        t0 = time.perf_counter()
        proc = subprocess.run(
            cmd, cwd=workdir, env=env, capture_output=True, text=True, timeout=300, check=False
        )
        dt = time.perf_counter() - t0
        if proc.returncode != 0 or "[1]" not in proc.stdout:
            print(proc.stdout, proc.stderr, sep="\n", file=sys.stderr)
            raise SystemExit(f"cold run {i + 1} failed with status {proc.returncode}")
        if "building it" in proc.stderr:
            raise SystemExit("cold run rebuilt the store: SKILLCHECK_HOME was not honoured")
        cold.append(dt)
        print(f"    run {i + 1}: {dt:.2f} s")
    cold_median, cold_max = statistics.median(cold), max(cold)
    print(f"    median {cold_median:.2f} s, max {cold_max:.2f} s")

    print("\n| measure | value |")
    print("|---|---|")
    print(
        f"| ingest ({len(chunks)} chunks, {n_records} records), median of "
        f"{args.ingest_runs} | {ingest_median:.2f} s |"
    )
    print(f"| embedding model load | {load_s:.2f} s |")
    print(f"| retriever open | {open_s * 1000:.0f} ms |")
    print(f"| ask first-touch p50 / max ({len(first_touch)} q) | {ft_p50:.1f} / {ft_max:.1f} ms |")
    print(
        f"| ask warm p50 / p95 / max ({len(warm)} asks) | "
        f"{w_p50:.1f} / {w_p95:.1f} / {w_max:.1f} ms |"
    )
    print(
        f"| cold `skillcheck ask` median / max ({args.cold_runs} runs) | "
        f"{cold_median:.2f} / {cold_max:.2f} s |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
