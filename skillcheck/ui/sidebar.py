"""The sidebar: a new chat and the past ones, the eligibility form, "About the sources".

Nothing of the workshop is here: the store is rebuilt with ``skillcheck ingest`` (an
administrator's command), and how many passages an answer uses is a setting
(``SKILLCHECK_TOP_K``), not an applicant's choice. When a language model is
configured, the applicant may still switch it off for their session.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from skillcheck.config import Settings
from skillcheck.conversations import Summary
from skillcheck.corpus import SourceMeta, load_manifest
from skillcheck.errors import SkillcheckError
from skillcheck.ui import html as h

SHOWN_CONVERSATIONS = 15


@dataclass(frozen=True)
class SessionOptions:
    """What a user may change for their own session."""

    use_model: bool


@st.cache_data(show_spinner=False)
def source_pages(corpus_dir: Path) -> list[SourceMeta]:
    """The manifest's sources (read once per process)."""
    try:
        return list(load_manifest(corpus_dir).sources)
    except SkillcheckError:
        return []


def about_html(sources: list[SourceMeta]) -> str:
    """The two pages the answers come from, in plain words, with their links and dates."""
    items = []
    for s in sources:
        title = (
            f'<a href="{h.esc(s.url)}" target="_blank" rel="noopener noreferrer">'
            f"{h.esc(s.title)}</a>"
            if s.url
            else h.esc(s.title)
        )
        note = "" if s.latest_release else f"<br><em>{h.NOT_LATEST_NOTE_HTML}</em>"
        when = (
            f"Captured on {s.captured.isoformat()}."
            if s.captured
            else "The capture date was not recorded."
        )
        items.append(
            f"<li><strong>{title}</strong><br>Published by {h.esc(s.publisher)}. {when}{note}</li>"
        )
    return (
        '<div class="sc-about"><p>Every answer comes from these public pages, copied word '
        "for word. The eligibility check applies their published criteria with fixed "
        "rules; it is not VETASSESS's decision and not migration advice.</p>"
        f'<ul class="sc-list">{"".join(items)}</ul>'
        "<p>The pages may have changed since they were copied: check the official "
        "page before you apply.</p></div>"
    )


def _when(seconds: float) -> str:
    return time.strftime("%d %b, %H:%M", time.localtime(seconds))


def render_sidebar(
    settings: Settings,
    conversations: list[Summary],
    current: str,
    *,
    on_new_chat: Callable[[], None],
    on_switch: Callable[[str], None],
    on_open_form: Callable[[], None],
) -> SessionOptions:
    """Draw the sidebar; the session's options."""
    with st.sidebar:
        st.header("skillcheck")
        st.caption("VETASSESS skills assessment · Customer Service Manager (ANZSCO 149212)")
        use_model = settings.llm_configured
        if settings.llm_configured:
            use_model = st.toggle("Use the language model", value=True, key="use_model")
        st.button("New chat", on_click=on_new_chat, key="new_chat", icon=":material/add:")
        st.button("Check my eligibility", on_click=on_open_form, key="open_form_sidebar")
        others = [c for c in conversations if c.id != current][:SHOWN_CONVERSATIONS]
        if others:
            st.subheader("Earlier chats")
            for c in others:
                st.button(
                    f"{c.title} · {_when(c.updated)}",
                    key=f"conv-{c.id}",
                    on_click=on_switch,
                    args=(c.id,),
                    type="tertiary",
                )
            st.caption("Kept on this computer for 30 days (at most 50 chats).")
        with st.expander("About the sources"):
            st.html(about_html(source_pages(settings.corpus_dir)))
    return SessionOptions(use_model=bool(use_model))
