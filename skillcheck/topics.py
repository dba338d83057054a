"""The topics file: our answer-first statements, bound to rule values and cited lines.

``load_topics`` reads ``skillcheck/data/topics.yaml`` and refuses a file that is
wrong (unknown keys, an unresolvable value path, a placeholder used but not
defined or defined but not used, a quote not on its cited line), naming the file
and the key. ``match_topics`` ranks topics for a question: the cosine of the
question to each topic's examples (offline embedder), lifted by lexical cues.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from skillcheck import prebuilt
from skillcheck.errors import RulesFileError
from skillcheck.paths import CORPUS_DIR, DATA_DIR
from skillcheck.rules.loader import parse_strict

TOPICS_PATH = DATA_DIR / "topics.yaml"
#: A topic matches when its score (best example cosine, plus the cue bonus) is at least this.
THRESHOLD = 0.55
#: Added to a topic's score when one of its cues occurs in the question.
CUE_BONUS = 0.18
#: A topic's similarity mixes its best and second-best example (one odd example weighs less).
SECOND_WEIGHT = 0.2
#: A second topic is reported with the first when its score is within this of the best,
#: or within CUE_MARGIN when both have their cue words in the question ("part-time
#: volunteer work", "the org chart, and if my employer refuses").
SECOND_MARGIN = 0.04
CUE_MARGIN = 0.2
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)(?:\|(years))?\}")
#: Hours the asker states ("15 hours a week", "I work 25 hrs"), not the rule's own "20 hour rule".
_HOURS = re.compile(
    r"(?:\b(?:work|worked|working|do|did|only|just|about|around)\s+)(\d{1,3}(?:\.\d)?)\s*"
    r"(?:hours?|hrs?|h)\b|(\d{1,3}(?:\.\d)?)\s*(?:hours?|hrs?|h)\s*(?:a|per|/|each)\s*"
    r"(?:week|wk)\b",
    re.IGNORECASE,
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Ref(_Strict):
    """A corpus line a sentence rests on; ``quote`` occurs verbatim on that line."""

    source: str
    line: int = Field(ge=1)
    quote: str = Field(min_length=1)


class Sentence(_Strict):
    """One sentence we say, with its placeholders still unfilled."""

    text: str = Field(min_length=1)
    cite: list[Ref]


class Condition(_Strict):
    pattern: str | None = None
    hours: Literal["below", "at_least"] | None = None


class Variant(_Strict):
    when: Condition
    statement: list[Sentence] = Field(min_length=1)


class Topic(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    examples: list[str] = Field(min_length=2)
    cues: list[str] = Field(default_factory=list)
    values: dict[str, str] = Field(default_factory=dict)
    variants: list[Variant] = Field(default_factory=list)
    statement: list[Sentence] = Field(min_length=1)


VerdictKind = Literal["suitable", "occupation", "unsuitable", "elsewhere", "not_listed"]


class TopicsFile(_Strict):
    topics: list[Topic] = Field(min_length=1)
    title_verdicts: dict[VerdictKind, list[Sentence]]
    replies: dict[Literal["off_topic", "refusal", "missing_facts"], list[Sentence]]


@dataclass(frozen=True)
class Said:
    """A sentence ready to say, placeholders filled, with its refs."""

    text: str
    refs: tuple[Ref, ...]


@dataclass(frozen=True)
class Topics:
    """The loaded topics file, its values resolved against the rules."""

    path: Path
    file: TopicsFile
    values: dict[str, dict[str, int | str]]  # topic id -> placeholder -> value

    def topic(self, topic_id: str) -> Topic:
        return next(t for t in self.file.topics if t.id == topic_id)

    def say(self, topic_id: str, question: str = "") -> list[Said]:
        """The topic's statement (or the variant whose condition the question meets)."""
        topic = self.topic(topic_id)
        values = self.values[topic.id]
        chosen = topic.statement
        for variant in topic.variants:
            if _holds(variant.when, question, values):
                chosen = variant.statement
                break
        return [Said(fill(s.text, values), tuple(s.cite)) for s in chosen]


