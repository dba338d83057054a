"""The offline turn: a direct, cited answer first, then its evidence, as typed events.

This is the whole turn when no model answers, and what the assistant falls back to
when the model fails (:mod:`skillcheck.assistant` decides which). One turn:

1. the reply plan (:mod:`skillcheck.reply`) says what to answer first: a topic's
   statement, a title's verdict, a refusal, or that the pages do not cover it; and
   reads the applicant's facts into a draft profile (follow-ups change it);
2. when the draft has what the engine needs, the engine decides, and its outcome
   leads the answer; when facts are missing, the answer asks for exactly those;
3. every sentence cites the passages holding its corpus lines (numbered first, so
   they join the sources even when retrieval ranked them lower), then the cited
   lines are quoted word for word as evidence, then the numbered sources.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from skillcheck.corpus import Chunk, load_sources
from skillcheck.events import (
    Citations,
    Done,
    EligibilityRun,
    Event,
    Notice,
    Token,
    ToolResult,
    ToolStart,
    Usage,
)
from skillcheck.facts import DraftProfile, read_facts
from skillcheck.history import Message
from skillcheck.passages import CitationRegistry, Passage
from skillcheck.quotes import quote_sentences, sources_list
from skillcheck.reply import assessment_lead, is_followup, plan_reply, run_assessment
from skillcheck.retrieval import Retriever
from skillcheck.topics import Ref, Said

OFFLINE_NOTICE = "offline mode: answered from the sources, no language model"
#: Supporting quotes shown under the direct answer, at most.
MAX_EVIDENCE = 3
#: With no prepared answer, passages are quoted only when the best one is this close
#: (cosine similarity of the question and the passage); otherwise nothing is shown.
CLOSEST_FLOOR = 0.5
NO_PREPARED_ANSWER = (
    "I have no prepared answer to this, so here are the closest passages of the two "
    "pages, word for word; check whether they answer your question."
)


@dataclass(frozen=True)
class _Line:
    """Where a corpus line sits in its source text."""

    start: int
    text: str


@lru_cache(maxsize=4)
def _lines(corpus_dir: str) -> dict[str, tuple[_Line, ...]]:
    out: dict[str, tuple[_Line, ...]] = {}
    for source in load_sources(Path(corpus_dir)):
        pos = 0
        lines = []
        for raw in source.text.split("\n"):
            lines.append(_Line(pos, raw))
            pos += len(raw) + 1
        out[source.meta.id] = tuple(lines)
    return out


def _span(ref: Ref, corpus_dir: Path) -> tuple[int, int] | None:
    """The quote's offsets in its source, found on its cited line."""
    lines = _lines(str(corpus_dir)).get(ref.source, ())
    if not 1 <= ref.line <= len(lines):
        return None
    line = lines[ref.line - 1]
    at = line.text.find(ref.quote)
    return None if at < 0 else (line.start + at, line.start + at + len(ref.quote))


def _holder(ref: Ref, span: tuple[int, int], chunks: list[Chunk]) -> Chunk | None:
    return next(
        (c for c in chunks if c.source_id == ref.source and c.start <= span[0] < c.end), None
    )


def draft_from_history(history: list[Message], today: date) -> DraftProfile | None:
    """The applicant's facts as the conversation's user messages gave them, in order."""
    draft: DraftProfile | None = None
    for message in history:
        if message.role != "user":
            continue
        if draft is not None and is_followup(message.content, draft):
            draft = draft.apply(message.content, today)
        else:
            facts = read_facts(message.content, today)
            if facts.has_facts:
                draft = facts
    return draft


class _Answer:
    """The text of an answer as it is composed, its passages numbered as they are cited."""

    def __init__(self, registry: CitationRegistry, chunks: list[Chunk], corpus_dir: Path):
        self.registry = registry
        self.chunks = chunks
        self.corpus_dir = corpus_dir
        self.evidence: list[tuple[int, int, str, bool]] = []  # (n, offset, quote, list item?)

    def cite(self, refs: tuple[Ref, ...]) -> str:
        """The ``[n]`` markers for ``refs``; their passages are numbered and highlighted."""
        numbers: list[int] = []
        for ref in refs:
            span = _span(ref, self.corpus_dir)
            chunk = _holder(ref, span, self.chunks) if span else None
            if span is None or chunk is None:
                continue
            (passage,) = self.registry.add([chunk])
            self.registry.highlight(chunk.id, [span])
            if passage.n not in numbers:
                numbers.append(passage.n)
            item = _is_item(ref, self.corpus_dir)
            if (passage.n, span[0], ref.quote, item) not in self.evidence:
                self.evidence.append((passage.n, span[0], ref.quote, item))
        return "".join(f"[{n}]" for n in numbers)

    def sentences(self, said: list[Said]) -> str:
        """The sentences, each with its markers before its closing stop, as one paragraph."""
        parts = []
        for s in said:
            marks = self.cite(s.refs)
            text = s.text.rstrip()
            if marks and text[-1:] in ".!?":
                parts.append(f"{text[:-1]} {marks}{text[-1]}")
            else:
                parts.append(f"{text} {marks}" if marks else text)
        return " ".join(parts)

    def quotes(self) -> list[str]:
        """The cited lines, word for word; a list's items joined to the line introducing them."""
        first = {e[0]: i for i, e in reversed(list(enumerate(self.evidence)))}
        ordered = sorted(self.evidence, key=lambda e: (first[e[0]], e[1]))
        groups: list[tuple[int, str, list[str]]] = []  # (n, head, items)
        for n, _, quote, item in ordered:
            if len(quote) < 12:
                continue  # a fragment such as "1-3" is evidence only in its passage
            opened = groups and groups[-1][0] == n and groups[-1][1].endswith(":")
            if opened and item:
                groups[-1][2].append(quote)
            else:
                groups.append((n, quote, []))
        lines = []
        for n, head, items in groups[:MAX_EVIDENCE]:
            body = f"{head} {'; '.join(items)}" if items else head
            lines.append(f"- {body} [{n}]")
        return lines


