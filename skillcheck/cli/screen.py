"""What a turn has printed, so a model's text can be taken back when the offline answer replaces it.

The model's answer is streamed a checked sentence at a time. When the model then fails
(a cut stream, the turn's deadline, a tool loop...), the offline answer follows with
a notice; the sentences already printed must not read as part of it. On a terminal
they are erased (the cursor goes back to where the turn began and the screen is
cleared below it) when that place can be told for sure: every character's width is
known and the text has not scrolled off the screen. Otherwise (a pipe, a file, or a
terminal where it cannot be told) a line says that the text above was cut off and
that what follows replaces it. Holding the text back until the turn ends would be
simpler, but the answer would then appear only after the whole turn (seconds, up to
``SKILLCHECK_TURN_TIMEOUT``) on every turn, to guard against the rare one that fails.
"""

from __future__ import annotations

import os
import unicodedata
from typing import TextIO

CUT_OFF = (
    "[cut off: the model's text above is not the answer; the offline answer below replaces it]"
)


def _width(ch: str) -> int | None:
    """Columns ``ch`` takes on a terminal; None when it cannot be told."""
    category = unicodedata.category(ch)
    if category in ("Mn", "Me"):  # combining marks, variation selectors
        return 0
    if category in ("Cc", "Cf", "Co", "Cs", "Cn"):  # controls, format, private, unassigned
        return None
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def rows_up(text: str, columns: int) -> int | None:
    """How many rows above the cursor ``text`` began, printed from column 0 on a
    terminal ``columns`` wide (wrapping as terminals do); None when it cannot be told."""
    row = col = 0
    for ch in text:
        if ch == "\n":
            row, col = row + 1, 0
            continue
        width = _width(ch)
        if width is None:
            return None
        if col + width > columns:
            row, col = row + 1, 0
        col += width
    return row


def _terminal(stream: TextIO) -> int | None:
    """The device of ``stream`` when it is a terminal."""
    try:
        return os.fstat(stream.fileno()).st_rdev if stream.isatty() else None
    except (OSError, ValueError):  # no file descriptor (a StringIO)
        return None


class Screen:
    """A turn's output: the answer on ``out``, side lines (steps, notes) on ``err``."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        self.out, self.err = out, err
        self._tty = _terminal(out)
        self._same = self._tty is not None and _terminal(err) == self._tty
        self._shown = ""  # what this turn put on the terminal, in order, since it began
        self._answered = False  # some of the answer was printed

    def write(self, text: str) -> None:
        """Print a piece of the answer."""
        self.out.write(text)
        self.out.flush()
        self._shown += text
        self._answered = self._answered or bool(text.strip())

    def note(self, line: str) -> None:
        """Print a side line (a step, a notice) on ``err``; it ends with a newline."""
        self.out.flush()
        self.err.write(line)
        self.err.flush()
        if self._same:  # on the same screen, between the answer's rows
            self._shown += line

    def take_back(self) -> None:
        """Withdraw what this turn printed of the answer: erased, or marked as cut off."""
        if self._answered:
            erase = self._erase()
            if erase is not None:
                self.out.write(erase)
            else:
                self.out.write(("" if self._shown.endswith("\n") else "\n") + CUT_OFF + "\n")
            self.out.flush()
        self._shown, self._answered = "", False

    def _erase(self) -> str | None:
        """The ANSI sequence that clears the turn's rows; None off a terminal or unsure."""
        if self._tty is None:
            return None
        try:
            size = os.get_terminal_size(self.out.fileno())
        except (OSError, ValueError):
            return None
        up = rows_up(self._shown, size.columns)
        if up is None or up >= size.lines - 1:  # its first row has scrolled off the screen
            return None
        return "\r" + (f"\x1b[{up}A" if up else "") + "\x1b[J"