def fill(text: str, values: dict[str, int | str]) -> str:
    """Replace ``{name}`` and ``{name|years}`` by their values."""

    def one(m: re.Match[str]) -> str:
        value = values[m.group(1)]
        if m.group(2) == "years":
            return f"{value} year" + ("" if value == 1 else "s")
        return str(value)

    return _PLACEHOLDER.sub(one, text)


def _holds(when: Condition, question: str, values: dict[str, int | str]) -> bool:
    if when.pattern is not None and not re.search(when.pattern, question, re.IGNORECASE):
        return False
    if when.hours is not None:
        m = _HOURS.search(question)
        if m is None:
            return False
        below = float(m.group(1) or m.group(2)) < float(values["min_hours"])
        return below if when.hours == "below" else not below
    return True


def resolve_path(rules: Any, path: str) -> Any:
    """The value at a dotted path in the rules; a list element by `number`, `id`, then index."""
    node = rules
    for part in path.split("."):
        if isinstance(node, list):
            found = [
                e
                for e in node
                if str(getattr(e, "number", None)) == part or getattr(e, "id", None) == part
            ]
            if found:
                node = found[0]
            elif part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise KeyError(part)
        elif isinstance(node, dict):
            node = node[part]
        elif isinstance(node, BaseModel) and part in type(node).model_fields:
            node = getattr(node, part)
        else:
            raise KeyError(part)
    return node


@lru_cache(maxsize=8)
def _lines(corpus_dir: str, source: str) -> tuple[str, ...]:
    path = Path(corpus_dir) / f"{source}.txt"
    return tuple(path.read_text(encoding="utf-8").splitlines())


def _check_refs(sentences: list[Sentence], where: str, path: Path, corpus: Path) -> None:
    for i, sentence in enumerate(sentences):
        for j, ref in enumerate(sentence.cite):
            key = f"{where}.{i}.cite.{j}"
            try:
                lines = _lines(str(corpus), ref.source)
            except OSError:
                raise RulesFileError(f"{path}: {key}: unknown source '{ref.source}'") from None
            if ref.line > len(lines) or ref.quote not in lines[ref.line - 1]:
                raise RulesFileError(
                    f"{path}: {key}: quote {ref.quote!r} is not on {ref.source} line {ref.line}"
                )


def _check_placeholders(
    sentences: list[Sentence], defined: set[str], where: str, path: Path
) -> set[str]:
    used: set[str] = set()
    for i, sentence in enumerate(sentences):
        for m in _PLACEHOLDER.finditer(sentence.text):
            if m.group(1) not in defined:
                raise RulesFileError(
                    f"{path}: {where}.{i}.text: placeholder {{{m.group(1)}}} is not defined"
                )
            used.add(m.group(1))
        stray = re.sub(_PLACEHOLDER, "", sentence.text)
        if re.search(r"\{[^}]*\}", stray):
            raise RulesFileError(f"{path}: {where}.{i}.text: malformed placeholder")
    return used


_TITLE_FIELDS = {"query", "title", "code", "anzsco_code", "anzsco_title"}


