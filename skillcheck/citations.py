"""Citations you can trust: one numbering per turn, and a filter on the answer's ``[n]``.

Every passage retrieved during a turn gets a number (a passage found twice keeps its
first number). The model's text is passed through :class:`MarkerFilter` as it
streams: a marker that names a retrieved passage is kept, any other is removed and
recorded, so a caller can say so and flag an answer that cites nothing.
"""

from __future__ import annotations

import re
from typing import Any

from skillcheck.retrieval import Hit

#: ``[3]`` or ``[1, 2]``: what a citation marker looks like in an answer.
MARKER = re.compile(r"\[\s*(\d{1,3}(?:\s*,\s*\d{1,3})*)\s*\]")
_MAX_HELD = 16  # the longest marker we wait for before giving up on a "["
_PARTIAL = re.compile(r"\[[\d,\s]*\Z")


class CitationRegistry:
    """The passages retrieved in one turn, numbered from 1 in the order first seen."""

    def __init__(self) -> None:
        self._by_chunk: dict[str, dict[str, Any]] = {}

    def add(self, hits: list[Hit]) -> list[dict[str, Any]]:
        """Number ``hits`` (reusing numbers of passages already seen); their citations."""
        out = []
        for hit in hits:
            known = self._by_chunk.get(hit.chunk.id)
            if known is None:
                known = hit.citation(len(self._by_chunk) + 1)
                self._by_chunk[hit.chunk.id] = known
            out.append(known)
        return out

    @property
    def citations(self) -> list[dict[str, Any]]:
        """Every passage of the turn, by number."""
        return sorted(self._by_chunk.values(), key=lambda c: int(c["n"]))

    @property
    def numbers(self) -> set[int]:
        """The numbers an answer may cite."""
        return {int(c["n"]) for c in self._by_chunk.values()}


def format_passages(citations: list[dict[str, Any]]) -> str:
    """The passages as the model reads them: numbered, with title and section."""
    if not citations:
        return "No passage matched. The sources do not answer this."
    blocks = [
        f'[{c["n"]}] {c["title"]} ({c["publisher"]}), section "{c["section"]}":\n{c["text"]}'
        for c in citations
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
