"""Latency of ``assess`` (in process) for a 3-qualification, 20-job profile, and CLI cold start.

Run from the repository root: ``python benchmarks/bench_assess.py [runs]``. Prints p50/p95.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchstats import percentile  # noqa: E402  (benchmarks/ is the script's own folder)

from skillcheck.rules import assess  # noqa: E402

TITLES = ["Customer Service Manager", "Call Centre Manager", "Team Leader", "Service Manager"]


def profile() -> dict[str, Any]:
    """3 qualifications, 20 jobs over 15 years, mixed relevance, some overlaps, one ongoing."""
    start = date(2011, 1, 1)
    jobs = []
    for i in range(20):
        begin = start + timedelta(days=i * 290)
        jobs.append(
            {
                "title": TITLES[i % len(TITLES)],
                "start": begin.isoformat(),
                "end": None if i == 19 else (begin + timedelta(days=320)).isoformat(),
                "hours_per_week": 15 if i % 7 == 3 else 38,
                "paid": True,
                "relevance": [None, "highly_relevant", "relevant", "highly_relevant"][i % 4],
                "tasks": ["managing, motivating and developing staff providing customer services"]
                if i % 4 == 0
                else [],
            }
        )
    return {
        "application_date": "2026-11-22",
        "qualifications": [
            {"level": "bachelor", "field": "History", "completed": "2010-12-01"},
            {"level": "diploma", "field": "Business Management", "completed": "2026-05-01"},
            {"level": "certificate_iv", "field": "Customer Service", "completed": "2009-06-30"},
        ],
        "employment": jobs,
    }


def no_profile() -> dict[str, Any]:
    """The same shape answered "no", so next steps search for the earliest dates."""
    data = profile()
    data["qualifications"] = [{"level": "bachelor", "field": "History", "completed": "2026-06-01"}]
    for job in data["employment"][:-1]:
        job.update(relevance="relevant", tasks=[])
    data["employment"][-1]["start"] = "2026-01-01"
    return data


def time_assess(data: dict[str, Any], runs: int, label: str) -> None:
    result = assess(data)  # warms the rules cache
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        assess(data)
        times.append((time.perf_counter() - t0) * 1000)
    print(f"{label}: outcome {result.outcome}, pathway {result.pathway}")
    print(
        f"  assess in process, {runs} runs: p50 {statistics.median(times):.3f} ms, "
        f"p95 {percentile(times, 95):.3f} ms, max {max(times):.3f} ms"
    )


def main(runs: int = 2000) -> None:
    data = profile()
    time_assess(data, runs, "3 qualifications, 20 jobs")
    time_assess(no_profile(), runs, "1 qualification, 20 jobs, answered no (earliest-date search)")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(data, fh)
    cold = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "skillcheck", "assess", fh.name],
            cwd=REPO,
            check=True,
            capture_output=True,
        )
        cold.append((time.perf_counter() - t0) * 1000)
    Path(fh.name).unlink()
    print(
        f"CLI cold start (python -m skillcheck assess FILE), 5 runs: "
        f"median {statistics.median(cold):.0f} ms, min {min(cold):.0f} ms, "
        f"max {max(cold):.0f} ms"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
