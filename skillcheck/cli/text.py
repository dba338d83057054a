"""Text from the command line or stdin that is not UTF-8: refused as one line, not guessed.

A question typed in a Latin-1 terminal (``caf\\xe9``) reaches Python as a string with
surrogate escapes. We refuse it rather than replace the bytes: a replaced character
would silently change the question, and the fix (a UTF-8 terminal) is the user's.
"""

from __future__ import annotations

import io
import sys

from skillcheck.errors import UserInputError


def bad_byte(text: str) -> str | None:
    """A description of the first character of ``text`` that is not UTF-8 text, or None."""
    for i, ch in enumerate(text):
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte, smuggled in as a surrogate
            return f"byte 0x{code - 0xDC00:02x} at character {i + 1}"
        if 0xD800 <= code <= 0xDFFF:
            return f"a lone surrogate at character {i + 1}"
    return None


def check_utf8(text: str, what: str) -> str:
    """``text`` unchanged, or a :class:`UserInputError` naming ``what`` and the bad byte."""
    found = bad_byte(text)
    if found is not None:
        raise UserInputError(
            f"{what}: not UTF-8 text ({found}); set your terminal to UTF-8, or retype it"
        )
    return text


def tolerant_stdin() -> None:
    """Let undecodable stdin bytes arrive as surrogates, so each line can be refused alone."""
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="surrogateescape")
