"""The offline answer: the sources' own sentences that best answer a question, each cited.

With no language model, skillcheck never paraphrases: it picks the most relevant
sentences (or list items, shown after the line that introduces their list) from the
top passages, quotes them verbatim with their ``[n]`` marker, and lists the
numbered sources. Every marker maps to a retrieved passage by construction.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from skillcheck.corpus import Chunk, sentence_units
from skillcheck.embeddings import Embedder, Vectors
from skillcheck.retrieval import Hit, tokenize

Vector = Vectors
COMPANIONS_PATH = Path(__file__).resolve().parent / "data" / "companions.yaml"
MAX_SENTENCES = 3
#: A sentence is kept when it scores at least this share of the best one.
RELATIVE_FLOOR = 0.75
_ELIGIBILITY = re.compile(
    r"\b(eligib\w*|qualify|am i|will i|do i (meet|pass|get)|my (chances|profile)|"
    r"positive (assessment|outcome)|assess me)\b",
    re.IGNORECASE,
)
ELIGIBILITY_NOTE = (
    "Whether your own qualifications and jobs meet these criteria is decided by the "
    "eligibility check, not by this answer: run `skillcheck assess` (or use the form in the app)."
)


@dataclass(frozen=True)
class Quote:
    """A verbatim span of a hit's chunk, with the list intro it needs, if any."""

    hit_n: int
    start: int  # offsets in the source text
    end: int
    text: str
    intro: str | None
    score: float


