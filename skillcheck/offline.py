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
from datetime import date
from pathlib import Path
from typing import Any

from skillcheck.citing import CitedAnswer, draft_from_history, holds
from skillcheck.corpus import Chunk
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
from skillcheck.reply import (
    answer_with,
    assessment_lead,
    candidate_topics,
    corrected,
    plan_reply,
    run_assessment,
)
from skillcheck.retrieval import Hit, Retriever
from skillcheck.topics import TopicMatch, load_topics

OFFLINE_NOTICE = "offline mode: answered from the sources, no language model"
#: With no prepared answer, passages are quoted only when the best one is this close
#: (cosine similarity of the question and the passage); otherwise nothing is shown.
CLOSEST_FLOOR = 0.5
NO_PREPARED_ANSWER = (
    "I have no prepared answer to this, so here are the closest passages of the two "
    "pages, word for word; check whether they answer your question."
)


def _said_lines(title: str, items: list[str]) -> list[str]:
    return [title, *(f"- {item}" for item in items)] if items else []


def _profile(draft: DraftProfile, today: date) -> dict[str, Any]:
    return {
        "input": draft.to_assess_input(today),
        "form": draft.form_input(today),
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
    cache_dir: Path | None = None,
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
    plan = plan_reply(
        question, embedder=retriever.embedder, today=day, draft=draft, cache_dir=cache_dir
    )
    if plan.kind == "off_topic" and query is not None and query != question:
        # a follow-up ("and what about that?") is read with the question before it
        joined = plan_reply(
            query, embedder=retriever.embedder, today=day, draft=draft, cache_dir=cache_dir
        )
        plan = plan if joined.kind == "off_topic" else joined
    asks_own = plan.intent.kind == "eligibility" and plan.kind not in ("refusal", "off_topic")
    registry = CitationRegistry()
    answer = CitedAnswer(registry, retriever, corpus_dir)
    run: EligibilityRun | None = None
    lead = list(plan.lead)
    if plan.kind == "eligibility" and plan.draft is not None and plan.draft.ready:
        profile = plan.draft.to_assess_input(day)
        yield ToolStart("assess_eligibility", profile)
        result = run_assessment(plan.draft, day)
        run = EligibilityRun(profile, result)
        yield ToolResult("assess_eligibility", run)
        unsuitable = any(v.status == "unsuitable" for v in plan.titles)
        if result.outcome == "needs_more_information" and unsuitable:
            lead = lead + assessment_lead(result)  # the listed title says more than "not yet"
        else:
            lead = assessment_lead(result) + lead
    paragraphs = [answer.sentences(lead)] if lead else []
    quote_lines = answer.quotes()
    if plan.kind not in ("refusal", "off_topic"):
        search = corrected(query or question)
        yield ToolStart("search_sources", {"query": search, "k": top_k})
        registry.add([hit.chunk for hit in retriever.search(search, top_k)])
        yield ToolResult("search_sources", registry.passages)
    elif plan.kind == "off_topic" and plan.intent.kind != "off_topic":
        search = corrected(query or question)
        yield ToolStart("search_sources", {"query": search, "k": top_k})
        hits = retriever.search(search, top_k)
        agreed = _agreeing_topic(
            question, [h.chunk for h in hits[:2]], retriever, corpus_dir, cache_dir
        )
        if agreed is not None:  # a topic just under the threshold, and retrieval agrees
            plan = answer_with(plan, agreed, question)
            paragraphs = [answer.sentences(plan.lead)]
            quote_lines = answer.quotes()
            registry.add([h.chunk for h in hits])
            yield ToolResult("search_sources", registry.passages)
        else:
            closest = _closest(retriever, hits, search, registry, answer)
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


def _agreeing_topic(
    question: str,
    chunks: list[Chunk],
    retriever: Retriever,
    corpus_dir: Path,
    cache_dir: Path | None,
) -> TopicMatch | None:
    """A near-miss topic whose statement cites a line that retrieval's best passages hold."""
    topics = load_topics()
    for match in candidate_topics(question, retriever.embedder, cache_dir):
        refs = [r for said in topics.say(match.topic_id) for r in said.refs]
        if any(holds(chunk, ref, corpus_dir) for chunk in chunks for ref in refs):
            return match
    return None


def _closest(
    retriever: Retriever,
    hits: list[Hit],
    query: str,
    registry: CitationRegistry,
    answer: CitedAnswer,
) -> list[str]:
    """Quotes from the closest passages, when they are close enough to be worth showing."""
    best = max((h.dense_score or 0.0 for h in hits), default=0.0)
    if best < CLOSEST_FLOOR:
        return []
    chunks = [h.chunk for h in hits]
    block = quote_sentences(
        query, chunks, retriever.embedder, registry, holder_of=answer.lookup.holding
    )
    return block.lines + [f"Note: {note}" for note in block.notes]


def _cited(passages: list[Passage], text: str) -> list[Passage]:
    return [p for p in passages if f"[{p.n}]" in text]
