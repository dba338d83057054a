"""The sidebar: which mode answers, the store's state with a rebuild button, session settings."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from skillcheck.config import Settings
from skillcheck.retrieval import MAX_TOP_K, Retriever
from skillcheck.ui import html as h
from skillcheck.ui.resources import build_store, store_info

TOP_K_MAX = min(10, MAX_TOP_K)


@dataclass(frozen=True)
class SessionOptions:
    """What a user may change for their own session."""

    top_k: int
    use_model: bool


def _clear_chat() -> None:
    st.session_state["messages"] = []
    st.session_state["form_open"] = False
    st.session_state.pop("form_error", None)


def open_form() -> None:
    """Open the eligibility form at the bottom of the chat."""
    st.session_state["form_open"] = True


def render_sidebar(settings: Settings, retriever: Retriever) -> SessionOptions:
    """Draw the sidebar; the session's options."""
    with st.sidebar:
        st.header("skillcheck")
        st.caption("VETASSESS skills assessment · Customer Service Manager (ANZSCO 149212)")
        use_model = settings.llm_configured
        if settings.llm_configured:
            use_model = st.toggle("Use the language model", value=True, key="use_model")
        top_k = st.slider(
            "Passages per answer (top-k)",
            min_value=1,
            max_value=TOP_K_MAX,
            value=min(settings.top_k, TOP_K_MAX),
            key="top_k",
        )
        st.button("Check my eligibility", on_click=open_form, key="open_form_sidebar")
        st.button("Clear the chat", on_click=_clear_chat, key="clear_chat")
        st.subheader("Sources store")
        info = store_info(retriever)
        if info is None:
            st.html('<div class="sc-notice sc-notice-error">The store cannot be read.</div>')
        else:
            st.html(
                h.list_html(
                    [
                        f"Sources: {', '.join(info.sources)}",
                        f"Chunks: {info.chunks}",
                        f"Embedding model: {info.embedding_model}",
                        f"Collection: {info.collection}",
                        f"Built: {info.built_at}",
                    ]
                )
            )
        if st.button("Rebuild the store", key="rebuild_store"):
            build_store(settings, force=True)
            st.rerun()
    return SessionOptions(top_k=int(top_k), use_model=bool(use_model))
