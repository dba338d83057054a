"""The offline turn: retrieval and the quoted answer, as the typed event stream.

This is the whole turn when no model answers, and what the assistant falls back to
when the model fails (:mod:`skillcheck.assistant` decides which).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from skillcheck.events import Citations, Done, Event, Notice, Token, ToolResult, ToolStart, Usage
from skillcheck.passages import CitationRegistry
from skillcheck.quotes import quote_sentences, sources_list
from skillcheck.retrieval import Retriever

_ELIGIBILITY = re.compile(
    r"\b(eligib\w*|qualify|am i|will i|do i (meet|pass|get)|my (chances|profile)|"
    r"positive (assessment|outcome)|assess me)\b",
    re.IGNORECASE,
)
ELIGIBILITY_NOTE = (
    "Whether your own qualifications and jobs meet these criteria is decided by the "
    "eligibility check, not by this answer: run `skillcheck assess` (or use the form in the app)."
)
NOTHING_FOUND = (
    "The sources do not answer this question: nothing relevant was found in the "
    "ANZSCO or VETASSESS pages."
)
OFFLINE_NOTICE = "offline mode: quoted from the sources, no language model"


def is_eligibility_question(question: str) -> bool:
    """True when the question asks for a determination about the asker."""
    return bool(_ELIGIBILITY.search(question))


def offline_turn(
    retriever: Retriever,
    query: str,
    top_k: int,
    notices: list[Notice] | None = None,
    usage: Usage | None = None,
) -> Iterator[Event]:
    """Answer ``query`` (already validated) from the sources' own sentences, as events."""
    notices = list(notices or [])
    registry = CitationRegistry()
    yield ToolStart("search_sources", {"query": query, "k": top_k})
    chunks = [hit.chunk for hit in retriever.search(query, top_k)]
    block = quote_sentences(query, chunks, retriever.embedder, registry, pool=retriever.chunks)
    passages = registry.passages
    yield ToolResult("search_sources", passages)
    if not block.lines:
        text = NOTHING_FOUND
    else:
        text = "From the sources:\n" + "\n".join(block.lines)
        text += "".join(f"\n\nNote: {note}" for note in block.notes)
        text += "\n\nSources:\n" + sources_list(passages)
    notices.append(Notice("offline", OFFLINE_NOTICE))
    needs_form = is_eligibility_question(query)
    if needs_form and block.lines:
        text += "\n\n" + ELIGIBILITY_NOTE
        notices.append(Notice("offline", "eligibility question: use the eligibility check"))
    for line in text.splitlines(keepends=True):
        yield Token(line)
    yield from notices
    yield Citations(passages)
    yield Done(
        answer=text,
        mode="offline",
        passages=passages,
        notices=notices,
        usage=usage or Usage(),
        needs_eligibility_form=needs_form,
    )
