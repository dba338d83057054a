"""The corpus: the manifest, the source texts, and their structure-aware chunks.

Every chunk is a verbatim slice ``text[start:end]`` of its source file, so a citation
can show and highlight the exact passage. Chunks follow the page's structure: a
heading travels with the paragraphs under it, a list travels whole with the line
that introduces it, a short piece joins its neighbour under the same heading (a lone
list intro or a one-line step is too little to find or understand alone), and
navigation boilerplate (the manifest's ``boilerplate`` patterns) is never part of a
chunk. Nothing kept is ever changed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from skillcheck.errors import CorpusError
from skillcheck.paths import CORPUS_DIR

MANIFEST = "manifest.yaml"
#: A chunk grows block by block up to about this many characters.
MAX_CHUNK_CHARS = 700
#: A chunk shorter than this takes in the next chunk of its section when the two fit
#: in ``MAX_CHUNK_CHARS``: a lone list intro or a one-line step carries too little
#: context to be found (or understood) alone.
MIN_CHUNK_CHARS = 300
_BULLET = re.compile(r"^\s*[•\-\*]\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z*(])")
#: "Skill Level: 2", "ANZSCO Code: 149212 / Group C": a labelled value, not a heading.
_LABELLED_VALUE = re.compile(r"^[A-Za-z][\w ]{0,40}: \S")
#: "4", "1-3": a fragment of a lost table, named after its parent heading.
_FRAGMENT = re.compile(r"^[\d\s\-–*]{1,5}$")
#: Between the parts of a section path: "Group C > 4".
_SUB = " > "
#: An official page's address: https, a host, no spaces or angle brackets.
_URL = re.compile(r"^https://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(/[^\s<>\"]*)?$")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class SourceMeta(BaseModel):
    """One manifest entry: what a source text is and where it came from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    file: str
    sha256: str
    title: str
    short_title: str
    publisher: str
    kind: str
    occupation_codes: list[str]
    description: str
    latest_release: bool
    release_note: str | None = None
    #: The official page's address; null when the capture does not record it.
    url: str | None
    seed_file: str | None = None
    #: The day the page text was captured (YYYY-MM-DD); null when it was not recorded.
    captured: date | None
    capture_note: str | None = None

    @field_validator("url", mode="before")
    @classmethod
    def _official_address(cls, value: object) -> object:
        if value is None:
            return None
        if not isinstance(value, str) or not _URL.match(value):
            raise ValueError(f"{value!r} is not an https:// address")
        return value

    @field_validator("captured", mode="before")
    @classmethod
    def _iso_day(cls, value: object) -> object:
        if value is None or isinstance(value, date):
            return value
        if not isinstance(value, str) or not _ISO_DAY.match(value):
            raise ValueError(f"{value!r} is not a date written YYYY-MM-DD")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a real date") from None

    def card(self) -> dict[str, str]:
        """What a source card shows beside a passage (``url`` and ``captured`` as text or '')."""
        return {
            "title": self.title,
            "short_title": self.short_title,
            "publisher": self.publisher,
            "url": self.url or "",
            "captured": self.captured.isoformat() if self.captured else "",
        }


class Manifest(BaseModel):
    """The corpus manifest: the sources and the boilerplate line patterns."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    sources: list[SourceMeta]
    boilerplate: list[str] = []


@dataclass(frozen=True)
class Source:
    """A source text with its metadata."""

    meta: SourceMeta
    text: str


@dataclass(frozen=True)
class Chunk:
    """A passage of a source: ``source.text[start:end] == text``."""

    id: str
    source_id: str
    section: str
    start: int
    end: int
    text: str
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def embed_text(self) -> str:
        """What is embedded and indexed: the passage with its title and section as context."""
        return f"{self.meta.get('short_title', self.source_id)} | {self.section}\n{self.text}"

    def units(self) -> list[str]:
        """The passage's sentences and list items, each with the context it needs alone.

        They are embedded beside the whole passage, so a question that matches one
        sentence finds its passage even when the rest of the passage is about more.
        """
        out = []
        for start, end, sentence, intro in sentence_units(self.text):
            del start, end
            body = f"{intro} {sentence}" if intro else sentence
            out.append(f"{self.section}: {body}")
        return out


@dataclass(frozen=True)
class Located:
    """Where a quoted span sits: its chunk and its character offsets in the source."""

    chunk_id: str
    source_id: str
    section: str
    start: int
    end: int


class _TextDates(yaml.SafeLoader):
    """YAML that leaves a date as the text it is, so the manifest's own check judges it."""


_TextDates.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _where(loc: tuple[int | str, ...], raw: Any) -> str:
    """'sources.1.url' as 'sources.1 (vetassess-149212).url': the key and the entry's id."""
    where = ".".join(str(p) for p in loc)
    if len(loc) > 2 and loc[0] == "sources" and isinstance(loc[1], int):
        try:
            source_id = raw["sources"][loc[1]]["id"]
        except (KeyError, IndexError, TypeError):
            return where
        if isinstance(source_id, str):
            rest = ".".join(str(p) for p in loc[2:])
            return f"sources.{loc[1]} ({_one_line_id(source_id)}).{rest}"
    return where


