"""skillcheck in the browser: ``streamlit run app.py``.

Layout and wiring only. What is drawn lives in :mod:`skillcheck.ui`; who answers is
decided in one place, :class:`skillcheck.assistant.Assistant`. The page is drawn at
once; the sources are prepared in the background (:mod:`skillcheck.ui.resources`).
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

import streamlit as st

from skillcheck.config import get_settings
from skillcheck.errors import SkillcheckError
from skillcheck.ui import resources

# The background start begins before the rest of the page's modules are imported, so
# building the store overlaps with them (the first page load of a fresh clone).
with contextlib.suppress(SkillcheckError):  # a bad setting is said in one line below
    resources.startup(get_settings())

from skillcheck.ui import chat, eligibility, render, session, sidebar
from skillcheck.ui.html import error_html, store_problem_html

EXAMPLES = [
    "What qualification do I need for a Customer Service Manager assessment?",
    "How many hours a week must a job have to count?",
    "Which job titles are not suitable for this occupation?",
    "Am I eligible with a diploma and three years as a service manager?",
]

st.set_page_config(
    page_title="skillcheck · Customer Service Manager (149212)",
    layout="wide",
    menu_items={"Get help": None, "Report a bug": None, "About": None},
)
render.inject_css()
try:
    settings = get_settings()
except SkillcheckError as exc:  # a bad setting: one line naming the variable, no traceback
    st.html(error_html(exc, alert=True))
    st.stop()

store = resources.conversation_store(str(settings.home))
cid = chat.open_conversation(store)
messages = chat.messages()
start = resources.startup(settings)


def _open_form(draft: dict[str, Any] | None = None) -> None:
    """Ask for the form as the newest turn (an open one elsewhere is closed first)."""
    for m in messages:
        if m.get("kind") == "form" and m.get("status") == "open":
            m["status"] = "closed"
    form = eligibility.form_message(draft)
    messages.append(form)
    chat.follow(str(form["id"]))
    chat.save(store)


options = sidebar.render_sidebar(
    settings,
    store.list(),
    cid,
    on_new_chat=chat.new_chat,
    on_switch=lambda c: chat.switch_to(store, c),
    on_open_form=_open_form,
)

st.title("Customer Service Manager (ANZSCO 149212)")
st.caption(
    "Questions about the VETASSESS skills assessment, answered from the VETASSESS and "
    "ANZSCO pages with citations. Not legal or migration advice."
)

if not start.ready.is_set():
    resources.startup_indicator(start)

newest_text = max(
    (i for i, m in enumerate(messages) if m.get("role") == "assistant" and m.get("kind") == "text"),
    default=-1,
)
for i, message in enumerate(messages):
    if message.get("kind") == "form":
        if message.get("status") == "closed":
            continue
        result = eligibility.render_form_turn(message)
        if result is not None:
            messages.insert(i + 1, result)
            chat.save(store)
            st.session_state[chat.SCROLL] = f"#verdict-{result['id']}"
            st.rerun()
        continue
    render.render_message(
        message,
        eligibility.render_card,
        lambda record, i=i: chat.extras(store, cid, record, newest=i == newest_text),
    )

if not messages:
    st.markdown("**Try a question:**")
    with st.container(horizontal=True):
        for n, example in enumerate(EXAMPLES):
            st.button(example, key=f"example-{n}", on_click=chat.ask, args=(example,))
        st.button("Check my eligibility", key="example-form", on_click=_open_form)

typed = st.chat_input("Ask about the skills assessment...", max_chars=2000)
question = typed or st.session_state.pop(chat.PENDING, None)
if question:
    asked = session.user_message(question)
    messages.append(asked)
    render.render_message(asked, eligibility.render_card)
    render.scroll_to(f"#turn-{asked['id']}", asked["id"])
    resources.wait_ready(start)
    if start.retriever is None:
        problem = start.error or "unknown problem"
        st.html(store_problem_html(problem))
        messages.pop()
        st.stop()
    assistant = resources.get_assistant(settings, start.retriever, not options.use_model)
    history = session.history_of(messages[:-1])
    began = time.perf_counter()
    record = render.stream_turn(assistant.stream(question, history), eligibility.render_card)
    messages.append(record.to_message(latency=time.perf_counter() - began))
    if record.needs_form and record.eligibility is None:
        _open_form(record.profile["form"] if record.profile is not None else None)
    st.session_state.setdefault(chat.SCROLL, f"#turn-{asked['id']}")
    chat.save(store)
    st.rerun()
elif start.ready.is_set() and start.retriever is None:
    st.html(store_problem_html(start.error or "unknown problem"))

target = st.session_state.pop(chat.SCROLL, None)
if target:
    render.scroll_to(str(target), str(time.time()))