def parse_topics(text: str, path: Path, rules: Any, corpus_dir: Path) -> Topics:
    """Validate a topics file's text; ``path`` is only named in errors."""
    parsed = parse_strict(text, path, TopicsFile)
    ids = [t.id for t in parsed.topics]
    if len(ids) != len(set(ids)):
        raise RulesFileError(f"{path}: topics: duplicate id")
    values: dict[str, dict[str, int | str]] = {}
    for n, topic in enumerate(parsed.topics):
        where = f"topics.{n}({topic.id})"
        resolved: dict[str, int | str] = {}
        for name, value_path in topic.values.items():
            try:
                value = resolve_path(rules, value_path)
            except (KeyError, IndexError):
                raise RulesFileError(
                    f"{path}: {where}.values.{name}: path '{value_path}' is not in the rules"
                ) from None
            if not isinstance(value, int | str):
                raise RulesFileError(
                    f"{path}: {where}.values.{name}: '{value_path}' is not a number or text"
                )
            resolved[name] = value
        for k, cue in enumerate(topic.cues):
            try:
                re.compile(cue)
            except re.error:
                raise RulesFileError(f"{path}: {where}.cues.{k}: not a valid regex") from None
        used = _check_placeholders(topic.statement, set(resolved), f"{where}.statement", path)
        _check_refs(topic.statement, f"{where}.statement", path, corpus_dir)
        for v, variant in enumerate(topic.variants):
            vwhere = f"{where}.variants.{v}.statement"
            used |= _check_placeholders(variant.statement, set(resolved), vwhere, path)
            _check_refs(variant.statement, vwhere, path, corpus_dir)
            if variant.when.hours is not None and "min_hours" not in resolved:
                raise RulesFileError(f"{path}: {where}.variants.{v}.when: needs values.min_hours")
        unused = sorted(set(resolved) - used)
        if unused:
            raise RulesFileError(f"{path}: {where}.values.{unused[0]}: defined but never used")
        values[topic.id] = resolved
    for kind, sentences in parsed.title_verdicts.items():
        _check_placeholders(sentences, _TITLE_FIELDS, f"title_verdicts.{kind}", path)
        _check_refs(sentences, f"title_verdicts.{kind}", path, corpus_dir)
    for reply, said in parsed.replies.items():
        _check_placeholders(said, set(), f"replies.{reply}", path)
        _check_refs(said, f"replies.{reply}", path, corpus_dir)
    return Topics(path=path, file=parsed, values=values)


@lru_cache(maxsize=4)
def _load(path: str, occupation: str, corpus_dir: str) -> Topics:
    from skillcheck.rules import load_rules

    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesFileError(f"{file}: cannot read the topics file ({exc.strerror})") from None
    return parse_topics(text, file, load_rules(occupation), Path(corpus_dir))


def load_topics(
    path: Path | None = None, *, occupation: str = "149212", corpus_dir: Path | None = None
) -> Topics:
    """The validated topics (cached per file, occupation and corpus)."""
    return _load(str(path or TOPICS_PATH), occupation, str(corpus_dir or CORPUS_DIR))


# ---- matching ------------------------------------------------------------------------

Vectors = npt.NDArray[np.float32]


class QueryEmbedder(Protocol):
    def embed_documents(self, texts: list[str]) -> Vectors: ...

    def embed_query(self, text: str) -> Vectors: ...


@dataclass(frozen=True)
class TopicMatch:
    """A topic that bears on a question: its id, score (cosine + cue bonus) and cue hit."""

    topic_id: str
    score: float
    similarity: float
    cue: bool


_EXAMPLE_VECTORS: dict[tuple[str, str], tuple[list[str], Vectors]] = {}


def example_texts(topics: Topics) -> tuple[list[str], list[str]]:
    """Each example question's topic id, and the examples, in the file's order."""
    owners: list[str] = []
    texts: list[str] = []
    for topic in topics.file.topics:
        for example in topic.examples:
            owners.append(topic.id)
            texts.append(example)
    return owners, texts


def _example_vectors(
    topics: Topics, embedder: QueryEmbedder, cache_dir: Path | None = None
) -> tuple[list[str], Vectors]:
    """The example questions' vectors: shipped with the package for the offline model
    (:mod:`skillcheck.prebuilt`), else kept in memory per model and on disk in
    ``cache_dir`` (keyed by the model and the examples' text, so an edit or another
    model misses)."""
    model = str(getattr(embedder, "model_id", id(embedder)))
    key = (model, str(topics.path))
    if key not in _EXAMPLE_VECTORS:
        owners, texts = example_texts(topics)
        _EXAMPLE_VECTORS[key] = (owners, _cached_vectors(model, texts, embedder, cache_dir))
    return _EXAMPLE_VECTORS[key]


def _cached_vectors(
    model: str, texts: list[str], embedder: QueryEmbedder, cache_dir: Path | None
) -> Vectors:
    vectors, found = prebuilt.shipped(embedder, texts)
    if all(found):
        return vectors  # every example as shipped: nothing to compute or keep
    if cache_dir is None or not hasattr(embedder, "model_id"):
        return prebuilt.embed_documents(embedder, texts)
    digest = hashlib.sha256("\n".join([model, *texts]).encode("utf-8")).hexdigest()[:20]
    path = cache_dir / f"topic-examples-{digest}.npy"
    try:
        kept: Vectors = np.load(path)
        if kept.shape[0] == len(texts):
            return kept
    except (OSError, ValueError):
        pass  # missing or unreadable: computed again below
    vectors = prebuilt.embed_documents(embedder, texts)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(tmp, vectors)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home only costs the time to embed them again
    return vectors