@dataclass
class Answer:
    """An answer with its numbered citations (``[n]`` markers in ``text``)."""

    text: str
    mode: str
    citations: list[dict[str, Any]]
    quotes: list[Quote] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` shape of ``skillcheck ask``."""
        return {
            "answer": self.text,
            "mode": self.mode,
            "citations": self.citations,
            "notices": self.notices,
        }


def is_eligibility_question(question: str) -> bool:
    """True when the question asks for a determination about the asker."""
    return bool(_ELIGIBILITY.search(question))


def _candidates(hit: Hit) -> list[tuple[int, int, str, str | None]]:
    """(start, end, text, intro) of each quotable unit of a hit, offsets in the source."""
    base = hit.chunk.start
    return [(base + s, base + e, t, i) for s, e, t, i in sentence_units(hit.chunk.text)]


_CACHE: OrderedDict[tuple[str, int, int, str], Vector] = OrderedDict()
_CACHE_SIZE = 50_000
_CACHE_LOCK = threading.Lock()


def _sentence_vectors(embedder: Embedder, spans: list[tuple[int, int, str]]) -> list[Vector]:
    """Embeddings of candidate sentences, cached per model and text (LRU, thread-safe)."""
    keys = [(embedder.model_id, s, e, t) for s, e, t in spans]
    with _CACHE_LOCK:
        missing = [k for k in dict.fromkeys(keys) if k not in _CACHE]
    fresh: list[Vector] = list(embedder.embed_documents([k[3] for k in missing])) if missing else []
    with _CACHE_LOCK:
        for key, vec in zip(missing, fresh, strict=True):
            _CACHE[key] = vec
        out = []
        for key in keys:
            _CACHE.move_to_end(key)
            out.append(_CACHE[key])
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return out


def _normal(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


@dataclass(frozen=True)
class _Ref:
    source: str
    quote: str


@dataclass(frozen=True)
class Companion:
    """A sentence that must not be quoted alone, and what must be quoted with it."""

    when: _Ref
    add: list[_Ref]
    note: str


def load_companions(path: Path = COMPANIONS_PATH) -> list[Companion]:
    """The companion rules (``skillcheck/data/companions.yaml``)."""
    raw = yaml.safe_load(path.read_text("utf-8"))
    return [
        Companion(_Ref(**r["when"]), [_Ref(**a) for a in r["add"]], " ".join(r["note"].split()))
        for r in raw["rules"]
    ]


def _add_companions(
    quotes: list[Quote], hits: list[Hit], pool: list[Chunk]
) -> tuple[list[Quote], list[Hit], list[str]]:
    """Append the companions of any quoted sentence, citing passages beyond ``hits`` if needed."""
    hits = list(hits)
    notes: list[str] = []
    quoted = {(hits[q.hit_n - 1].chunk.source_id, q.text) for q in quotes}
    for rule in load_companions():
        if not any(src == rule.when.source and rule.when.quote in t for src, t in quoted):
            continue
        for ref in rule.add:
            if any(src == ref.source and ref.quote in t for src, t in quoted):
                continue
            holder = next(
                (h for h in hits if h.chunk.source_id == ref.source and ref.quote in h.chunk.text),
                None,
            )
            if holder is None:
                chunk = next(
                    (c for c in pool if c.source_id == ref.source and ref.quote in c.text), None
                )
                if chunk is None:
                    continue
                holder = Hit(chunk, len(hits) + 1, 0.0, None, None, None, None)
                hits.append(holder)
            n = hits.index(holder) + 1
            at = holder.chunk.text.index(ref.quote) + holder.chunk.start
            quotes.append(Quote(n, at, at + len(ref.quote), ref.quote, None, 0.0))
            quoted.add((ref.source, ref.quote))
        notes.append(rule.note)
    return quotes, hits, notes


def extractive_answer(
    question: str,
    hits: list[Hit],
    embedder: Embedder,
    max_sentences: int = MAX_SENTENCES,
    pool: list[Chunk] | None = None,
) -> Answer:
    """Quote the sentences of ``hits`` that best answer ``question``, each with its [n].

    ``pool`` (all chunks) lets a companion sentence be cited from beyond ``hits``.
    """
    citations = [h.citation(n) for n, h in enumerate(hits, 1)]
    if not hits:
        return Answer(
            "The sources do not answer this question: nothing relevant was found in the "
            "ANZSCO or VETASSESS pages.",
            "offline",
            [],
        )
    cands: list[tuple[int, int, int, str, str | None]] = []
    for n, hit in enumerate(hits, 1):
        cands.extend((n, s, e, t, i) for s, e, t, i in _candidates(hit))
    if not cands:
        cands = [(1, hits[0].chunk.start, hits[0].chunk.end, hits[0].chunk.text, None)]
    q_vec = embedder.embed_query(question)
    vecs = _sentence_vectors(embedder, [(s, e, f"{i} {t}" if i else t) for _, s, e, t, i in cands])
    q_terms = set(tokenize(question))
    scores = []
    for (n, _, _, t, intro), vec in zip(cands, vecs, strict=True):
        overlap = len(q_terms & set(tokenize(f"{intro or ''} {t}"))) / max(len(q_terms), 1)
        rank_prior = 1.0 / (n + 1)
        scores.append(float(np.dot(q_vec, vec)) + 0.3 * overlap + 0.15 * rank_prior)
    order = sorted(range(len(cands)), key=lambda i: -scores[i])
    best = scores[order[0]]
    chosen: list[int] = []
    seen: list[str] = []
    for i in order:
        if scores[i] < best * RELATIVE_FLOOR or len(chosen) == max_sentences:
            break
        key = _normal(cands[i][3])
        if any(key in other or other in key for other in seen):
            continue  # the same sentence from another passage or page says nothing new
        seen.append(key)
        chosen.append(i)
    quotes = [
        Quote(cands[i][0], cands[i][1], cands[i][2], cands[i][3], cands[i][4], scores[i])
        for i in chosen
    ]
    quotes, hits, companion_notes = _add_companions(quotes, hits, pool or [])
    citations = [h.citation(n) for n, h in enumerate(hits, 1)]
    lines: list[str] = []
    merged: dict[tuple[int, str], int] = {}
    for q in quotes:
        if q.intro is not None and (q.hit_n, q.intro) in merged:
            at = merged[(q.hit_n, q.intro)]
            lines[at] = lines[at].replace(f" [{q.hit_n}]", f"; {q.text} [{q.hit_n}]")
            continue
        if q.intro is not None:
            merged[(q.hit_n, q.intro)] = len(lines)
        body = f"{q.intro} {q.text}" if q.intro else q.text
        lines.append(f"- {body} [{q.hit_n}]")
    sources = [
        f'[{c["n"]}] {c["title"]} ({c["publisher"]}), section "{c["section"]}"'
        + ("; note: not the latest ANZSCO release" if not c["latest_release"] else "")
        for c in citations
    ]
    text = "From the sources:\n" + "\n".join(lines)
    text += "".join(f"\n\nNote: {note}" for note in companion_notes)
    text += "\n\nSources:\n" + "\n".join(sources)
    notices = ["offline mode: quoted from the sources, no language model"]
    if is_eligibility_question(question):
        text += "\n\n" + ELIGIBILITY_NOTE
        notices.append("eligibility question: use the eligibility check")
    return Answer(text, "offline", citations, quotes, notices)
