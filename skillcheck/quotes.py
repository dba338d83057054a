"""Quotes: the sources' own sentences that best bear on a question, each cited.

It picks the most relevant sentences (or list items, shown after the line that
introduces their list) from the retrieved passages and quotes them verbatim with
their ``[n]`` marker; the quoted spans become the passages' highlights. Every marker
maps to a numbered passage by construction. A sentence that must not stand alone
(``skillcheck/data/companions.yaml``) brings its companions.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from skillcheck.corpus import Chunk, sentence_units
from skillcheck.embeddings import Embedder, Vectors
from skillcheck.passages import CitationRegistry, Passage
from skillcheck.paths import DATA_DIR
from skillcheck.retrieval import tokenize

Vector = Vectors
COMPANIONS_PATH = DATA_DIR / "companions.yaml"
MAX_SENTENCES = 3
#: A sentence is kept when it scores at least this share of the best one.
RELATIVE_FLOOR = 0.75


@dataclass(frozen=True)
class Quote:
    """A verbatim span of a numbered passage, with the list intro it needs, if any."""

    passage_n: int
    start: int  # offsets in the source text
    end: int
    text: str
    intro: str | None
    score: float


@dataclass(frozen=True)
class QuoteBlock:
    """The quoted sentences as bullet lines (``[n]`` markers), and the companions' notes."""

    lines: list[str]
    notes: list[str]
    quotes: list[Quote]


def _candidates(chunk: Chunk) -> list[tuple[int, int, str, str | None]]:
    """(start, end, text, intro) of each quotable unit of a chunk, offsets in the source."""
    base = chunk.start
    return [(base + s, base + e, t, i) for s, e, t, i in sentence_units(chunk.text)]


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


#: Finds the chunk of a page (first argument) whose text has a quote (second), or None.
Holder = Callable[[str, str], Chunk | None]


def _add_companions(
    quotes: list[Quote], by_n: dict[int, Chunk], registry: CitationRegistry, holder_of: Holder
) -> tuple[list[Quote], list[str]]:
    """Append the companions of any quoted sentence, citing passages beyond ``by_n`` if needed.

    A passage found by ``holder_of`` is numbered in ``registry`` and added to ``by_n``.
    """
    notes: list[str] = []
    quoted = {(by_n[q.passage_n].source_id, q.text) for q in quotes}
    for rule in load_companions():
        if not any(src == rule.when.source and rule.when.quote in t for src, t in quoted):
            continue
        for ref in rule.add:
            if any(src == ref.source and ref.quote in t for src, t in quoted):
                continue
            holder = next(
                (c for c in by_n.values() if c.source_id == ref.source and ref.quote in c.text),
                None,
            )
            if holder is None:
                holder = holder_of(ref.source, ref.quote)
                if holder is None:
                    continue
                by_n[registry.add([holder])[0].n] = holder
            n = next(n for n, c in by_n.items() if c is holder)
            at = holder.text.index(ref.quote) + holder.start
            quotes.append(Quote(n, at, at + len(ref.quote), ref.quote, None, 0.0))
            quoted.add((ref.source, ref.quote))
        notes.append(rule.note)
    return quotes, notes


def quote_sentences(
    question: str,
    chunks: list[Chunk],
    embedder: Embedder,
    registry: CitationRegistry,
    *,
    max_sentences: int = MAX_SENTENCES,
    holder_of: Holder | None = None,
) -> QuoteBlock:
    """Quote the sentences of ``chunks`` that best answer ``question``, each with its [n].

    Every chunk is numbered in ``registry`` (in order); the quoted spans become the
    passages' highlights. ``holder_of`` (:meth:`skillcheck.citing.CorpusChunks.holding`)
    lets a companion sentence be cited from beyond ``chunks``.
    """
    passages = registry.add(chunks)
    if not chunks:
        return QuoteBlock([], [], [])
    cands: list[tuple[int, int, int, str, str | None]] = []
    for passage, chunk in zip(passages, chunks, strict=True):
        cands.extend((passage.n, s, e, t, i) for s, e, t, i in _candidates(chunk))
    if not cands:
        first = chunks[0]
        cands = [(passages[0].n, first.start, first.end, first.text, None)]
    q_vec = embedder.embed_query(question)
    vecs = _sentence_vectors(embedder, [(s, e, f"{i} {t}" if i else t) for _, s, e, t, i in cands])
    q_terms = set(tokenize(question))
    rank_of = {p.n: rank for rank, p in enumerate(passages, 1)}
    scores = []
    for (n, _, _, t, intro), vec in zip(cands, vecs, strict=True):
        overlap = len(q_terms & set(tokenize(f"{intro or ''} {t}"))) / max(len(q_terms), 1)
        rank_prior = 1.0 / (rank_of.get(n, len(passages)) + 1)
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
    by_n = {p.n: c for p, c in zip(passages, chunks, strict=True)}
    quotes, notes = _add_companions(quotes, by_n, registry, holder_of or _nowhere)
    for q in quotes:
        chunk = by_n[q.passage_n]
        registry.highlight(chunk.id, [(q.start, q.end)])
    return QuoteBlock(_lines(quotes), notes, quotes)


def _nowhere(source: str, quote: str) -> Chunk | None:
    """No chunk beyond the ones given."""
    del source, quote
    return None


def _lines(quotes: list[Quote]) -> list[str]:
    """The quotes as bullet lines; items of one list share their intro's line."""
    lines: list[str] = []
    merged: dict[tuple[int, str], int] = {}
    for q in quotes:
        if q.intro is not None and (q.passage_n, q.intro) in merged:
            at = merged[(q.passage_n, q.intro)]
            lines[at] = lines[at].replace(f" [{q.passage_n}]", f"; {q.text} [{q.passage_n}]")
            continue
        if q.intro is not None:
            merged[(q.passage_n, q.intro)] = len(lines)
        body = f"{q.intro} {q.text}" if q.intro else q.text
        lines.append(f"- {body} [{q.passage_n}]")
    return lines


def sources_list(passages: list[Passage]) -> str:
    """The plain-text list of numbered sources an answer ends with, a line each.

    Each line names the page, its section, its official address and the day it was
    captured where the manifest records them; corpus text is shown on one line
    (control characters escaped).
    """
    from skillcheck.rules.report import one_line

    def line(p: Passage) -> str:
        out = f'[{p.n}] {p.title} ({p.publisher}), section "{p.section}"'
        if p.url:
            out += f"; {p.url}"
        if p.captured:
            out += f"; captured {p.captured}"
        if not p.latest_release:
            out += "; note: not the latest ANZSCO release"
        return one_line(out)

    return "\n".join(line(p) for p in passages)
