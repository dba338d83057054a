"""Releases the model's text sentence by sentence, each one checked before it is shown.

The model's tokens (already through :class:`~skillcheck.passages.MarkerFilter`, so
their ``[n]`` are checked) are buffered until a sentence ends. Each sentence then has
the API key masked, is checked for repeating the instructions
(:func:`skillcheck.guard.leaks`), and, when it speaks about the applicant's own
outcome, is replaced by the engine's statement (:mod:`skillcheck.guard`). Only then
is it yielded, so no front end ever receives an unchecked sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from skillcheck.guard import (
    NO_CHECK,
    about_own_outcome,
    engine_statement,
    is_interjection,
    leaks,
    may_start_a_leak,
    polarity,
)
from skillcheck.rules.outcomes import Outcome

MASK = "***"
# A sentence ends at . ! ? (then closing quotes or brackets, then markers) before
# whitespace and the next sentence's first character, or at a line break.
_END = re.compile(
    r"[.!?][\"')\]\u201d\u2019]*(?:\s*\[\d+(?:\s*,\s*\d+)*\])*(?:\s+(?=[^\s\[])|\s*\n\s*)|\n\s*"
)
_ABBREVIATION = re.compile(r"\b(?:e\.g|i\.e|vs|approx|cf|no|nos|dr|mr|mrs|ms|st)\.$", re.I)
_BULLET = re.compile(r"^(\s*(?:[-*\u2022]|\d+[.)])\s+)")
_MARKER = re.compile(r"\[\d+(?:\s*,\s*\d+)*\]")
_SPACE_BEFORE_PUNCT = re.compile(r"[ \t]+(?=[,;:]|\.(?!\.))")  # never before "..."


@dataclass
class Replaced:
    """A sentence that spoke about the outcome: what the engine said then, and its polarity."""

    engine_outcome: str | None
    stated: Outcome | None


@dataclass
class SentenceRelease:
    """Buffers streamed text and yields it a checked sentence at a time.

    ``engine`` gives the engine's ``(outcome, summary)`` at the moment a sentence is
    released (None while it has not run); ``asked`` says the question asked for the
    outcome. After a leak, nothing more of the model's text is released:
    :attr:`withheld` is set and the caller says so.
    """

    secret: str | None
    instructions: str
    engine: Callable[[], tuple[str, str] | None]
    asked: bool = False
    allowed: str = ""  # what the instructions ask the model to say: never a leak
    released: str = ""
    withheld: bool = False
    replaced: list[Replaced] = field(default_factory=list)
    passed: int = 0  # sentences of the model's own released unchanged
    _buffer: str = ""
    _pending: str = ""  # checked, held while it may be the start of a leak
    _stated: set[str] = field(default_factory=set)

    def feed(self, text: str) -> str:
        """What of ``buffer + text`` can be shown now: whole checked sentences."""
        if self.withheld:
            return ""
        self._buffer += text
        out: list[str] = []
        while (cut := self._cut()) is not None:
            unit, self._buffer = self._buffer[:cut], self._buffer[cut:]
            out.append(self._check(unit))
        return "".join(out)

    def flush(self) -> str:
        """The rest, checked, at the end of a model message (a sentence may lack its stop)."""
        if self.withheld:
            self._buffer = self._pending = ""
            return ""
        unit, self._buffer = self._buffer, ""
        out = self._check(unit, final=True) if unit else ""
        out += self._release_pending()
        return out

    def paragraph_break(self) -> str:
        """Ends the paragraph released so far (text the model said before a tool call)."""
        if not self.released.strip() or self.released.endswith("\n\n") or self.withheld:
            return ""
        brk = "\n" if self.released.endswith("\n") else "\n\n"
        self.released += brk
        return brk

    def _cut(self) -> int | None:
        buf = self._masked(self._buffer)
        if buf != self._buffer:
            self._buffer = buf
        start = 0
        for match in _END.finditer(buf):
            if match.end() == len(buf) and "\n" not in match.group(0):
                return None  # a marker or a closing quote may still follow
            head = buf[: match.start() + 1].rstrip()
            if _ABBREVIATION.search(head) or is_interjection(buf[start : match.end()]):
                continue
            if self._secret_prefix_at(buf, match.end()):
                return None
            return match.end()
        return None

    def _secret_prefix_at(self, buf: str, cut: int) -> bool:
        """True when a start of the key straddles ``cut`` (keys hold no spaces; be sure)."""
        secret = self.secret
        if not secret:
            return False
        for i in range(max(0, cut - len(secret) + 1), cut):
            if secret.startswith(buf[i:cut]) and secret.startswith(buf[i : i + len(secret)]):
                return len(buf) - i < len(secret)
        return False

    def _masked(self, text: str, final: bool = False) -> str:
        secret = self.secret
        if not secret:
            return text
        text = text.replace(secret, MASK)
        if final:  # a key cut off at the very end: mask its start too
            for size in range(len(secret) - 1, min(8, len(secret)) - 1, -1):
                if text.endswith(secret[:size]):
                    return text[:-size] + MASK
        return text

    def _check(self, unit: str, final: bool = False) -> str:
        unit = self._masked(unit, final)
        if not unit.strip():
            return self._emit(unit, held=bool(self._pending))
        if leaks(self.released + self._pending + unit, self.instructions, allowed=self.allowed):
            self.withheld = True
            self._buffer = self._pending = ""
            return ""
        unit = _SPACE_BEFORE_PUNCT.sub("", unit)
        body = unit.rstrip()
        tail = unit[len(body) :]
        if about_own_outcome(body, asked=self.asked):
            return self._emit(self._replacement(body) + tail, held=False)
        self.passed += 1
        held = may_start_a_leak(self.released + self._pending + body, self.instructions)
        return self._emit(unit, held=held)

    def _emit(self, text: str, held: bool) -> str:
        self._pending += text
        if held:
            return ""
        return self._release_pending()

    def _release_pending(self) -> str:
        out, self._pending = self._pending, ""
        self.released += out
        return out

    def _replacement(self, sentence: str) -> str:
        engine = self.engine()
        statement = engine_statement(engine[1]) if engine else NO_CHECK
        self.replaced.append(Replaced(engine[0] if engine else None, polarity(sentence)))
        if statement in self._stated:
            return ""  # said once already in this answer
        self._stated.add(statement)
        cited = "".join(dict.fromkeys(_MARKER.findall(sentence))) if engine else ""
        if cited:  # the passages the model cited for the outcome stay with the engine's words
            statement = re.sub(r"(?=\.?$)", " " + cited, statement, count=1)
        bullet = _BULLET.match(sentence)
        return (bullet.group(1) if bullet else "") + statement
