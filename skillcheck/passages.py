"""The passages of a turn: the typed citation, one numbering per turn, a filter on ``[n]``.

A :class:`Passage` is a retrieved chunk as an answer cites it: its number, its
source, its text and the exact spans the answer quoted (``highlights``). Every
passage found during a turn gets a number (a passage found twice keeps its first
number). The model's text is passed through :class:`MarkerFilter` as it streams: a
marker that names a passage is kept, any other is removed and recorded.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from skillcheck.corpus import Chunk, split_sentences
from skillcheck.retrieval import tokenize

Span = tuple[int, int]


@dataclass(frozen=True)
class Passage:
    """A numbered passage of a source, as an answer cites it (``[n]``).

    ``start``/``end`` and ``highlights`` are character offsets in the source text;
    ``highlights`` are the spans the answer quoted or stated from this passage.
    """

    n: int
    chunk_id: str
    source: str
    title: str
    publisher: str
    latest_release: bool
    section: str
    text: str
    start: int
    end: int
    url: str | None = None
    captured: str | None = None
    highlights: tuple[Span, ...] = ()

    @classmethod
    def of(cls, chunk: Chunk, n: int, highlights: tuple[Span, ...] = ()) -> Passage:
        """The passage of ``chunk``, numbered ``n``."""
        meta = chunk.meta
        return cls(
            n=n,
            chunk_id=chunk.id,
            source=chunk.source_id,
            title=str(meta.get("title", "")),
            publisher=str(meta.get("publisher", "")),
            latest_release=bool(meta.get("latest_release", True)),
            section=chunk.section,
            text=chunk.text,
            start=chunk.start,
            end=chunk.end,
            url=str(meta["url"]) if meta.get("url") else None,
            captured=str(meta["captured"]) if meta.get("captured") else None,
            highlights=highlights,
        )

    def with_highlights(self, spans: list[Span]) -> Passage:
        """A copy whose highlights are ``spans`` (source offsets) added to its own, merged."""
        return replace(self, highlights=merge_spans([*self.highlights, *spans]))

    def local_highlights(self) -> list[Span]:
        """The highlights as offsets within :attr:`text`."""
        return [(s - self.start, e - self.start) for s, e in self.highlights]

    def to_json(self) -> dict[str, Any]:
        """The JSON record (``ask --json``, session state, downloads)."""
        return {
            "n": self.n,
            "chunk_id": self.chunk_id,
            "source": self.source,
            "title": self.title,
            "publisher": self.publisher,
            "latest_release": self.latest_release,
            "section": self.section,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "url": self.url,
            "captured": self.captured,
            "highlights": [list(span) for span in self.highlights],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Passage:
        """The passage of a JSON record made by :meth:`to_json`."""
        return cls(
            n=int(data["n"]),
            chunk_id=str(data["chunk_id"]),
            source=str(data["source"]),
            title=str(data.get("title", "")),
            publisher=str(data.get("publisher", "")),
            latest_release=bool(data.get("latest_release", True)),
            section=str(data.get("section", "")),
            text=str(data.get("text", "")),
            start=int(data.get("start", 0)),
            end=int(data.get("end", 0)),
            url=data.get("url"),
            captured=data.get("captured"),
            highlights=tuple((int(s), int(e)) for s, e in data.get("highlights", [])),
        )


def merge_spans(spans: list[Span]) -> tuple[Span, ...]:
    """``spans`` sorted, with overlapping or touching spans joined."""
    out: list[Span] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(e, out[-1][1]))
        else:
            out.append((s, e))
    return tuple(out)


#: A sentence of a passage is highlighted when this share of its words is in the claim.
OVERLAP_FLOOR = 0.6
#: ``[3]`` or ``[1, 2]``: what a citation marker looks like in an answer.
MARKER = re.compile(r"\[\s*(\d{1,3}(?:\s*,\s*\d{1,3})*)\s*\]")
_MAX_HELD = 16  # the longest marker we wait for before giving up on a "["
_PARTIAL = re.compile(r"\[[\d,\s]*\Z")


class CitationRegistry:
    """The passages retrieved in one turn, numbered from 1 in the order first seen.

    Safe for the parallel tool calls of one model reply (the agent runs them in
    threads): numbering is done under a lock, so no two passages share a number.
    """

    def __init__(self) -> None:
        self._by_chunk: dict[str, Passage] = {}
        self._lock = threading.Lock()

    def add(self, chunks: list[Chunk]) -> list[Passage]:
        """Number ``chunks`` (reusing numbers of passages already seen); their passages."""
        out = []
        with self._lock:
            for chunk in chunks:
                known = self._by_chunk.get(chunk.id)
                if known is None:
                    known = Passage.of(chunk, len(self._by_chunk) + 1)
                    self._by_chunk[chunk.id] = known
                out.append(known)
        return out

    def highlight(self, chunk_id: str, spans: list[Span]) -> None:
        """Mark ``spans`` (source offsets) of a numbered passage as quoted by the answer."""
        with self._lock:
            self._by_chunk[chunk_id] = self._by_chunk[chunk_id].with_highlights(spans)

    def number_of(self, chunk_id: str) -> int | None:
        """The number of a passage of this turn, or None."""
        known = self._by_chunk.get(chunk_id)
        return None if known is None else known.n

    @property
    def passages(self) -> list[Passage]:
        """Every passage of the turn, by number."""
        return sorted(self._by_chunk.values(), key=lambda p: p.n)

    @property
    def numbers(self) -> set[int]:
        """The numbers an answer may cite."""
        return {p.n for p in self._by_chunk.values()}


def format_passages(passages: list[Passage]) -> str:
    """The passages as the model reads them: numbered, with title and section."""
    if not passages:
        return "No passage matched. The sources do not answer this."
    blocks = [
        f'[{p.n}] {p.title} ({p.publisher}), section "{p.section}":\n{p.text}' for p in passages
    ]
    return "\n\n".join(blocks)


class MarkerFilter:
    """Streams text through, keeping only ``[n]`` markers whose ``n`` is allowed.

    ``allowed`` is read at every marker, so passages retrieved later in the turn
    become citable from then on. Text is held back only while a ``[`` might still
    become a marker.
    """

    def __init__(self, allowed: set[int]) -> None:
        self.allowed = allowed
        self.kept: set[int] = set()
        self.removed: list[int] = []
        self._held = ""

    def feed(self, text: str) -> str:
        """The part of ``held + text`` that can be shown now, markers checked."""
        buf = self._held + text
        self._held = ""
        out: list[str] = []
        pos = 0
        while True:
            start = buf.find("[", pos)
            if start < 0:
                out.append(buf[pos:])
                break
            out.append(buf[pos:start])
            match = MARKER.match(buf, start)
            if match is not None:
                out.append(self._check(match))
                pos = match.end()
                continue
            tail = buf[start:]
            if _PARTIAL.match(tail) and len(tail) < _MAX_HELD:
                self._held = tail  # may still become a marker
                break
            out.append("[")
            pos = start + 1
        return "".join(out)

    def flush(self) -> str:
        """What is still held back (an unfinished ``[``), as plain text."""
        held, self._held = self._held, ""
        return held

    def _check(self, match: re.Match[str]) -> str:
        numbers = [int(n) for n in re.split(r"\s*,\s*", match.group(1).strip())]
        good = [n for n in numbers if n in self.allowed]
        self.removed.extend(n for n in numbers if n not in self.allowed)
        self.kept.update(good)
        return "".join(f"[{n}]" for n in good)


def markers(text: str) -> list[int]:
    """Every number cited in ``text``, in order."""
    return [int(n) for m in MARKER.finditer(text) for n in re.split(r"\s*,\s*", m.group(1))]


def claims(text: str) -> dict[int, list[str]]:
    """For each cited number, the pieces of the answer that cite it.

    A claim is the text between the previous marker (or the line's start) and the
    marker itself; a bullet's list intro stays in it.
    """
    out: dict[int, list[str]] = {}
    for line in text.split("\n"):
        pos = 0
        for match in MARKER.finditer(line):
            claim = line[pos : match.start()].strip(" -*•;,")
            for n in re.split(r"\s*,\s*", match.group(1)):
                if claim:
                    out.setdefault(int(n), []).append(claim)
            pos = match.end()
    return out


def highlight_spans(passage: str, claim_texts: Iterable[str]) -> list[tuple[int, int]]:
    """Spans of ``passage`` (its sentences) that the claims quote or restate."""
    sentences = [(s, e) for s, e in split_sentences(passage) if e - s >= 8]
    spans: set[tuple[int, int]] = set()
    for claim in claim_texts:
        verbatim = _exact_spans(passage, claim)
        verbatim += [(s, e) for s, e in sentences if passage[s:e].strip() in claim]
        if verbatim:
            spans.update(verbatim)
            continue
        claim_terms = set(tokenize(claim))
        best: tuple[float, tuple[int, int]] | None = None
        for s, e in sentences:
            terms = set(tokenize(passage[s:e]))
            if not terms:
                continue
            share = len(terms & claim_terms) / len(terms)
            if share >= OVERLAP_FLOOR and (best is None or share > best[0]):
                best = (share, (s, e))
        if best is not None:
            spans.add(best[1])
    return list(merge_spans(sorted(spans)))


def _exact_spans(passage: str, claim: str) -> list[tuple[int, int]]:
    """Where the claim (or each "; "-joined piece of it) appears in the passage verbatim."""
    out: list[tuple[int, int]] = []
    for piece in [claim, *claim.split("; ")]:
        piece = piece.strip()
        at = passage.find(piece) if len(piece) >= 12 else -1
        if at >= 0:
            out.append((at, at + len(piece)))
    return out


def with_claim_highlights(passages: list[Passage], answer_text: str) -> list[Passage]:
    """``passages`` with highlights on the sentences the answer's claims quote or restate.

    For a model's answer, whose claims are its own words; the offline answer knows the
    exact spans it quoted and sets them itself.
    """
    by_number = claims(answer_text)
    out = []
    for p in passages:
        spans = highlight_spans(p.text, by_number.get(p.n, []))
        out.append(p.with_highlights([(s + p.start, e + p.start) for s, e in spans]))
    return out
