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
from contextlib import contextmanager
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
    home: Path  # its SKILLCHECK_HOME (the store, the conversations, the feedback)
    proc: subprocess.Popen[bytes]  # the `streamlit run` process


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


@contextmanager
def streamlit_app(home: Path, **env_extra: str) -> Iterator[Server]:
    """``streamlit run app.py`` on a free port, its data under ``home``; stopped after.

    ``env_extra`` adds settings (a Chroma server, a collection prefix); no model key is
    passed on, and the app runs offline.
    """
    log = home / "streamlit.log"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "CHROMA_HOST")}
    env.update(SKILLCHECK_HOME=str(home / "data"), SKILLCHECK_OFFLINE="true", **env_extra)
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
        yield Server(url, started, log, home / "data", proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app on a free port with an empty store; stopped at the end."""
    _require_chromium()
    with streamlit_app(tmp_path_factory.mktemp("browser-home")) as app:
        yield app


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


def _open(
    browser: Any,
    server: Server,
    height: int = 1000,
    width: int = 1400,
    scheme: str = "light",
    path: str = "",
) -> Any:
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    page.goto(server.url + path)
    page.get_by_test_id("stChatInput").locator("textarea").wait_for()
    _idle(page)
    return page


def _ask(page: Any, question: str, sources: bool = True) -> float:
    """Ask in the chat; seconds until the answer's sources are on the page.

    Then wait for the turn to settle: the page is drawn again with the answer's copy
    button, thumbs and follow-ups (the turn ends with a rerun). With ``sources=False``
    (an answer that may cite nothing) only the settled turn is waited for.
    """
    sources_css = '[data-testid="stChatMessage"] .sc-sources'
    before = page.locator(sources_css).count()
    copies = page.locator(".sc-copy").count()
    box = page.get_by_test_id("stChatInput").locator("textarea")
    box.fill(question)
    started = time.perf_counter()
    box.press("Enter")
    if sources:
        page.wait_for_function(
            "([s, n]) => document.querySelectorAll(s).length > n", arg=[sources_css, before]
        )
    elapsed = time.perf_counter() - started
    page.wait_for_function("n => document.querySelectorAll('.sc-copy').length > n", arg=copies)
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


# --- contrast, measured on the computed styles of every text on the page -----------------

CONTRAST_JS = """
() => {
  function parse(c) {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) { return null; }
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }
  function over(top, bottom) {
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  }
  function background(el) {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) { break; } }
    }
    let bg = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) { bg = over(layers[i], bg); }
    return bg;
  }
  function opacity(el) {
    let o = 1;
    for (let e = el; e; e = e.parentElement) { o *= Number(getComputedStyle(e).opacity); }
    return o;
  }
  function lum(c) {
    const f = v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  }
  const out = [];
  const all = document.querySelectorAll('body *');
  for (const el of all) {
    const skip = 'svg, canvas, script, style, noscript, [inert], [data-testid="stVegaLiteChart"]';
    if (el.closest(skip)) {
      continue;
    }
    const own = Array.from(el.childNodes).filter(
      n => n.nodeType === 3 && n.textContent.trim().length > 0);
    if (!own.length) { continue; }
    const r = el.getBoundingClientRect();
    const st = getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || st.visibility === 'hidden' || st.display === 'none') {
      continue;
    }
    const bg = background(el);
    let fg = parse(st.color);
    if (!fg) { continue; }
    fg = [fg[0], fg[1], fg[2], fg[3] * opacity(el)];
    const text = over(fg, bg);
    const l1 = lum(text), l2 = lum(bg);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    out.push({ratio: Math.round(ratio * 100) / 100,
              text: own.map(n => n.textContent.trim()).join(' ').slice(0, 60),
              tag: el.tagName, cls: String(el.className).slice(0, 60),
              color: st.color, bg: 'rgb(' + bg.slice(0, 3).map(Math.round).join(',') + ')'});
  }
  return out;
}
"""
CONTRAST_MIN = 4.5


def _contrast(page: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.evaluate(CONTRAST_JS)
    return found


EXAMPLE_FILLED = (
    "() => Array.from(document.querySelectorAll('input'))"
    ".some(i => i.value === 'Customer Experience Manager')"
)


def _fill_example(page: Any) -> None:
    """Open the form in the chat and fill in the example."""
    page.get_by_role("button", name="Check my eligibility").first.click()
    _idle(page)
    page.get_by_role("button", name="Fill in an example").last.click()
    page.wait_for_function(EXAMPLE_FILLED)
    _idle(page)


def _check(page: Any) -> Any:
    """Press "Check eligibility"; the result card."""
    page.get_by_role("button", name="Check eligibility").last.click()
    _idle(page)
    card = page.locator('[class*="st-key-card-"]').last
    card.wait_for()
    return card


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_is_readable_in_light_and_dark(
    browser: Any, server: Server, scheme: str
) -> None:
    page = _open(browser, server, height=1400, scheme=scheme)
    theme = page.evaluate("document.documentElement.dataset.scTheme")
    assert theme == scheme, f"the app read the theme as {theme}"
    _ask(page, "Which job titles are not suitable?")
    for summary in page.locator("details.sc-uncited > summary").all():
        summary.click()  # the uncited passages' text is measured too
    page.get_by_test_id("stSidebar").get_by_text("About the sources").click()
    _fill_example(page)
    texts = _contrast(page)  # the form's inputs and labels
    _shot(page, f"05-{scheme}-form.png")
    _check(page)
    _verdict_in_view(page, 1400)
    _shot(page, f"05-{scheme}-verdict.png")
    texts += _contrast(page)  # the result card
    assert len(texts) > 50, "the measure found the page's texts"
    worst = sorted(texts, key=lambda t: t["ratio"])[:5]
    print(f"\n{scheme}: {len(texts)} texts, lowest contrast {worst[0]['ratio']}: {worst[0]}")
    SHOTS.parent.mkdir(parents=True, exist_ok=True)
    low = [t for t in texts if t["ratio"] < CONTRAST_MIN]
    (SHOTS.parent / f"contrast-{scheme}.json").write_text(
        json.dumps({"lowest": worst, "under": low}, indent=2) + "\n"
    )
    assert not low, f"{len(low)} texts under {CONTRAST_MIN}:1 in {scheme}: {low[:8]}"


def test_a_phone_wide_page_does_not_scroll_sideways(browser: Any, server: Server) -> None:
    page = _open(browser, server, width=390, height=844)
    _ask(page, "Am I eligible with a diploma and three years as a service manager?")
    page.get_by_role("button", name="Fill in an example").last.click()
    page.wait_for_function(EXAMPLE_FILLED)
    _idle(page)
    _shot(page, "06-phone-form.png")
    page.get_by_role("button", name="Check eligibility").last.click()
    _idle(page)
    card = page.locator('[class*="st-key-card-"]').last
    card.wait_for()
    _verdict_in_view(page, 844)
    _shot(page, "07-phone-verdict.png")
    wide = page.evaluate(
        """() => {
          const w = document.documentElement.clientWidth;
          const out = [];
          for (const el of document.querySelectorAll('[data-testid="stMain"] *')) {
            if (el.closest('[data-testid="stDataFrame"], [data-testid="stVegaLiteChart"], table')) {
              continue;
            }
            const r = el.getBoundingClientRect();
            if (r.width > 0 && r.right > w + 1) {
              out.push(el.tagName + '.' + String(el.className).slice(0, 40) + ' ' + r.right);
            }
          }
          return {scroll: document.scrollingElement.scrollWidth, width: w, wide: out.slice(0, 8)};
        }"""
    )
    assert wide["scroll"] <= wide["width"], wide
    assert not wide["wide"], wide


def test_a_reload_keeps_the_conversation(browser: Any, server: Server) -> None:
    page = _open(browser, server)
    _ask(page, "Does part-time work count?")
    assert "?c=" in page.url
    page.reload()
    page.get_by_test_id("stChatInput").locator("textarea").wait_for()
    _idle(page)
    messages = page.get_by_test_id("stChatMessage")
    messages.first.wait_for()
    assert "Does part-time work count?" in messages.first.inner_text()
    assert page.locator(".sc-sources").count() == 1
    _shot(page, "08-after-reload.png")


def test_feedback_is_stored_and_exported(browser: Any, server: Server) -> None:
    page = _open(browser, server)
    _ask(page, "What documents do I need to provide?")
    answer = page.get_by_test_id("stChatMessage").last
    answer.get_by_role("radio", name="Thumbs down").click()
    _idle(page)
    box = answer.get_by_label("Tell us more (optional)")
    box.fill("Please list the payslips first")
    answer.get_by_role("button", name="Send").click()
    _idle(page)
    answer.get_by_text("Your feedback is kept on this computer").wait_for()
    _shot(answer, "09-feedback.png")
    env = dict(os.environ, SKILLCHECK_HOME=str(server.home))
    out = subprocess.run(
        [sys.executable, "-m", "skillcheck", "feedback", "export"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
        check=True,
    ).stdout
    entries = [json.loads(line) for line in out.splitlines()]
    mine = [e for e in entries if e["question"] == "What documents do I need to provide?"]
    assert mine and mine[-1]["rating"] == "down"
    assert mine[-1]["comment"] == "Please list the payslips first"
    assert mine[-1]["sources"] and mine[-1]["answer"]


VERDICT_IN_VIEW = """h => {
  const el = document.querySelector('[id^="verdict-"]');
  if (!el) { return false; }
  const r = el.getBoundingClientRect();
  return r.top >= 0 && r.top < h - 120;
}"""


def _verdict_in_view(page: Any, height: int) -> None:
    """After a check the verdict comes into view and stays there (2 s running, 20 s at most).

    The page draws the card, then scrolls to the verdict once it has stopped growing; a
    single look could catch the moment before that, so the verdict must stay in view.
    """
    deadline = time.monotonic() + 20
    since: float | None = None
    while time.monotonic() < deadline:
        if page.evaluate(VERDICT_IN_VIEW, height):
            since = since or time.monotonic()
            if time.monotonic() - since >= 2:
                return
        else:
            since = None
        page.wait_for_timeout(250)
    _shot(page, "99-verdict-not-in-view.png")
    raise AssertionError("the verdict did not come into view and stay there within 20 s")


def _labelled(page: Any, label: str) -> Any:
    return page.get_by_label(label, exact=True).last


def _type_date(page: Any, label: str, value: str) -> None:
    """Type a date into a date input's segments (year, month, day), then leave it."""
    field = _labelled(page, label)
    field.get_by_role("spinbutton").first.click()
    page.keyboard.type(value.replace("-", ""))
    page.keyboard.press("Tab")
    _idle(page)


