"""Streamlit rendering of the chat: a turn as it streams, and every message from history.

A turn is rendered twice: live while its events arrive (:func:`stream_turn`), and
from its stored message on every later run (:func:`render_message`). Both use the
same HTML builders (:mod:`skillcheck.ui.html`), so what streamed is what stays.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

import streamlit as st

from skillcheck.events import Event
from skillcheck.ui import html as h
from skillcheck.ui.session import TurnRecord

CURSOR = " ▌"
_REFRESH_SECONDS = 0.04


def inject_css() -> None:
    """The app's styles (sent once per run; takes no space on the page)."""
    st.html(h.CSS)


def _steps(steps: list[dict[str, Any]]) -> None:
    for step in steps:
        with st.status(
            step["label"], state="error" if step.get("error") else "complete", expanded=False
        ):
            _step_body(step)


def _step_body(step: dict[str, Any]) -> None:
    args = step.get("args") or {}
    shown = {k: v for k, v in args.items() if k in ("query", "k", "title")}
    if shown:
        st.html(h.list_html(f"{k}: {v}" for k, v in shown.items()))
    if step.get("error"):
        st.html(f'<div class="sc-notice sc-notice-error">{h.esc(step["error"])}</div>')


def _answer_body(message: dict[str, Any]) -> None:
    text = h.strip_sources_block(message.get("content", ""))
    citations = message.get("citations") or []
    if message.get("error"):
        st.html(f'<div class="sc-notice sc-notice-error">{h.esc(message["error"])}</div>')
    if text:
        st.html(h.answer_html(text, citations, message["id"]))
    if message.get("notices"):
        st.html(h.notices_html(message["notices"]))
    if citations:
        st.html(h.sources_html(citations, text, message["id"]))


def render_message(
    message: dict[str, Any], render_eligibility: Callable[[dict[str, Any], str], None]
) -> None:
    """One stored message, as it was when its turn ended."""
    with st.chat_message(message["role"]):
        if message["role"] == "user":
            st.html(h.user_html(message.get("content", "")))
            return
        _steps(message.get("steps") or [])
        if message.get("kind") == "text":
            _answer_body(message)
        if message.get("eligibility"):
            render_eligibility(message["eligibility"], message["id"])


def stream_turn(
    events: Iterable[Event], render_eligibility: Callable[[dict[str, Any], str], None]
) -> TurnRecord:
    """Show a turn while it streams (tool steps, then the answer) and return its record."""
    record = TurnRecord()
    with st.chat_message("assistant"):
        steps_box = st.container()
        answer_box = st.empty()
        statuses: list[Any] = []
        closed: set[int] = set()
        last = 0.0
        for event in events:
            before = len(record.steps)
            record.apply(event)
            for step in record.steps[before:]:
                with steps_box:
                    statuses.append(st.status(step["label"] + "...", state="running"))
            for i, (status, step) in enumerate(zip(statuses, record.steps, strict=False)):
                if step["done"] and i not in closed:
                    with status:
                        _step_body(step)
                    status.update(
                        label=step["label"],
                        state="error" if step.get("error") else "complete",
                    )
                    closed.add(i)
            now = time.monotonic()
            if record.text and not record.done and now - last > _REFRESH_SECONDS:
                shown = h.strip_sources_block(record.text) + CURSOR
                answer_box.html(h.answer_html(shown, record.citations, record.id))
                last = now
        message = record.to_message()
        with answer_box.container():
            _answer_body(message)
        if record.eligibility:
            render_eligibility(record.eligibility, record.id)
    return record
