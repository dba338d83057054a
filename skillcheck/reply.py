"""Plan what the chat says first: the kind of reply, the direct answer (our cited
sentences), title verdicts, the draft profile, what to ask, and follow-up suggestions.

``plan_reply`` neither retrieves, numbers citations nor runs the engine: the turn
does. For a ready draft the turn calls :func:`run_assessment` and puts
:func:`assessment_lead` before the plan's lead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

from skillcheck.facts import DraftProfile, apply_followup, read_facts
from skillcheck.intent import Intent, classify
from skillcheck.rules import AssessmentResult, assess
from skillcheck.spelling import correct, vocabulary
from skillcheck.titles_in_text import TitleVerdict, titles_in_text
from skillcheck.topics import (
    QueryEmbedder,
    Ref,
    Said,
    TopicMatch,
    Topics,
    load_topics,
    match_topics,
    score_topics,
)

_ABOUT_TITLE = re.compile(r"\b(job )?titles?\b|\bcalled\b", re.IGNORECASE)
#: A topic under the threshold may still answer when retrieval agrees, if it scores this.
CANDIDATE_FLOOR = 0.40
ReplyKind = Literal[
    "answer", "title_verdict", "eligibility", "missing_facts", "off_topic", "refusal"
]
_FOLLOWUP = re.compile(
    r"^\s*(what if|and if|if|actually|suppose|what about|and what|also|i also|instead|but|"
    r"ok(ay)?,? (and|what)|no,? |sorry|correction|make that|change)",
    re.IGNORECASE,
)
#: Topics whose statement answers a question about the asker's own facts better than
#: a say-back alone (the answer does not depend on the rest of the profile).
_FACT_TOPICS = {
    "experience_without_qualification",
    "hours_part_time",
    "unpaid_volunteer",
    "retail_transactional",
    "operations_exclusion",
    "self_employment",
    "overseas_experience",
    "pre_qualification",
    "window",
    "both_required",
    "qualification_level",
    "fields",
    "additional_qualification",
    "dedicated_role",
}


@dataclass(frozen=True)
class ReplyPlan:
    """What to say first, and everything the turn needs to say the rest."""

    kind: ReplyKind
    lead: list[Said]
    intent: Intent
    topics: list[TopicMatch] = field(default_factory=list)
    titles: list[TitleVerdict] = field(default_factory=list)
    draft: DraftProfile | None = None
    understood: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    ask: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)


def _listed(verdicts: list[TitleVerdict]) -> list[TitleVerdict]:
    return [v for v in verdicts if v.status != "not_listed"]


def _title_lead(verdicts: list[TitleVerdict]) -> list[Said]:
    ordered = sorted(verdicts, key=lambda v: v.status != "unsuitable")
    out: list[Said] = []
    for v in ordered:
        out.extend(v.said)
    return out


def _suggestions(
    question: str,
    embedder: QueryEmbedder,
    topics: Topics,
    chosen: list[str],
    cache_dir: Path | None = None,
) -> list[str]:
    ranked = [m.topic_id for m in score_topics(question, embedder, topics, cache_dir)]
    picks = [t for t in ranked if t not in chosen][:3]
    return [topics.topic(t).examples[0] for t in picks]


def is_followup(question: str, draft: DraftProfile | None) -> bool:
    """True when ``question`` changes or adds to the facts of ``draft``."""
    if draft is None or not draft.has_facts:
        return False
    if _FOLLOWUP.search(question):
        return True
    return read_facts(question, draft.today).has_facts


def plan_reply(
    question: str,
    *,
    embedder: QueryEmbedder,
    today: date,
    draft: DraftProfile | None = None,
    topics: Topics | None = None,
    cache_dir: Path | None = None,
) -> ReplyPlan:
    """Plan the reply to one chat message (``draft``: the profile so far, if any).

    ``cache_dir`` keeps the topics' example vectors between processes."""
    topics = topics or load_topics()
    text = corrected(question, topics)  # "qualifcation" -> "qualification"
    intent = classify(text)
    replies = topics.file.replies
    if intent.kind == "manipulation":
        refusal = [Said(s.text, tuple(s.cite)) for s in replies["refusal"]]
        inside = [m for m in match_topics(text, embedder, topics, cache_dir) if m.cue][:1]
        inner = [s for m in inside for s in topics.say(m.topic_id, text)]
        return ReplyPlan("refusal", refusal[:1] + inner + refusal[1:], intent, draft=draft)
    matches = match_topics(text, embedder, topics, cache_dir)
    if len(matches) > 1 and matches[0].topic_id == "occupation_code" and "149212" in text:
        matches = [matches[1], matches[0]]  # the asker already knows the code: answer the rest
    chosen = [m.topic_id for m in matches]
    suggestions = _suggestions(text, embedder, topics, chosen, cache_dir)
    if intent.kind == "off_topic":
        lead = [Said(s.text, tuple(s.cite)) for s in replies["off_topic"]]
        return ReplyPlan("off_topic", lead, intent, draft=draft, suggestions=suggestions)
    verdicts = titles_in_text(text, topics)
    listed = _listed(verdicts)
    topic_lead = [s for t in chosen for s in topics.say(t, text)]
    # the asker's own facts: a new draft, or a follow-up that changes the one we have
    changed = None
    if is_followup(question, draft):
        assert draft is not None
        changed = apply_followup(draft, question, today)
        if changed.to_assess_input() == draft.to_assess_input():
            changed = None  # "what about the documents?": a question, not a change
    if changed is not None:
        current: DraftProfile | None = changed
    else:
        facts = read_facts(question, today)
        current = facts if facts.has_facts else None
    own_case = current is not None and (
        intent.kind == "eligibility" or intent.has_facts or changed is not None
    )
    if current is not None and own_case:
        unsuitable = [v for v in listed if v.status == "unsuitable"]
        others = _title_lead([v for v in listed if v.status != "unsuitable"])
        not_decided = [Said(s.text, tuple(s.cite)) for s in replies["missing_facts"]]
        fact_topic = bool(chosen) and chosen[0] in _FACT_TOPICS and (matches[0].cue or not listed)
        # the order of what is said first: a listed-unsuitable title; why no qualification
        # or the topic its cue words ask about; the title, when the question is about it;
        # "not decided yet" when an outcome was asked for and facts are missing
        lead = _title_lead(unsuitable)
        if current.no_qualification and "experience_without_qualification" not in chosen:
            lead += topics.say("experience_without_qualification", text)
            fact_topic = False
        elif fact_topic and matches[0].cue:
            lead += topic_lead
            fact_topic = False
        if _ABOUT_TITLE.search(text):
            lead += others
            others = []
        if not current.ready and intent.asks_outcome:
            lead += not_decided
        if fact_topic:
            lead += topic_lead
        lead += others
        if not lead and chosen:
            lead = topic_lead  # answer the question first, then the facts
        kind: ReplyKind = "eligibility" if current.ready else "missing_facts"
        if not lead and not current.ready:
            lead = [Said(s.text, tuple(s.cite)) for s in replies["missing_facts"]]
        return ReplyPlan(
            kind,
            lead,
            intent,
            topics=matches,
            titles=verdicts,
            draft=current,
            understood=current.understood,
            assumptions=current.assumptions,
            ask=current.missing,
            suggestions=suggestions,
        )
    if listed:
        return ReplyPlan(
            "title_verdict",
            _title_lead(listed),
            intent,
            topics=matches,
            titles=verdicts,
            draft=draft,
            suggestions=suggestions,
        )
    if intent.kind == "eligibility" and not chosen:
        empty = read_facts("", today)
        lead = [Said(s.text, tuple(s.cite)) for s in replies["missing_facts"]]
        return ReplyPlan(
            "missing_facts", lead, intent, draft=draft, ask=empty.missing, suggestions=suggestions
        )
    if chosen:
        unknown = [v for v in verdicts if v.status == "not_listed"]
        if unknown and chosen[0] in {"suitable_titles", "unsuitable_titles"}:
            topic_lead = _title_lead(unknown) + topic_lead  # "Is <a title> accepted?"
        return ReplyPlan(
            "answer",
            topic_lead,
            intent,
            topics=matches,
            titles=verdicts,
            draft=draft,
            suggestions=suggestions,
        )
    if verdicts:  # a title we do not know, and nothing else to say
        return ReplyPlan(
            "title_verdict", _title_lead(verdicts), intent, titles=verdicts, draft=draft,
            suggestions=suggestions,
        )  # fmt: skip
    lead = [Said(s.text, tuple(s.cite)) for s in replies["off_topic"]]
    return ReplyPlan("off_topic", lead, intent, draft=draft, suggestions=suggestions)