def test_the_form_is_filled_with_native_inputs_and_the_verdict_is_in_view(
    browser: Any, server: Server
) -> None:
    page = _open(browser, server, height=900)
    assert page.get_by_test_id("stChatMessage").count() == 0
    page.get_by_role("button", name="Check my eligibility").first.click()
    _idle(page)
    assert page.get_by_test_id("stDataFrameResizable").count() == 0  # no spreadsheet
    _labelled(page, "Qualification 1: title").fill("Diploma of Business")
    _labelled(page, "Qualification 1: field of study (major)").fill("Business Management")
    _type_date(page, "Qualification 1: completed on (empty if not completed)", "2018-06-30")
    _labelled(page, "Job 1: title").fill("Customer Experience Manager")
    _type_date(page, "Job 1: start date", "2019-01-01")
    hours = _labelled(page, "Job 1: hours per week")
    hours.fill("38")
    hours.press("Enter")
    _idle(page)
    _labelled(page, "Job 1: relevance to the occupation").click()
    page.get_by_role("option", name="highly relevant", exact=True).click()
    _idle(page)
    page.get_by_text("My employers can give an organisational chart").click()
    _idle(page)
    _shot(page, "03-eligibility-form.png")
    page.get_by_role("button", name="Check eligibility").last.click()
    _idle(page)
    error = page.locator(".sc-form-error")
    assert error.count() == 0, error.first.inner_text() if error.count() else ""
    card = page.locator('[class*="st-key-card-"]').last
    card.wait_for()
    assert "Meets the published criteria" in card.inner_text()
    _verdict_in_view(page, 900)
    _shot(page, "04-verdict-in-view.png")
    chart = card.get_by_test_id("stVegaLiteChart")
    chart.locator("canvas, svg").first.wait_for()
    assert chart.bounding_box()["height"] > 100
    _shot(card, "04-eligibility-result.png")
