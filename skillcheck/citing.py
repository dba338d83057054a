"""Citing our statements: each sentence's corpus lines become numbered, highlighted passages.

A statement we wrote (a topic's, a title verdict's, the engine's outcome) names the
corpus lines it rests on (:class:`skillcheck.topics.Ref`). :class:`CitedAnswer` finds
the passage holding each line, numbers it in the turn's registry, highlights the
quoted words, and keeps the lines to quote as evidence. Used by the offline turn
and, as verified context, by the model's turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from skillcheck.corpus import Chunk, load_sources
from skillcheck.facts import DraftProfile, apply_followup, read_facts
from skillcheck.history import Message
from skillcheck.passages import CitationRegistry
from skillcheck.reply import is_followup
from skillcheck.topics import Ref, Said

#: Supporting quotes shown under the direct answer, at most.
MAX_EVIDENCE = 3


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


def holds(chunk: Chunk, ref: Ref, corpus_dir: Path) -> bool:
    """True when ``chunk`` holds the corpus line ``ref`` cites."""
    span = _span(ref, corpus_dir)
    return span is not None and chunk.source_id == ref.source and chunk.start <= span[0] < chunk.end


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
            draft = apply_followup(draft, message.content, today)
        else:
            facts = read_facts(message.content, today)
            if facts.has_facts:
                draft = facts
    return draft


class CitedAnswer:
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