def _one_line_id(text: str) -> str:
    """An id from the manifest, safe on one line of an error message."""
    return text.encode("unicode_escape").decode("ascii")[:80]


def load_manifest(corpus_dir: Path) -> Manifest:
    """Read and validate ``manifest.yaml``; a wrong manifest raises :class:`CorpusError`."""
    path = corpus_dir / MANIFEST
    if not path.is_file():
        raise CorpusError(f"{path}: the corpus manifest is missing")
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_TextDates)
        manifest = Manifest.model_validate(raw)
    except yaml.YAMLError as exc:
        raise CorpusError(f"{path}: not valid YAML ({exc.__class__.__name__})") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = _where(first["loc"], raw)
        message = str(first["msg"]).removeprefix("Value error, ")
        raise CorpusError(f"{path}: {where}: {message}") from None
    ids = [s.id for s in manifest.sources]
    if len(ids) != len(set(ids)):
        raise CorpusError(f"{path}: duplicate source id")
    for pattern in manifest.boilerplate:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise CorpusError(f"{path}: boilerplate pattern {pattern!r}: {exc}") from None
    return manifest


def load_sources(corpus_dir: Path) -> list[Source]:
    """Every source of the manifest, its file read and its sha256 checked."""
    manifest = load_manifest(corpus_dir)
    sources = []
    for meta in manifest.sources:
        path = corpus_dir / meta.file
        if not path.is_file():
            raise CorpusError(f"{path}: listed in the manifest but missing")
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest != meta.sha256:
            raise CorpusError(
                f"{path}: sha256 {digest[:12]}... does not match the manifest's "
                f"{meta.sha256[:12]}...; update the manifest if the change is intended"
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise CorpusError(f"{path}: not UTF-8 text") from None
        sources.append(Source(meta=meta, text=text))
    return sources


@dataclass
class _Block:
    start: int
    end: int
    lines: list[str]

    @property
    def is_list(self) -> bool:
        return all(_BULLET.match(line) for line in self.lines)

    @property
    def is_heading(self) -> bool:
        line = self.lines[0].strip()
        return (
            len(self.lines) == 1
            and not self.is_list
            and len(line) <= 90
            and not line.endswith((".", ":"))
            and not _LABELLED_VALUE.match(line)
            and not line.startswith("*")  # a footnote, not a heading
        )

    @property
    def is_fragment(self) -> bool:
        return self.is_heading and bool(_FRAGMENT.match(self.lines[0].strip()))

    @property
    def is_intro(self) -> bool:
        return not self.is_list and self.lines[-1].rstrip().endswith(":")


def _blocks(text: str, boilerplate: list[re.Pattern[str]]) -> list[_Block]:
    """Runs of non-blank, non-boilerplate lines, with their offsets in ``text``."""
    blocks: list[_Block] = []
    current: _Block | None = None
    pos = 0
    for raw in text.splitlines(keepends=True):
        line = raw.rstrip("\r\n")
        start, pos = pos, pos + len(raw)
        stripped = line.strip()
        if not stripped or any(p.match(stripped) for p in boilerplate):
            current = None
            continue
        # the span runs from the first to the last non-space character of the line
        lstart = start + (len(line) - len(line.lstrip()))
        lend = start + len(line.rstrip())
        if current is None:
            current = _Block(lstart, lend, [line])
            blocks.append(current)
        else:
            current.end = lend
            current.lines.append(line)
    return blocks


def _chunk_id(source_id: str, text: str) -> str:
    digest = hashlib.sha256(f"{source_id}\n{text}".encode()).hexdigest()[:16]
    return f"{source_id}:{digest}"


def _top(section: str) -> str:
    """The top-level heading of a section path ("How to apply" for "How to apply > Find")."""
    return section.split(_SUB)[0]


def _join_short(groups: list[tuple[str, list[_Block]]]) -> list[tuple[str, list[_Block]]]:
    """Join a group to the one before it when both are under one top-level heading,
    the join fits in ``MAX_CHUNK_CHARS``, and either the one before is shorter than
    ``MIN_CHUNK_CHARS`` or the group is a sub-section of it (a numbered step, a table
    column: "How to apply > Find"). The joined group is named after the top heading.
    """
    out: list[tuple[str, list[_Block]]] = []
    for section, blocks in groups:
        if out:
            prev_section, prev = out[-1]
            top = _top(prev_section)
            short = prev[-1].end - prev[0].start < MIN_CHUNK_CHARS
            fits = blocks[-1].end - prev[0].start <= MAX_CHUNK_CHARS
            if fits and _top(section) == top and (short or section != top):
                out[-1] = (prev_section if prev_section == section else top, prev + blocks)
                continue
        out.append((section, blocks))
    return out


def chunk_source(source: Source, boilerplate: list[str]) -> list[Chunk]:
    """Split one source into chunks that keep headings and lists with their context."""
    patterns = [re.compile(p) for p in boilerplate]
    blocks = _blocks(source.text, patterns)
    groups: list[tuple[str, list[_Block]]] = []
    heading = parent = source.meta.title
    current: list[_Block] = []

    def flush() -> None:
        nonlocal current
        if current and not all(b.is_heading for b in current):
            groups.append((heading, current))
        current = []

    for i, block in enumerate(blocks):
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if block.is_heading and nxt is not None:
            # a heading opens a new chunk, unless it follows another heading
            if current and not all(b.is_heading for b in current):
                flush()
            title = block.lines[0].strip()
            # a table fragment ("1-3"), or the heading right after a step number ("1"),
            # is a sub-section of the heading above
            after_number = bool(current) and current[-1].is_fragment
            if block.is_fragment or after_number:
                heading = f"{parent}{_SUB}{title}"
            else:
                heading = parent = title
            current.append(block)
            continue
        joins_list = block.is_list and current and current[-1].is_intro
        if current and not joins_list and not all(b.is_heading for b in current):
            grown = block.end - current[0].start
            if grown > MAX_CHUNK_CHARS or block.is_intro:
                flush()
        current.append(block)
    flush()
    groups = _join_short(groups)

    chunks = []
    meta: dict[str, Any] = {**source.meta.card(), "latest_release": source.meta.latest_release}
    for section, group in groups:
        start, end = group[0].start, group[-1].end
        text = source.text[start:end]
        chunks.append(
            Chunk(
                id=_chunk_id(source.meta.id, text),
                source_id=source.meta.id,
                section=section,
                start=start,
                end=end,
                text=text,
                meta=meta,
            )
        )
    return chunks


def build_chunks(corpus_dir: Path) -> list[Chunk]:
    """All chunks of the corpus, in source order; ids are unique."""
    manifest = load_manifest(corpus_dir)
    chunks: list[Chunk] = []
    for source in load_sources(corpus_dir):
        chunks.extend(chunk_source(source, manifest.boilerplate))
    seen: set[str] = set()
    unique = []
    for chunk in chunks:
        if chunk.id not in seen:  # the same passage twice on a page is indexed once
            seen.add(chunk.id)
            unique.append(chunk)
    return unique


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence and list-item spans ``(start, end)`` within ``text``, trimmed of space."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        line_start, pos = pos, pos + len(raw)
        line = raw.rstrip("\r\n")
        cursor = 0
        pieces = _SENTENCE_END.split(line)
        for piece in pieces:
            idx = line.index(piece, cursor)
            cursor = idx + len(piece)
            stripped = piece.strip()
            if not stripped:
                continue
            lead = len(piece) - len(piece.lstrip())
            bullet = _BULLET.match(piece)
            s = line_start + idx + (bullet.end() if bullet else lead)
            e = line_start + idx + len(piece.rstrip())
            if e > s:
                spans.append((s, e))
    return spans


def _is_label(sentence: str, lines: list[str]) -> bool:
    """A heading or a lost table's fragment: a short whole line that is not a sentence."""
    return sentence in lines and not sentence.rstrip().endswith((".", ":")) and len(sentence) < 60


def sentence_units(text: str) -> list[tuple[int, int, str, str | None]]:
    """``(start, end, sentence, intro)`` for each sentence or list item worth quoting.

    Offsets are within ``text``; ``intro`` is the line that introduces a list item's
    list ("Occupations not considered suitable ...:"), which the item needs to be
    understood. Headings, table fragments and list intros alone are left out.
    """
    lines = text.splitlines()
    out = []
    for s, e in split_sentences(text):
        sentence = text[s:e]
        line_start = text.rfind("\n", 0, s) + 1
        line_end = text.find("\n", s)
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        intro = None
        if _BULLET.match(line):
            intros = [
                ln.strip() for ln in text[:line_start].splitlines() if ln.rstrip().endswith(":")
            ]
            intro = intros[-1] if intros else None
        elif len(sentence.split()) < 4 or _is_label(sentence, lines):
            continue
        if sentence.rstrip().endswith(":"):
            continue
        out.append((s, e, sentence, intro))
    return out


@lru_cache(maxsize=4)
def _cached_chunks(corpus_dir: str) -> tuple[Chunk, ...]:
    return tuple(build_chunks(Path(corpus_dir)))


def chunk_at(source_id: str, offset: int, corpus_dir: Path = CORPUS_DIR) -> Chunk | None:
    """The chunk of ``corpus_dir``'s pages holding character ``offset`` of ``source_id``."""
    return next(
        (
            c
            for c in _cached_chunks(str(corpus_dir))
            if c.source_id == source_id and c.start <= offset < c.end
        ),
        None,
    )


def locate_quote(source_id: str, quote: str, corpus_dir: Path = CORPUS_DIR) -> Located | None:
    """The chunk holding ``quote`` verbatim, and the quote's offsets in its source."""
    for chunk in _cached_chunks(str(corpus_dir)):
        if chunk.source_id != source_id:
            continue
        idx = chunk.text.find(quote)
        if idx >= 0:
            start = chunk.start + idx
            return Located(chunk.id, source_id, chunk.section, start, start + len(quote))
    return None
