"""The app in a real browser: ``streamlit run app.py`` driven by Playwright in Debian's Chromium.

Needs ``/usr/bin/chromium`` (``apt-get install -y chromium``); it never downloads a
browser. The server starts on a fresh, empty ``SKILLCHECK_HOME``, so the first page
load builds the store, as on a fresh clone. Screenshots go to
``artifacts/screenshots/``; the timings are printed (run with ``-s`` to see them),
never asserted; they are also written to ``artifacts/browser-timings.json``.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("SKILLCHECK_ARTIFACTS") or REPO / "artifacts") / "screenshots"
CHROMIUM = Path(os.environ.get("SKILLCHECK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT = 90.0  # seconds for the server to answer its health check
STEP_TIMEOUT_MS = 90_000  # for one answer (the first also builds the store)
QUESTIONS = [
    "What qualification do I need?",
    "How many hours a week must a job have to count?",
    "Which job titles are not suitable?",
    "Does employment before my qualification count?",
    "What documents do I need to provide?",
    "Can experience substitute for a qualification?",
]

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    url: str
    started: float  # time.perf_counter() when `streamlit run` was launched
    log: Path


def _wait_ready(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    pytest.fail(
        f"streamlit did not answer within {START_TIMEOUT:.0f} s:\n{log.read_text()[-3000:]}"
    )


def _require_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium); "
            "this test never downloads a browser"
        )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``streamlit run app.py`` on a free port with an empty store; stopped at the end."""
    _require_chromium()
    home = tmp_path_factory.mktemp("browser-home")
    log = home / "streamlit.log"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "CHROMA_HOST")}
    env.update(SKILLCHECK_HOME=str(home / "data"), SKILLCHECK_OFFLINE="true")
    started = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.headless",
                "true",
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(port),
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(proc, url, log)
        yield Server(url, started, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    _require_chromium()
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def _idle(page: Any) -> None:
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=STEP_TIMEOUT_MS
    )


def _open(browser: Any, server: Server, height: int = 1000) -> Any:
    page = browser.new_page(viewport={"width": 1400, "height": height})
    page.set_default_timeout(STEP_TIMEOUT_MS)
    page.goto(server.url)
    page.get_by_test_id("stChatInput").locator("textarea").wait_for()
    _idle(page)
    return page


def _ask(page: Any, question: str) -> float:
    """Ask in the chat; seconds until the answer's sources are on the page."""
    answers = page.locator('[data-testid="stChatMessage"] .sc-sources')
    before = answers.count()
    box = page.get_by_test_id("stChatInput").locator("textarea")
    box.fill(question)
    started = time.perf_counter()
    box.press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('[data-testid=\"stChatMessage\"] .sc-sources').length > n",
        arg=before,
    )
    elapsed = time.perf_counter() - started
    _idle(page)
    return elapsed