def corrected(question: str, topics: Topics | None = None) -> str:
    """The question with misspelt words read as the pages' and the topics' words."""
    topics = topics or load_topics()
    examples = tuple(e for t in topics.file.topics for e in t.examples)
    return correct(question, vocabulary(extra=examples))


def candidate_topics(
    question: str, embedder: QueryEmbedder, cache_dir: Path | None = None
) -> list[TopicMatch]:
    """Topics close to the question but under the matching threshold, best first.

    The turn uses one only when retrieval agrees (its best passages hold a line the
    topic's statement cites): two independent signals, never one alone.
    """
    topics = load_topics()
    ranked = score_topics(corrected(question, topics), embedder, topics, cache_dir)
    return [m for m in ranked[:3] if m.score >= CANDIDATE_FLOOR]


def answer_with(plan: ReplyPlan, match: TopicMatch, question: str) -> ReplyPlan:
    """``plan`` answered by ``match``'s statement (for a question no topic matched)."""
    topics = load_topics()
    lead = topics.say(match.topic_id, corrected(question, topics))
    return replace(plan, kind="answer", lead=lead, topics=[match])


# ---- the engine, for the turn -----------------------------------------------------


def run_assessment(draft: DraftProfile, application_date: date | None = None) -> AssessmentResult:
    """The engine's answer for a ready draft (the determination is the engine's alone)."""
    return assess(draft.to_assess_input(application_date))


