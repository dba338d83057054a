"""The prompts, as versioned text files in ``prompts/`` loaded by name.

Each file starts with a ``version: N`` line; the rest is the prompt. A missing file
or a missing version line is an error that names the file, so a broken prompt never
reaches a model silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from skillcheck.errors import SkillcheckError

_VERSION = re.compile(r"\Aversion:\s*(\d+)\s*\n")
_NAME = re.compile(r"\A[a-z0-9_]+\Z")


class PromptError(SkillcheckError):
    """A prompt file is missing or malformed; the message names the file."""


@dataclass(frozen=True)
class Prompt:
    """A prompt's text and the version written at the top of its file."""

    name: str
    version: int
    text: str

    def format(self, **values: str) -> str:
        """The text with ``{name}`` placeholders filled (other braces are left alone)."""
        out = self.text
        for key, value in values.items():
            out = out.replace("{" + key + "}", value)
        return out


@lru_cache(maxsize=64)
def _load(directory: Path, name: str) -> Prompt:
    if not _NAME.match(name):
        raise PromptError(f"prompt name {name!r}: use lower-case letters, digits and _")
    path = directory / f"{name}.txt"
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PromptError(f"{path}: cannot read the prompt ({exc.strerror})") from None
    match = _VERSION.match(raw)
    if match is None:
        raise PromptError(f"{path}: the first line must be 'version: N'")
    text = raw[match.end() :].strip()
    if not text:
        raise PromptError(f"{path}: the prompt is empty")
    return Prompt(name, int(match.group(1)), text)


def load_prompt(name: str, directory: Path) -> Prompt:
    """The prompt ``name`` (``system``, ``followup``, ``tool_...``) in ``directory``."""
    return _load(Path(directory), name)
