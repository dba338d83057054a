"""skillcheck in the browser: ``streamlit run app.py``.

Layout and wiring only. What is drawn lives in :mod:`skillcheck.ui`; who answers is
decided in one place, :class:`skillcheck.assistant.Assistant`.
"""

from __future__ import annotations

import streamlit as st

from skillcheck.config import get_settings
from skillcheck.errors import SkillcheckError
from skillcheck.ui import eligibility, render, resources, session, sidebar
from skillcheck.ui.html import esc

EXAMPLES = [
    "What qualification do I need for a Customer Service Manager assessment?",
    "How many hours a week must a job have to count?",
    "Which job titles are not suitable for this occupation?",
    "Am I eligible with a diploma and three years as a service manager?",
]


def _ask(question: str) -> None:
    st.session_state["pending"] = question


st.set_page_config(page_title="skillcheck · Customer Service Manager (149212)", layout="wide")
render.inject_css()
try:
    settings = get_settings()
except SkillcheckError as exc:  # a bad setting: one line naming the variable, no traceback
    st.html(f'<div class="sc-notice sc-notice-error" role="alert">{esc(exc)}</div>')
    st.stop()
retriever = resources.retriever_or_stop(settings)
options = sidebar.render_sidebar(settings, retriever)
assistant = resources.get_assistant(settings, retriever, not options.use_model)
st.sidebar.html(f'<div class="sc-notice"><strong>Mode:</strong> {esc(assistant.label)}</div>')

st.title("Customer Service Manager (ANZSCO 149212)")
st.caption(
    "Questions about the VETASSESS skills assessment, answered from the VETASSESS and "
    "ANZSCO pages with citations. Not legal or migration advice."
)
messages: list[dict[str, object]] = st.session_state.setdefault("messages", [])
for message in messages:
    render.render_message(message, eligibility.render_card)

if not messages and not st.session_state.get("form_open"):
    st.markdown("**Try a question:**")
    with st.container(horizontal=True):
        for i, example in enumerate(EXAMPLES):
            st.button(example, key=f"example-{i}", on_click=_ask, args=(example,))
        st.button("Check my eligibility", key="example-form", on_click=sidebar.open_form)

typed = st.chat_input("Ask about the skills assessment...", max_chars=2000)
question = typed or st.session_state.pop("pending", None)
if question:
    asked = session.user_message(question)
    render.render_message(asked, eligibility.render_card)
    history = session.history_of(messages)
    events = assistant.stream(question, history, top_k=options.top_k)
    record = render.stream_turn(events, eligibility.render_card)
    messages.extend([asked, record.to_message()])
    if record.needs_form and record.eligibility is None:
        if record.profile is not None:
            eligibility.prefill(record.profile["form"])  # what the chat understood
        st.session_state["form_open"] = True

if st.session_state.get("form_open"):
    result_message = eligibility.render_form()
    if result_message is not None:
        messages.append(result_message)
        eligibility.close_form()
        st.rerun()
