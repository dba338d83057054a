"""Time from ``streamlit run app.py`` to the first answer on a fresh store, in headless Chromium.

Each run starts the app on a new, empty ``SKILLCHECK_HOME`` (as on a fresh clone: the
store is built on the first page load), opens the page in Debian's Chromium, asks one
question as soon as the chat box is there, and stops the clock when the answer's
sources are on the page. Prints each run's split (server up, page usable, answer) and
the median. Loopback only; every wait is bounded.

    .venv/bin/python benchmarks/bench_app_start.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("SKILLCHECK_CHROMIUM", "/usr/bin/chromium")
QUESTION = "What qualification do I need?"
TIMEOUT_S = 120.0


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def one_run(browser: object, repo: Path = REPO) -> dict[str, float]:
    """One fresh start; seconds from launch to: health check, chat box, first answer."""
    port = _port()
    with tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "CHROMA_HOST")}
        env.update(SKILLCHECK_HOME=str(Path(home) / "data"), SKILLCHECK_OFFLINE="true")
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.port", str(port)],
            cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + TIMEOUT_S
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                        break
                except OSError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise RuntimeError("streamlit did not start") from None
                    time.sleep(0.05)
            up = time.perf_counter() - started
            page = browser.new_page()  # type: ignore[attr-defined]
            page.set_default_timeout(TIMEOUT_S * 1000)
            page.goto(url)
            box = page.get_by_test_id("stChatInput").locator("textarea")
            box.wait_for()
            usable = time.perf_counter() - started
            box.fill(QUESTION)
            box.press("Enter")
            page.locator('[data-testid="stChatMessage"] .sc-sources').first.wait_for()
            answered = time.perf_counter() - started
            page.close()
            return {"server_up": up, "page_usable": usable, "first_answer": answered}
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def main() -> int:
    """Run, print each run and the median."""
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3, choices=range(1, 11))
    parser.add_argument(
        "--repo", type=Path, default=REPO, help="another checkout's app.py (a before/after)"
    )
    args = parser.parse_args()
    runs = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            for i in range(args.runs):
                r = one_run(browser, args.repo)
                runs.append(r)
                print(
                    f"run {i + 1}: server up {r['server_up']:.1f} s, page usable "
                    f"{r['page_usable']:.1f} s, first answer {r['first_answer']:.1f} s"
                )
        finally:
            browser.close()
    median = statistics.median(r["first_answer"] for r in runs)
    usable = statistics.median(r["page_usable"] for r in runs)
    print(f"median of {len(runs)}: page usable {usable:.1f} s, first answer {median:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
