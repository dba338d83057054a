"""Streamlit rendering of the chat: a turn as it streams, and every message from history.

A turn is rendered twice: live while its events arrive (:func:`stream_turn`), and
from its stored message on every later run (:func:`render_message`). Both use the
same HTML builders (:mod:`skillcheck.ui.html`), so what streamed is what stays.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

import streamlit as st

from skillcheck.events import EligibilityRun, Event
from skillcheck.passages import Passage
from skillcheck.ui import html as h
from skillcheck.ui.session import Step, TurnRecord

RenderEligibility = Callable[[EligibilityRun, str], None]

CURSOR = " ▌"
_REFRESH_SECONDS = 0.04


def inject_css() -> None:
    """The app's styles and its theme and copy script (take no space on the page)."""
    try:
        theme_type = st.context.theme.type
    except Exception:
        theme_type = None
    st.html(h.css(theme_type))
    st.html(h.THEME_JS, unsafe_allow_javascript=True)


#: Brings an element into view once the page has stopped growing, and keeps it there for
#: 3 s (until the user scrolls, touches or types). Streamlit's chat view sticks to the
#: bottom while content grows, so scrolling before then would be undone; a scroll that
#: lands elsewhere once the page is still releases it.
_SCROLL_JS = """<script>/* %(nonce)s */(function () {
  var sel = %(target)s, start = Date.now(), user = false, height = -1, still = Date.now();
  var done = 0, me = {};
  window.__scScroll = me;
  function mine(e) { if (e.isTrusted) { user = true; } }
  var events = ['wheel', 'touchstart', 'keydown', 'mousedown'];
  events.forEach(function (e) { window.addEventListener(e, mine, {capture: true}); });
  function size() {
    var m = document.querySelector('[data-testid="stMain"]');
    return (m ? m.scrollHeight : 0) + document.body.scrollHeight;
  }
  var t = setInterval(function () {
    var el = document.querySelector(sel), now = Date.now(), h = size();
    if (h !== height) { height = h; still = now; }
    var ready = el && (now - still > 800 || now - start > 8000);
    if (ready && !user) {
      var off = Math.abs(el.getBoundingClientRect().top - 70) > 8;
      if (off) { el.scrollIntoView({block: 'start'}); }
      if (!done) { done = now; }
    }
    if (user || window.__scScroll !== me || (done && now - done > 3000) || now - start > 15000) {
      clearInterval(t);
      events.forEach(function (e) { window.removeEventListener(e, mine, {capture: true}); });
    }
  }, 100);
})();</script>"""


def scroll_to(selector: str, nonce: str) -> None:
    """Bring the element ``selector`` into view once it is drawn (the newest turn, a verdict)."""
    st.html(scroll_script(selector, nonce), unsafe_allow_javascript=True)


def scroll_script(selector: str, nonce: str) -> str:
    """The script that brings ``selector`` into view (the nonce makes each one new)."""
    target = json.dumps(selector).replace("<", "\\u003c")  # no "</script>" inside the script
    return _SCROLL_JS % {"nonce": h.esc(nonce).replace("*/", "* /"), "target": target}


def _steps(steps: list[Step]) -> None:
    for step in steps:
        with st.status(step.label, state="error" if step.error else "complete", expanded=False):
            _step_body(step)


def _step_body(step: Step) -> None:
    shown = {k: v for k, v in step.args.items() if k in ("query", "title")}
    if shown:
        st.html(h.list_html(f"{k}: {v}" for k, v in shown.items()))
    if step.error:
        st.html(h.error_html(step.error))


def with_page_details(passages: list[Passage]) -> list[Passage]:
    """The passages with their page's link and capture date from the manifest, where missing.

    A store built before the manifest had ``url`` (or one whose chunks do not carry the
    capture date) still gets both on its source cards.
    """
    from skillcheck.config import get_settings
    from skillcheck.ui.sidebar import source_pages

    pages = {s.id: s for s in source_pages(get_settings().corpus_dir)}
    out = []
    for p in passages:
        page = pages.get(p.source)
        if page is not None:
            captured = page.captured.isoformat() if page.captured else None
            p = replace(p, url=p.url or page.url, captured=p.captured or captured)
        out.append(p)
    return out


def _answer_body(record: TurnRecord) -> None:
    text = h.strip_sources_block(record.text)
    if record.error:
        st.html(h.error_html(record.error))
    if text:
        st.html(
            f'<div id="turn-{record.id}" class="sc-turn">'
            + h.answer_html(text, record.passages, record.id)
            + "</div>"
        )
    if record.notices:
        st.html(h.notices_html(record.notices))
    if record.passages:
        st.html(h.sources_html(with_page_details(record.passages), text, record.id))


def render_message(
    message: dict[str, Any],
    render_eligibility: RenderEligibility,
    extras: Callable[[TurnRecord], None] | None = None,
) -> None:
    """One stored message, as it was when its turn ended; ``extras`` draws copy, feedback..."""
    with st.chat_message(message["role"]):
        if message["role"] == "user":
            st.html(h.anchor_div("turn", message.get("id", "")))
            st.html(h.user_html(message.get("content", "")))
            return
        if message.get("kind") != "text":  # an eligibility form's result, kept as JSON
            render_eligibility(EligibilityRun.from_json(message["eligibility"]), message["id"])
            return
        record = TurnRecord.from_message(message)
        _steps(record.steps)
        _answer_body(record)
        if record.eligibility is not None:
            render_eligibility(record.eligibility, record.id)
        if extras is not None:
            extras(record)


def stream_turn(events: Iterable[Event], render_eligibility: RenderEligibility) -> TurnRecord:
    """Show a turn while it streams (tool steps, then the answer) and return its record."""
    record = TurnRecord()
    with st.chat_message("assistant"):
        steps_box = st.container()
        answer_box = st.empty()
        statuses: list[Any] = []
        closed: set[int] = set()
        last = 0.0
        for event in events:
            before, had_text = len(record.steps), bool(record.text)
            record.apply(event)
            if had_text and not record.text:  # a fallback: the model's text goes at once
                answer_box.empty()
            for step in record.steps[before:]:
                with steps_box:
                    statuses.append(st.status(step.label + "...", state="running"))
            for i, (status, step) in enumerate(zip(statuses, record.steps, strict=False)):
                if step.done and i not in closed:
                    with status:
                        _step_body(step)
                    status.update(label=step.label, state="error" if step.error else "complete")
                    closed.add(i)
            now = time.monotonic()
            if record.text and not record.done and now - last > _REFRESH_SECONDS:
                shown = h.strip_sources_block(record.text) + CURSOR
                answer_box.html(h.answer_html(shown, record.passages, record.id))
                last = now
        with answer_box.container():
            _answer_body(record)
        if record.eligibility is not None:
            render_eligibility(record.eligibility, record.id)
    return record