_NEGATION = re.compile(
    r"\b(don'?t|do not|not|never|isn'?t|wasn'?t|aren'?t|no longer)\b[^,.;]{0,12}$", re.I
)


def _cue_hit(cue: str, question: str) -> bool:
    """The cue occurs in the question, and not right after a negation ("I don't work in retail")."""
    return any(
        not _NEGATION.search(question[: m.start()])
        for m in re.finditer(cue, question, re.IGNORECASE)
    )


def score_topics(
    question: str, embedder: QueryEmbedder, topics: Topics, cache_dir: Path | None = None
) -> list[TopicMatch]:
    """Every topic's score for the question, best first (no threshold)."""
    owners, vectors = _example_vectors(topics, embedder, cache_dir)
    sims = vectors @ embedder.embed_query(question)
    per: dict[str, list[float]] = {}
    for owner, sim in zip(owners, sims.tolist(), strict=True):
        per.setdefault(owner, []).append(float(sim))
    out: list[TopicMatch] = []
    for topic in topics.file.topics:
        cue = any(_cue_hit(c, question) for c in topic.cues)
        top = sorted(per[topic.id], reverse=True)
        sim = (1 - SECOND_WEIGHT) * top[0] + SECOND_WEIGHT * top[min(1, len(top) - 1)]
        out.append(TopicMatch(topic.id, sim + (CUE_BONUS if cue else 0.0), sim, cue))
    out.sort(key=lambda m: -m.score)
    return out


def match_topics(
    question: str,
    embedder: QueryEmbedder,
    topics: Topics | None = None,
    cache_dir: Path | None = None,
) -> list[TopicMatch]:
    """The topics that answer the question, best first: the best one at or above
    THRESHOLD, and a second one when it is close behind (see SECOND_MARGIN)."""
    ranked = score_topics(question, embedder, topics or load_topics(), cache_dir)
    if not ranked or ranked[0].score < THRESHOLD:
        return []
    chosen = [ranked[0]]
    if len(ranked) > 1:
        second = ranked[1]
        margin = CUE_MARGIN if (second.cue and ranked[0].cue) else SECOND_MARGIN
        if second.score >= max(THRESHOLD, ranked[0].score - margin):
            chosen.append(second)
    return chosen


def self_match(embedder: QueryEmbedder, topics: Topics | None = None) -> tuple[int, int]:
    """How many example questions rank their own topic first, of how many."""
    topics = topics or load_topics()
    hits = total = 0
    for topic in topics.file.topics:
        for example in topic.examples:
            total += 1
            hits += score_topics(example, embedder, topics)[0].topic_id == topic.id
    return hits, total


def leave_one_out(embedder: QueryEmbedder, topics: Topics | None = None) -> tuple[int, int]:
    """Self-match with each example left out of its own topic: a proxy for new phrasings."""
    topics = topics or load_topics()
    owners, vectors = _example_vectors(topics, embedder)
    texts = [e for t in topics.file.topics for e in t.examples]
    cues = {t.id: t.cues for t in topics.file.topics}
    hits = 0
    for i, owner in enumerate(owners):
        sims = vectors @ vectors[i]
        per: dict[str, list[float]] = {}
        for j, (other, sim) in enumerate(zip(owners, sims.tolist(), strict=True)):
            if j != i:
                per.setdefault(other, []).append(float(sim))
        scores: dict[str, float] = {}
        for topic_id, values in per.items():
            top = sorted(values, reverse=True)
            score = (1 - SECOND_WEIGHT) * top[0] + SECOND_WEIGHT * top[min(1, len(top) - 1)]
            if any(_cue_hit(c, texts[i]) for c in cues[topic_id]):
                score += CUE_BONUS
            scores[topic_id] = score
        hits += max(scores, key=lambda k: scores[k]) == owner
    return hits, len(owners)
