"""Follow-up questions, understood in the context of the conversation.

"And what if I only worked part-time?" means nothing to a retriever on its own. A
question that looks like a follow-up is rewritten as a standalone one: by the model
with the ``followup`` prompt when one is configured, else by joining it to the
previous question (enough for retrieval, which is all the offline answer needs).
"""

from __future__ import annotations

import re
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.runnables import RunnableConfig

from skillcheck.citations import MARKER
from skillcheck.prompts import Prompt

MAX_HISTORY = 8  # messages of history sent to the model
MAX_HISTORY_CHARS = 4000  # per message
_FOLLOW_UP = re.compile(
    r"^\s*(and|but|or|so|also|then|what about|how about|what if|and if|same)\b"
    r"|\b(it|that|this|those|these|they|them|there|such|instead|then)\b",
    re.IGNORECASE,
)


def clean_history(history: list[dict[str, Any]] | None) -> list[dict[str, str]]:
    """The last user and assistant turns, as plain text (other roles are dropped)."""
    out = []
    for item in history or []:
        role, content = item.get("role"), item.get("content")
        if role in ("user", "assistant") and isinstance(content, str) and content.strip():
            out.append({"role": str(role), "content": content[:MAX_HISTORY_CHARS]})
    return out[-MAX_HISTORY:]


def to_messages(history: list[dict[str, str]]) -> list[BaseMessage]:
    """History as chat messages; old ``[n]`` markers are dropped (they numbered old passages)."""
    messages: list[BaseMessage] = []
    for item in history:
        text = MARKER.sub("", item["content"])
        messages.append(HumanMessage(text) if item["role"] == "user" else AIMessage(text))
    return messages


def last_question(history: list[dict[str, str]]) -> str | None:
    """The user's previous question, if any."""
    users = [h["content"] for h in history if h["role"] == "user"]
    return users[-1] if users else None


def looks_like_follow_up(question: str, history: list[dict[str, str]]) -> bool:
    """True when there is a previous question and this one seems to lean on it."""
    if last_question(history) is None:
        return False
    return len(question.split()) <= 8 or bool(_FOLLOW_UP.search(question))


def joined_question(question: str, history: list[dict[str, str]]) -> str:
    """The offline rewrite: the previous question, then the follow-up."""
    previous = last_question(history)
    if previous is None or not looks_like_follow_up(question, history):
        return question
    return f"{previous.strip()[:500]} {question}"


def rewrite_question(
    model: BaseChatModel,
    prompt: Prompt,
    question: str,
    history: list[dict[str, str]],
    config: RunnableConfig | None = None,
) -> str:
    """The model's standalone version of ``question`` (one call); the question if unusable."""
    transcript = "\n".join(
        f"{h['role']}: {MARKER.sub('', h['content'])[:800]}" for h in history[-4:]
    )
    message = HumanMessage(prompt.format(history=transcript, question=question))
    reply = model.invoke([message], config=config)
    text = str(reply.text).strip().splitlines()
    standalone = text[0].strip() if text else ""
    return standalone if 0 < len(standalone) <= 500 else question
