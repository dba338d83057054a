"""The errors skillcheck raises: one type per kind of mistake, each shown as one line.

Who raises what, and what follows:
- ``UserInputError``: the caller gave input we cannot use (an empty question, a bad
  ``--top-k``, a malformed assessment file). The CLI prints one line, exits 2.
- ``StoreError``: the vector store is missing, corrupt, or unreachable. One line, exit 2.
- ``EmbeddingMismatchError``: the store was built with another embedding model than the
  one configured. The message says to re-run ``skillcheck ingest``.
- ``CorpusError``: a corpus file or the manifest is wrong (missing file, hash mismatch,
  unknown key). Ingest stops before anything is written; the old store keeps serving.
- ``ModelFileError``: the bundled embedding model is missing or fails its hash check.
- ``RulesFileError``: a rules file is malformed; it does not load.

(``skillcheck.events.ModelFailure`` is not a user mistake: the agent raises it when the
model fails, and the assistant answers offline instead.)

A "does not meet the criteria" outcome is an answer, never an exception.
"""

from __future__ import annotations


class SkillcheckError(Exception):
    """Base of every error skillcheck reports to a user as one line."""

    exit_code = 2


class UserInputError(SkillcheckError):
    """The caller's input is unusable; the message names the field or argument."""


class StoreError(SkillcheckError):
    """The vector store is missing, corrupt or unreachable."""


class EmbeddingMismatchError(StoreError):
    """The store was built with a different embedding model than the configured one."""


class CorpusError(SkillcheckError):
    """A corpus text or the manifest is wrong; nothing was written."""


class ModelFileError(SkillcheckError):
    """The offline embedding model file is missing or fails its sha256 check."""


class RulesFileError(SkillcheckError):
    """A rules file is malformed; the error names the file and the key."""
