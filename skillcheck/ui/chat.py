"""The conversation in the app: kept on the server, named in the URL, with what chat users expect.

The conversation's id is the URL's ``?c=`` query parameter, so a reload (or the same
link later) shows the same conversation: its messages are saved under
``SKILLCHECK_HOME`` (:mod:`skillcheck.conversations`) after every change. "New chat"
starts another id and keeps the old one in the sidebar's list. Under each answer: a
copy button, thumbs up or down with an optional comment (stored with the turn it
rates), and under the newest answer two or three suggested follow-up questions (the
turn's own ``Done.suggestions``, drawn from what the product can answer).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from skillcheck.conversations import (
    Conversation,
    ConversationStore,
    new_conversation_id,
    turn_for_feedback,
    valid_id,
)
from skillcheck.ui import html as h
from skillcheck.ui.session import TurnRecord

MESSAGES = "messages"
CONVERSATION = "conversation_id"
SCROLL = "scroll_to"
PENDING = "pending"
QUERY = "c"
MAX_SUGGESTIONS = 3
_THUMBS = {0: "down", 1: "up"}


def messages() -> list[dict[str, Any]]:
    """The session's messages (the conversation on screen)."""
    found: list[dict[str, Any]] = st.session_state.setdefault(MESSAGES, [])
    return found


def open_conversation(store: ConversationStore) -> str:
    """The conversation named in the URL, loaded into the session (a new one if none)."""
    wanted = st.query_params.get(QUERY)
    if not valid_id(wanted):
        wanted = st.session_state.get(CONVERSATION) or new_conversation_id()
        st.query_params[QUERY] = wanted
    cid = str(wanted)
    if st.session_state.get(CONVERSATION) != cid:
        stored = store.load(cid)
        st.session_state[CONVERSATION] = cid
        st.session_state[MESSAGES] = stored.messages if stored else []
    return cid


def save(store: ConversationStore) -> None:
    """Store the session's conversation (nothing is stored for an empty one)."""
    cid = st.session_state.get(CONVERSATION)
    if valid_id(cid):
        store.save(Conversation(str(cid), messages()))


def new_chat() -> None:
    """Start a new conversation (a callback); the old one stays in the list."""
    cid = new_conversation_id()
    st.session_state[CONVERSATION] = cid
    st.session_state[MESSAGES] = []
    st.query_params[QUERY] = cid


def switch_to(store: ConversationStore, cid: str) -> None:
    """Show another stored conversation (a callback)."""
    stored = store.load(cid)
    if stored is None:
        return
    st.session_state[CONVERSATION] = cid
    st.session_state[MESSAGES] = stored.messages
    st.query_params[QUERY] = cid
    if stored.messages:
        st.session_state[SCROLL] = f"#turn-{stored.messages[-1].get('id', '')}"


def ask(question: str) -> None:
    """Ask ``question`` on the next run (a callback of example and follow-up buttons)."""
    st.session_state[PENDING] = question


def follow(message_id: str) -> None:
    """Bring a message into view on the next run."""
    st.session_state[SCROLL] = f"#turn-{message_id}"


def _feedback_changed(store: ConversationStore, cid: str, message_id: str) -> None:
    value = st.session_state.get(f"fb-{message_id}")
    if value is None:
        return
    comment = str(st.session_state.get(f"fbc-{message_id}") or "")
    try:
        turn = turn_for_feedback(messages(), message_id)
    except KeyError:
        return
    store.save_feedback(cid, turn, _THUMBS[int(value)], comment)
    st.session_state[f"fbs-{message_id}"] = True


def extras(store: ConversationStore, cid: str, record: TurnRecord, newest: bool) -> None:
    """Under an answer: copy, thumbs up/down with a comment, and (newest only) follow-ups."""
    if not record.text:
        return
    mid = record.id
    saved = store.feedback_of(cid, mid)
    if f"fb-{mid}" not in st.session_state and saved is not None:
        st.session_state[f"fb-{mid}"] = 1 if saved.get("rating") == "up" else 0
        st.session_state[f"fbc-{mid}"] = str(saved.get("comment") or "")
    with st.container(horizontal=True, vertical_alignment="center", key=f"tools-{mid}"):
        st.html(h.copy_button_html(h.strip_sources_block(record.text)))
        st.feedback(
            "thumbs",
            key=f"fb-{mid}",
            on_change=_feedback_changed,
            args=(store, cid, mid),
        )
    if st.session_state.get(f"fb-{mid}") is not None:
        with st.container(horizontal=True, vertical_alignment="bottom", key=f"fbbox-{mid}"):
            st.text_input(
                "Tell us more (optional)",
                key=f"fbc-{mid}",
                max_chars=2000,
                placeholder="What was missing or wrong?",
            )
            st.button(
                "Send",
                key=f"fbsend-{mid}",
                on_click=_feedback_changed,
                args=(store, cid, mid),
            )
        if st.session_state.get(f"fbs-{mid}") or saved is not None:
            st.html('<p class="sc-muted">Thank you. Your feedback is kept on this computer.</p>')
    if newest and record.suggestions:
        st.html('<p class="sc-muted">You could also ask:</p>')
        with st.container(horizontal=True, key=f"sugg-{mid}"):
            for i, text in enumerate(record.suggestions[:MAX_SUGGESTIONS]):
                st.button(text, key=f"sugg-{mid}-{i}", on_click=ask, args=(text,))
