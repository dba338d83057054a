"""The offline chat turn: retrieval and the extractive answer, as the typed event stream.

This is the whole turn when no model is configured, and the fallback of the agent
(:mod:`skillcheck.agent`) when the model fails.
"""

from __future__ import annotations

from collections.abc import Iterator

from skillcheck.answer import extractive_answer, is_eligibility_question
from skillcheck.events import Citations, Done, Event, Notice, Token, ToolResult, ToolStart
from skillcheck.retrieval import Retriever, validate_query


def offline_turn(
    retriever: Retriever, question: str, top_k: int = 4, notices: list[Notice] | None = None
) -> Iterator[Event]:
    """Answer ``question`` from the sources' own sentences, streamed as events."""
    q = validate_query(question, top_k)
    notices = list(notices or [])
    yield ToolStart("search_sources", {"query": q, "k": top_k})
    hits = retriever.search(q, top_k)
    answer = extractive_answer(q, hits, retriever.embedder, pool=retriever.chunks)
    yield ToolResult("search_sources", answer.citations)
    for line in answer.text.splitlines(keepends=True):
        yield Token(line)
    needs_form = is_eligibility_question(q)
    for text in answer.notices:
        notices.append(Notice("offline", text))
    yield from notices
    yield Citations(answer.citations)
    yield Done(
        answer=answer.text,
        mode="offline",
        citations=answer.citations,
        notices=notices,
        needs_eligibility_form=needs_form,
    )
