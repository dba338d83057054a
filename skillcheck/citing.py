"""Citing our statements: each sentence's corpus lines become numbered, highlighted passages.

A statement we wrote (a topic's, a title verdict's, the engine's outcome) names the
corpus lines it rests on (:class:`skillcheck.topics.Ref`). :class:`CitedAnswer` finds
the passage holding each line, numbers it in the turn's registry, highlights the
quoted words, and keeps the lines to quote as evidence. Used by the offline turn
and, as verified context, by the model's turn.

Which chunk holds a line is known from chunking the pages of ``corpus_dir`` (a chunk's
id is a digest of its page and text); only those chunks are read from the store, by
id (:class:`CorpusChunks`), so citing costs the same at 21 chunks or 100,000. A line
whose chunk is not in the build (a build made from other pages) is not cited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from skillcheck.corpus import Chunk, chunk_at, load_sources, locate_quote
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


class ChunkReader(Protocol):
    """Reads a build's chunks by id (the retriever does, from the build it answers from)."""

    def chunks_by_id(self, ids: list[str]) -> dict[str, Chunk]: ...


class CorpusChunks:
    """The build's chunks that hold the pages' lines, each read by id when first cited."""

    def __init__(self, reader: ChunkReader, corpus_dir: Path):
        self.reader = reader
        self.corpus_dir = corpus_dir

    def _read(self, local: list[Chunk]) -> dict[str, Chunk]:
        """The build's chunks with these chunks' ids (the same page and text)."""
        ids = list(dict.fromkeys(c.id for c in local))
        return self.reader.chunks_by_id(ids) if ids else {}

    def at(self, spans: list[tuple[str, int]]) -> list[tuple[Chunk, int] | None]:
        """For each (page, offset): the build's chunk holding it, and how far the build's
        offsets are from the pages' (0 unless the pages changed above that chunk)."""
        local = [chunk_at(source, offset, self.corpus_dir) for source, offset in spans]
        read = self._read([c for c in local if c is not None])
        out: list[tuple[Chunk, int] | None] = []
        for chunk in local:
            stored = read.get(chunk.id) if chunk is not None else None
            if chunk is None or stored is None or stored.text != chunk.text:
                out.append(None)
            else:
                out.append((stored, stored.start - chunk.start))
        return out

    def holding(self, source: str, quote: str) -> Chunk | None:
        """The build's chunk of page ``source`` whose text has ``quote``."""
        found = locate_quote(source, quote, self.corpus_dir)
        if found is None:
            return None
        stored = self.reader.chunks_by_id([found.chunk_id]).get(found.chunk_id)
        return stored if stored is not None and quote in stored.text else None


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

    def __init__(self, registry: CitationRegistry, reader: ChunkReader, corpus_dir: Path):
        self.registry = registry
        self.lookup = CorpusChunks(reader, corpus_dir)
        self.corpus_dir = corpus_dir
        self.evidence: list[tuple[int, int, str, bool]] = []  # (n, offset, quote, list item?)

    def cite(self, refs: tuple[Ref, ...]) -> str:
        """The ``[n]`` markers for ``refs``; their passages are numbered and highlighted."""
        numbers: list[int] = []
        found: list[tuple[Ref, tuple[int, int]]] = []
        for ref in refs:
            at = _span(ref, self.corpus_dir)
            if at is not None:
                found.append((ref, at))
        holders = self.lookup.at([(ref.source, at[0]) for ref, at in found])
        for (ref, at), held in zip(found, holders, strict=True):
            if held is None:
                continue
            chunk, shift = held
            span = (at[0] + shift, at[1] + shift)  # in the build's offsets
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