_OUTCOME_LEAD = {
    "meets_criteria": "Yes, on the facts as read:",
    "does_not_meet": "No, on the facts as read:",
    "needs_more_information": "Not decided yet:",
}


def assessment_lead(result: AssessmentResult) -> list[Said]:
    """The engine's outcome as the first sentence, citing the lines its route rests on."""
    by_id = {c.id: c for c in result.citations}
    route = next((r for r in result.routes if r.route == result.pathway), None)
    ids = list(route.cites) if route else []
    if result.outcome == "does_not_meet":
        ids += [i for i in by_id if i.endswith(":58")]
    refs = tuple(
        dict.fromkeys(
            Ref(source=by_id[i].source, line=by_id[i].line, quote=by_id[i].quote)
            for i in ids
            if i in by_id
        )
    )
    summary = result.summary[:1].lower() + result.summary[1:]
    said = [Said(f"{_OUTCOME_LEAD[result.outcome]} {summary}", refs)]
    if result.outcome == "does_not_meet":
        said += _closest_route(result, by_id)
    return said


def _closest_route(result: AssessmentResult, by_id: dict[str, Any]) -> list[Said]:
    """Why not, on the route that came closest; and when it would be met, if the engine knows."""
    open_routes = [r for r in result.routes if r.qualification_met and r.required_days]
    if not open_routes:
        return []
    closest = min(open_routes, key=lambda r: (r.required_days - r.counted_days, r.route))
    window = min((q.window_years for q in closest.requirements), default=None)
    within = f" in the {window} years before the application date" if window else ""
    refs = tuple(
        Ref(source=by_id[i].source, line=by_id[i].line, quote=by_id[i].quote)
        for i in closest.cites
        if i in by_id
    )
    reason = closest.reason.removeprefix("not met: ")
    out = [Said(f"The closest is route {closest.route}: {reason}{within}.", refs)]
    step = next(
        (n for n in result.next_steps if n.route == closest.route and n.earliest_date), None
    )
    if step is not None and step.earliest_date is not None:
        out.append(
            Said(
                f"If your current job continues, route {closest.route} would be met for an "
                f"application dated {step.earliest_date.isoformat()} or later.",
                (),
            )
        )
    return out