def _shot(target: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    target.screenshot(path=str(SHOTS / name))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def test_a_question_gets_an_answer_with_a_cited_source(browser: Any, server: Server) -> None:
    page = _open(browser, server)
    first = _ask(page, QUESTIONS[0])
    to_first_answer = time.perf_counter() - server.started
    answer = page.get_by_test_id("stChatMessage").last
    link = answer.locator("a.sc-cite").first
    assert link.is_visible()
    target = link.get_attribute("href")
    assert target and target.startswith("#src-")
    source = page.locator(target)
    assert source.is_visible()
    assert source.locator("mark").count() >= 1, "the cited sentence is highlighted"
    n = target.rsplit("-", 1)[1]
    assert source.inner_text().startswith(f"[{n}] ")  # numbered, then its title
    assert "section" in source.inner_text()
    link.click()
    _shot(answer, "01-answer-with-sources.png")
    latencies = [_ask(page, q) for q in QUESTIONS[1:]]
    _shot(page, "02-chat-viewport.png")
    timings = {
        "streamlit_run_to_first_answer_s": round(to_first_answer, 2),
        "first_question_latency_s": round(first, 2),
        "answer_latency_p50_s": round(statistics.median(latencies), 2),
        "answer_latency_p95_s": round(_percentile(latencies, 0.95), 2),
        "answer_latency_max_s": round(max(latencies), 2),
        "questions": len(latencies),
    }
    SHOTS.parent.mkdir(parents=True, exist_ok=True)
    (SHOTS.parent / "browser-timings.json").write_text(json.dumps(timings, indent=2) + "\n")
    print(
        f"\nstreamlit run -> first answer (empty store, built on first load): "
        f"{to_first_answer:.1f} s; answer latency over {len(latencies)} questions: "
        f"p50 {timings['answer_latency_p50_s']:.2f} s, p95 {timings['answer_latency_p95_s']:.2f} s"
    )


def _editor(page: Any) -> Any:
    return page.locator("#portal textarea, #portal input").first


def _type_first_cell(grid: Any, page: Any, value: str) -> None:
    """Type into row 0's first column of a data editor (a canvas grid), then Tab right.

    The grid takes a click only once it is ready and the pointer is over it, so the
    click is retried until Enter opens the cell's editor.
    """
    box = grid.bounding_box()
    x, y = box["x"] + 60, box["y"] + 35 + 17  # past the row marker, below the header
    for _ in range(6):
        page.mouse.move(x, y)
        page.wait_for_timeout(300)
        page.mouse.down()
        page.mouse.up()
        page.wait_for_timeout(200)
        page.keyboard.press("Enter")
        try:
            _editor(page).wait_for(timeout=2_000)
            break
        except Exception:
            continue
    _fill(page, value)


def _fill(page: Any, value: str) -> None:
    editor = _editor(page)
    try:
        editor.wait_for(timeout=10_000)
    except Exception:
        _shot(page, f"99-no-editor-for-{value[:12].replace(' ', '_')}.png")
        raise
    editor.fill(value)
    page.keyboard.press("Tab")
    page.wait_for_timeout(150)


def _type_cell(page: Any, value: str) -> None:
    """Open the selected cell's editor, set its value, and commit (Tab moves right)."""
    page.keyboard.press("Enter")
    _fill(page, value)


def _choose_cell(page: Any, label: str) -> None:
    """Open the selected select-box cell and pick an option by its label."""
    page.keyboard.press("Enter")
    page.locator("#portal").get_by_text(label, exact=True).click()
    page.wait_for_timeout(150)


def test_the_eligibility_form_gives_the_outcome_and_the_chart(browser: Any, server: Server) -> None:
    page = _open(browser, server, height=2600)  # tall enough for the whole result card
    # a second browser session: the first test's conversation is not here
    assert page.get_by_test_id("stChatMessage").count() == 0
    page.get_by_role("button", name="Check my eligibility").first.click()
    form = page.get_by_test_id("stForm")
    form.wait_for()
    _idle(page)
    grids = form.get_by_test_id("stDataFrameResizable")
    grids.nth(1).wait_for()
    quals, jobs = grids.nth(0), grids.nth(1)
    _type_first_cell(quals, page, "Diploma of Business")  # Tab: on to the level (diploma already)
    page.keyboard.press("ArrowRight")
    _type_cell(page, "Business Management")  # on to "highly relevant field?" (decide)
    page.keyboard.press("ArrowRight")
    _type_cell(page, "2018-06-30")
    _type_first_cell(jobs, page, "Customer Experience Manager")
    _type_cell(page, "2019-01-01")  # start; the end stays empty (still in this job)
    page.keyboard.press("ArrowRight")
    _type_cell(page, "38")  # on to "paid" (already ticked)
    page.keyboard.press("ArrowRight")
    _choose_cell(page, "highly relevant")
    form.get_by_text("My employers can give an organisational chart").click()
    _shot(form, "03-eligibility-form.png")
    form.get_by_role("button", name="Check eligibility").click()
    _idle(page)
    error = page.locator(".sc-form-error")
    assert error.count() == 0, error.first.inner_text() if error.count() else ""
    card = page.locator('[class*="st-key-card-"]').last
    card.wait_for()
    assert "Meets the published criteria" in card.inner_text()
    assert "through route 1" in card.inner_text()
    chart = card.get_by_test_id("stVegaLiteChart")
    chart.wait_for()
    chart.locator("canvas, svg").first.wait_for()
    assert chart.bounding_box()["height"] > 100
    _shot(card, "04-eligibility-result.png")
