"""Follow-ups with a model: the history as chat messages, and the model's standalone rewrite.

The offline reading of a follow-up (joining it to the previous question) is in
:mod:`skillcheck.history`; this module is imported only when a model answers.
"""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.runnables import RunnableConfig

from skillcheck.history import Message
from skillcheck.passages import MARKER
from skillcheck.prompts import Prompt


def rewrite_question(
    model: BaseChatModel,
    prompt: Prompt,
    question: str,
    history: list[Message],
    config: RunnableConfig | None = None,
) -> str:
    """The model's standalone version of ``question`` (one call); the question if unusable."""
    transcript = "\n".join(f"{m.role}: {MARKER.sub('', m.content)[:800]}" for m in history[-4:])
    message = HumanMessage(prompt.format(history=transcript, question=question))
    reply = model.invoke([message], config=config)
    text = str(reply.text).strip().splitlines()
    standalone = text[0].strip() if text else ""
    return standalone if 0 < len(standalone) <= 500 else question


def to_messages(history: list[Message]) -> list[BaseMessage]:
    """History as chat messages; old ``[n]`` markers are dropped (they numbered old passages)."""
    messages: list[BaseMessage] = []
    for item in history:
        text = MARKER.sub("", item.content)
        messages.append(HumanMessage(text) if item.role == "user" else AIMessage(text))
    return messages
