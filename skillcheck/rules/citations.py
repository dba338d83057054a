"""Fill a result's citations with character offsets and corpus chunk ids.

Offsets come from the corpus text itself (the quote found on its cited line); the
chunk id and section come from ``skillcheck.corpus.locate_quote`` when that module
is available. The corpus folder is an argument; its default is the packaged one
(``corpus/`` in a checkout, ``skillcheck/_bundled/corpus`` in a wheel), found without
reading any settings. Nothing here changes the determination.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from skillcheck.rules.models import AssessmentResult, Citation

_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # skillcheck/


def default_corpus_dir() -> Path:
    """The corpus folder of a checkout, or its copy inside an installed wheel."""
    in_repo = _PACKAGE_DIR.parent / "corpus"
    return in_repo if in_repo.is_dir() else _PACKAGE_DIR / "_bundled" / "corpus"


@lru_cache(maxsize=8)
def _line_starts(path: str) -> tuple[str, tuple[int, ...]]:
    text = Path(path).read_text(encoding="utf-8")
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    return text, tuple(starts)


def quote_offsets(citation: Citation, corpus_dir: Path) -> tuple[int, int] | None:
    """The quote's character offsets in its source file, found on its cited line."""
    try:
        text, starts = _line_starts(str(corpus_dir / f"{citation.source}.txt"))
    except OSError:
        return None
    if not 1 <= citation.line <= len(starts):
        return None
    begin = starts[citation.line - 1]
    finish = starts[citation.line] - 1 if citation.line < len(starts) else len(text)
    at = text.find(citation.quote, begin, finish)
    return (at, at + len(citation.quote)) if at >= 0 else None


def resolve_citations(result: AssessmentResult, corpus_dir: Path | None = None) -> AssessmentResult:
    """A copy of ``result`` whose citations carry offsets and, when known, chunk ids."""
    folder = corpus_dir if corpus_dir is not None else default_corpus_dir()
    locate: Callable[[str, str], Any] | None
    try:
        from skillcheck.corpus import locate_quote  # type: ignore[attr-defined,unused-ignore]

        locate = locate_quote
    except ImportError:
        locate = None
    resolved: list[Citation] = []
    for c in result.citations:
        update: dict[str, object] = {}
        offsets = quote_offsets(c, folder)
        if offsets is not None:
            update["start"], update["end"] = offsets
        if locate is not None:
            try:
                found = locate(c.source, c.quote, folder)
            except Exception:  # the corpus index is optional here; the answer stands without it
                found = None
            if found is not None:
                update["chunk_id"], update["section"] = found.chunk_id, found.section
                update.setdefault("start", found.start)
                update.setdefault("end", found.end)
        resolved.append(c.model_copy(update=update))
    return result.model_copy(update={"citations": resolved})