def _is_item(ref: Ref, corpus_dir: Path) -> bool:
    """True when the cited line is a bulleted list item."""
    lines = _lines(str(corpus_dir)).get(ref.source, ())
    return 1 <= ref.line <= len(lines) and lines[ref.line - 1].text.lstrip().startswith("•")


def _said_lines(title: str, items: list[str]) -> list[str]:
    return [title, *(f"- {item}" for item in items)] if items else []


def _profile(draft: DraftProfile, today: date) -> dict[str, Any]:
    return {
        "input": draft.to_assess_input(today),
        "missing": list(draft.missing),
        "understood": list(draft.understood),
        "assumptions": list(draft.assumptions),
    }


def offline_turn(
    retriever: Retriever,
    question: str,
    top_k: int,
    *,
    history: list[Message] | None = None,
    query: str | None = None,
    corpus_dir: Path,
    today: date | None = None,
    notices: list[Notice] | None = None,
    usage: Usage | None = None,
) -> Iterator[Event]:
    """Answer ``question`` (already validated) offline, as events.

    ``query`` is what retrieval searches (the follow-up joined to the question before
    it); ``history`` gives the facts stated earlier in the conversation.
    """
    day = today or date.today()
    notices = [*(notices or []), Notice("offline", OFFLINE_NOTICE)]
    draft = draft_from_history(history or [], day)
    plan = plan_reply(question, embedder=retriever.embedder, today=day, draft=draft)
    if plan.kind == "off_topic" and query is not None and query != question:
        # a follow-up ("and what about that?") is read with the question before it
        joined = plan_reply(query, embedder=retriever.embedder, today=day, draft=draft)
        plan = plan if joined.kind == "off_topic" else joined
    asks_own = plan.intent.kind == "eligibility" and plan.kind not in ("refusal", "off_topic")
    registry = CitationRegistry()
    answer = _Answer(registry, retriever.chunks, corpus_dir)
    run: EligibilityRun | None = None
    lead = list(plan.lead)
    if plan.kind == "eligibility" and plan.draft is not None and plan.draft.ready:
        profile = plan.draft.to_assess_input(day)
        yield ToolStart("assess_eligibility", profile)
        result = run_assessment(plan.draft, day)
        run = EligibilityRun(profile, result)
        yield ToolResult("assess_eligibility", run)
        lead = assessment_lead(result) + lead
    paragraphs = [answer.sentences(lead)] if lead else []
    quote_lines = answer.quotes()
    if plan.kind not in ("refusal", "off_topic"):
        search = query or question
        yield ToolStart("search_sources", {"query": search, "k": top_k})
        registry.add([hit.chunk for hit in retriever.search(search, top_k)])
        yield ToolResult("search_sources", registry.passages)
    elif plan.kind == "off_topic" and plan.intent.kind != "off_topic":
        search = query or question
        yield ToolStart("search_sources", {"query": search, "k": top_k})
        closest = _closest(retriever, search, top_k, registry)
        yield ToolResult("search_sources", registry.passages)
        if closest:
            paragraphs = [NO_PREPARED_ANSWER]
            quote_lines = closest
    if plan.draft is not None and plan.kind in ("eligibility", "missing_facts"):
        paragraphs.append("\n".join(_said_lines("What I understood:", plan.understood)))
        paragraphs.append("\n".join(_said_lines("Assumed:", plan.assumptions)))
        paragraphs.append("\n".join(_said_lines("To check your eligibility, tell me:", plan.ask)))
    elif plan.kind == "missing_facts" or (asks_own and run is None):
        ask = plan.ask or read_facts("", day).missing
        paragraphs.append("\n".join(_said_lines("To check your eligibility, tell me:", ask)))
    if run is not None:
        paragraphs.append(run.result.disclaimer)
    if quote_lines:
        paragraphs.append("From the sources:\n" + "\n".join(quote_lines))
    cited = _cited(registry.passages, "\n".join(paragraphs))
    if cited:
        paragraphs.append("Sources:\n" + sources_list(cited))
    text = "\n\n".join(p for p in paragraphs if p)
    for line in text.splitlines(keepends=True):
        yield Token(line)
    yield from notices
    passages = registry.passages
    yield Citations(passages)
    yield Done(
        answer=text,
        mode="offline",
        passages=passages,
        eligibility=run,
        notices=notices,
        usage=usage or Usage(),
        needs_eligibility_form=run is None and (plan.kind == "missing_facts" or asks_own),
        profile=_profile(plan.draft, day) if plan.draft is not None else None,
        suggestions=list(plan.suggestions),
    )


def _closest(retriever: Retriever, query: str, top_k: int, registry: CitationRegistry) -> list[str]:
    """Quotes from the closest passages, when they are close enough to be worth showing."""
    hits = retriever.search(query, top_k)
    best = max((h.dense_score or 0.0 for h in hits), default=0.0)
    if best < CLOSEST_FLOOR:
        return []
    chunks = [h.chunk for h in hits]
    block = quote_sentences(query, chunks, retriever.embedder, registry, pool=retriever.chunks)
    return block.lines + [f"Note: {note}" for note in block.notes]


def _cited(passages: list[Passage], text: str) -> list[Passage]:
    return [p for p in passages if f"[{p.n}]" in text]
