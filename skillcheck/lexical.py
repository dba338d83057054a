"""The lexical side of retrieval: our tokenizer and the applicants' lexicon over a BM25 index.

The index is a ``bm25s`` index (a sparse matrix of precomputed BM25 scores, saved as
``.npy`` files and opened memory-mapped), built once per build at ingest from each
chunk's ``embed_text`` as :func:`tokenize` reads it, and stored with the build:

- local store: a directory per build beside the Chroma files
  (``<store>/lexical/<collection name>/``), opened memory-mapped, so opening costs the
  same at 21 chunks and at 100,000;
- Chroma server: a side collection ``<collection name>-lexical`` whose records hold the
  index files (base64, in pieces), with each file's sha256 in its metadata. Every
  instance downloads it once per build into its cache directory and opens that copy.

Either is deleted with its build. A query scores the words typed at weight 1 and the
words the lexicon adds at :data:`EXPANSION_WEIGHT`; hits are chunk ids.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import yaml

from skillcheck.errors import CorpusError, StoreError
from skillcheck.paths import DATA_DIR

#: The version of what an index depends on besides the chunks: :func:`tokenize` and the
#: file layout. Bump it when either changes; it is part of a build's fingerprint, and an
#: index of another version is refused ("run `skillcheck ingest`").
LEXICAL_VERSION = 1
#: BM25 parameters (Robertson/Lucene): the idf never goes negative; the ranking is the
#: one our own inverted index gave before bm25s replaced it.
K1 = 1.2
B = 0.75
LEXICON_PATH = DATA_DIR / "lexicon.yaml"
#: BM25 weight of a word the lexicon added, relative to a word the user typed.
EXPANSION_WEIGHT = 0.5

_TOKEN = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    (
        "a an and are as at be by can do does for from has have i if in is it its me my of on "
        "or our so that the their them then there these they this to was we were what when "
        "which who will with would you your"
    ).split()
)
_IDS_FILE = "chunk_ids.npy"
_META_FILE = "skillcheck.json"
#: Raw bytes per record of a side collection on a Chroma server (base64 makes it 4/3).
_PIECE = 1 << 20
_SIDE_SUFFIX = "-lexical"


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens, stop words dropped, plural and -ing endings folded."""
    out = []
    for tok in _TOKEN.findall(text.lower()):
        if tok in _STOP:
            continue
        if len(tok) > 4 and tok.endswith("ies"):
            tok = tok[:-3] + "y"
        elif len(tok) > 5 and tok.endswith("ing"):
            tok = tok[:-3]
        elif len(tok) > 3 and tok.endswith("s") and not tok.endswith("ss"):
            tok = tok[:-1]
        out.append(tok)
    return out


def _fold_word(word: str, strong: bool) -> str:
    """A stem for matching the lexicon: plurals and -ing folded; -ed and -er too if strong."""
    if len(word) > 4 and word.endswith(("ies", "ied")):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    for _ in range(2 if strong else 1):  # volunteered -> volunteer -> volunte, as volunteer
        if len(word) > 5 and word.endswith("ing"):
            word = word[:-3]
        elif strong and len(word) > 4 and word.endswith(("ed", "er")):
            word = word[:-2]
        else:
            break
    return word


def _phrase_form(text: str, strong: bool) -> str:
    """``text`` as space-separated word stems with a space at each end, for phrase matching."""
    return " " + " ".join(_fold_word(w, strong) for w in _TOKEN.findall(text.lower())) + " "


def _when_form(phrase: str) -> tuple[str, bool]:
    """A lexicon phrase's form, and whether it is matched strongly (several words)."""
    strong = len(_TOKEN.findall(phrase.lower())) > 1
    return _phrase_form(phrase, strong), strong


class Lexicon:
    """Applicants' words -> the pages' words (``skillcheck/data/lexicon.yaml``).

    A phrase matches whole words by their stems: one word by its plural and -ing forms
    ("titles" finds "title"), a phrase of several words also by -ed and -er ("team
    lead" finds "team leader"; "part time" is "part-time"). Single words are not folded
    that far, or "count" would find "counter" and "call" "called".
    """

    def __init__(self, path: Path = LEXICON_PATH):
        try:
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 10x faster
            raw = yaml.load(path.read_text("utf-8"), Loader=loader)
            entries = [(list(e["when"]), str(e["add"])) for e in raw["entries"]]
        except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
            raise CorpusError(f"{path}: unreadable lexicon ({exc.__class__.__name__})") from None
        self._rules = [
            ([f for f in (_when_form(str(w)) for w in when) if f[0].strip()], add)
            for when, add in entries
        ]

    def expand(self, query: str) -> str:
        """The pages' words for the everyday words in ``query`` (may be empty)."""
        forms = {False: _phrase_form(query, False), True: _phrase_form(query, True)}
        return " ".join(
            add
            for phrases, add in self._rules
            if any(form in forms[strong] for form, strong in phrases)
        )


#: Details of at least this many distinct words (beyond the ask's) are a story that
#: could outweigh the ask; shorter ones ("My title is X. Is that accepted?") are the
#: substance of the question and keep their full weight. Chosen on the tuning set.
LONG_DETAILS = 12
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


@dataclass(frozen=True)
class Ask:
    """A question split into what it asks and the details around it.

    ``detail_weight`` makes the details weigh no more than the ask in total: 1 when
    they are no longer than the ask (in distinct words), less as they grow.
    """

    ask: str
    details: str
    detail_weight: float


def split_ask(question: str) -> Ask:
    """The sentences that ask (ending in "?", else the last one) and the rest."""
    parts = [p.strip() for p in _SENTENCE_END.split(question.strip()) if p.strip()]
    if len(parts) < 2:
        return Ask(question, "", 1.0)
    asks = [p for p in parts if p.endswith("?")] or [parts[-1]]
    if len(asks) == len(parts):
        return Ask(question, "", 1.0)
    details = " ".join(p for p in parts if p not in asks)
    ask = " ".join(asks)
    n_ask = len(set(tokenize(ask)))
    n_details = len(set(tokenize(details)) - set(tokenize(ask)))
    weight = min(1.0, n_ask / n_details) if n_details >= LONG_DETAILS else 1.0
    return Ask(ask, details, weight)


def weighted_texts(question: str, lexicon: Lexicon) -> list[tuple[str, float]]:
    """What a BM25 query scores: the ask, its details and the lexicon's words, each weighted.

    The words typed count 1 and the lexicon's :data:`EXPANSION_WEIGHT`; in a question
    of several sentences, the details' words (and their lexicon words) count
    ``detail_weight`` times that, so a long story does not outweigh the ask.
    """
    parts = split_ask(question)
    if not parts.details or parts.detail_weight >= 1.0:
        return [(question, 1.0), (lexicon.expand(question), EXPANSION_WEIGHT)]
    w = parts.detail_weight
    return [
        (parts.ask, 1.0),
        (parts.details, w),
        (lexicon.expand(parts.ask), EXPANSION_WEIGHT),
        (lexicon.expand(parts.details), EXPANSION_WEIGHT * w),
    ]


class LexicalIndex:
    """BM25 over a build's chunks (``bm25s``), answering with chunk ids."""

    def __init__(self, bm25: Any, ids: npt.NDArray[np.bytes_]):
        self._bm25 = bm25
        self._ids = ids

    @classmethod
    def build(cls, docs: Sequence[tuple[str, str]]) -> LexicalIndex:
        """The index of ``docs``, (chunk id, text) pairs; a document's number is its place."""
        import bm25s

        bm25 = bm25s.BM25(k1=K1, b=B, method="lucene")
        tokens = [tokenize(text) for _cid, text in docs]
        if docs:
            bm25.index(tokens, show_progress=False)
        else:  # bm25s needs one document: an index with none is an empty vocabulary
            bm25.index([[""]], show_progress=False)
        width = max((len(cid.encode()) for cid, _text in docs), default=1)
        ids = np.array([cid.encode() for cid, _text in docs], dtype=f"S{width}")
        return cls(bm25, ids)

    def __len__(self) -> int:
        return len(self._ids)

    def save(self, directory: Path) -> None:
        """Write the index into ``directory`` (created; it must not exist)."""
        directory.mkdir(parents=True)
        self._bm25.save(str(directory), show_progress=False)
        np.save(directory / _IDS_FILE, self._ids, allow_pickle=False)
        meta = {"lexical_version": LEXICAL_VERSION, "documents": len(self._ids)}
        (directory / _META_FILE).write_text(json.dumps(meta), "utf-8")

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        """The index saved in ``directory``, memory-mapped; a missing or stale one is refused."""
        import bm25s

        try:
            meta = json.loads((directory / _META_FILE).read_text("utf-8"))
            version = meta.get("lexical_version")
            if version != LEXICAL_VERSION:
                raise StoreError(
                    f"the lexical index at {directory} has version {version}, this skillcheck "
                    f"reads version {LEXICAL_VERSION}: run `skillcheck ingest --force`"
                )
            ids = np.load(directory / _IDS_FILE, mmap_mode="r", allow_pickle=False)
            bm25 = bm25s.BM25.load(str(directory), mmap=True)
        except StoreError:
            raise
        except (OSError, ValueError, KeyError, AttributeError) as exc:
            raise StoreError(
                f"the lexical index at {directory} is missing or unreadable "
                f"({exc.__class__.__name__}): run `skillcheck ingest --force`"
            ) from None
        if len(ids) != int(meta.get("documents", -1)):
            raise StoreError(
                f"the lexical index at {directory} is incomplete: run `skillcheck ingest --force`"
            )
        return cls(bm25, ids)

    def top(self, query: str, n: int, expansion: str = "") -> list[tuple[str, float]]:
        """The ``n`` best (chunk id, score) pairs with a positive score, best first.

        Words of ``expansion`` not already in the query count ``EXPANSION_WEIGHT``.
        """
        return self.top_weighted([(query, 1.0), (expansion, EXPANSION_WEIGHT)], n)

    def top_weighted(self, texts: Sequence[tuple[str, float]], n: int) -> list[tuple[str, float]]:
        """The ``n`` best (chunk id, score) pairs; a word counts the highest weight it has."""
        n = min(n, len(self._ids))
        if n <= 0:
            return []
        weight_of: dict[str, float] = {}
        for text, weight in texts:
            for word in tokenize(text):
                weight_of[word] = max(weight, weight_of.get(word, 0.0))
        by_weight: dict[float, list[str]] = {}
        for word, weight in weight_of.items():
            by_weight.setdefault(weight, []).append(word)
        scores: npt.NDArray[np.float32] | None = None
        for weight, words in sorted(by_weight.items()):
            ids = self._bm25.get_tokens_ids(sorted(words))
            if not ids or weight <= 0:
                continue
            part = np.asarray(self._bm25.get_scores_from_ids(ids), dtype=np.float32)
            part *= np.float32(weight)
            scores = part if scores is None else scores + part
        if scores is None:
            return []
        best = np.argpartition(-scores, n - 1)[:n]
        best = best[np.lexsort((best, -scores[best]))]  # ties: the earlier chunk first
        return [(self._ids[i].decode(), float(scores[i])) for i in best if scores[i] > 0]


class LexicalShelf(Protocol):
    """Where a store keeps the lexical index of each build."""

    def save(self, build: str, index: LexicalIndex) -> None:
        """Store ``index`` as the index of ``build``."""

    def load(self, build: str) -> LexicalIndex:
        """The index of ``build``, or a :class:`StoreError` saying how to rebuild it."""

    def drop(self, build: str) -> None:
        """Delete the index of ``build`` (nothing when there is none)."""

    def sweep(self, keep: str | None, builds: re.Pattern[str]) -> None:
        """Delete the index (or a leftover) of each build matching ``builds`` but ``keep``."""


def _leftover_of(name: str) -> str | None:
    """The build a ``.tmp-<build>-<8 hex>`` directory was being written for."""
    found = re.fullmatch(r"\.tmp-(.+)-[0-9a-f]{8}", name)
    return found.group(1) if found else None


class LocalShelf:
    """Indexes as directories beside a local Chroma store, one per build."""

    def __init__(self, root: Path):
        self.root = root

    def save(self, build: str, index: LexicalIndex) -> None:
        tmp = self.root / f".tmp-{build}-{uuid.uuid4().hex[:8]}"
        try:
            index.save(tmp)
            os.replace(tmp, self.root / build)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def load(self, build: str) -> LexicalIndex:
        return LexicalIndex.load(self.root / build)

    def drop(self, build: str) -> None:
        shutil.rmtree(self.root / build, ignore_errors=True)

    def sweep(self, keep: str | None, builds: re.Pattern[str]) -> None:
        if not self.root.is_dir():
            return
        for path in self.root.iterdir():
            build = _leftover_of(path.name) or path.name
            if build != keep and builds.match(build):
                shutil.rmtree(path, ignore_errors=True)


class ServerShelf:
    """Indexes in a side collection per build on a Chroma server, cached on this machine."""

    def __init__(self, client: Any, cache: Path):
        self.client = client
        self.cache = cache

    @staticmethod
    def side_name(build: str) -> str:
        """The side collection that holds the index of ``build``."""
        return f"{build}{_SIDE_SUFFIX}"

    def save(self, build: str, index: LexicalIndex) -> None:
        ids, docs, manifest = _pieces(index, self.cache / f".tmp-save-{uuid.uuid4().hex[:8]}")
        col = self.client.create_collection(
            self.side_name(build),
            embedding_function=None,
            metadata={"lexical_version": LEXICAL_VERSION, "files": json.dumps(manifest)},
        )
        for lo in range(0, len(ids), 4):  # a few MB per request
            part = ids[lo : lo + 4]
            # Chroma wants a vector per record; this collection is never queried
            col.add(ids=part, documents=docs[lo : lo + 4], embeddings=[[0.0]] * len(part))

    def load(self, build: str) -> LexicalIndex:
        here = self.cache / build
        if not (here / _META_FILE).is_file():
            self._download(build, here)
        return LexicalIndex.load(here)

    def _download(self, build: str, here: Path) -> None:
        try:
            col = self.client.get_collection(self.side_name(build), embedding_function=None)
            manifest = json.loads(str((col.metadata or {})["files"]))
        except Exception:
            raise StoreError(
                f"the build {build} has no lexical index on the server: run "
                "`skillcheck ingest --force`"
            ) from None
        tmp = self.cache / f".tmp-{build}-{uuid.uuid4().hex[:8]}"
        try:
            tmp.mkdir(parents=True)
            for name, entry in manifest.items():
                if not re.fullmatch(r"[\w.-]+", name) or name.startswith("."):
                    raise StoreError(f"the lexical index of {build} names a bad file {name!r}")
                (tmp / name).write_bytes(_fetch(col, build, name, entry))
            with contextlib.suppress(OSError):  # another process got there first: keep theirs
                os.replace(tmp, here)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        prefix = build.rsplit("-", 2)[0]
        for other in self.cache.iterdir():  # one cached build per store is enough
            if other.name != build and other.name.rsplit("-", 2)[0] == prefix:
                shutil.rmtree(other, ignore_errors=True)

    def drop(self, build: str) -> None:
        with contextlib.suppress(Exception):
            self.client.delete_collection(self.side_name(build))

    def sweep(self, keep: str | None, builds: re.Pattern[str]) -> None:
        names = [c if isinstance(c, str) else c.name for c in self.client.list_collections()]
        for name in names:
            build = name[: -len(_SIDE_SUFFIX)] if name.endswith(_SIDE_SUFFIX) else None
            if build is not None and build != keep and builds.match(build):
                self.drop(build)


def _pieces(index: LexicalIndex, staging: Path) -> tuple[list[str], list[str], dict[str, Any]]:
    """The index's files as record ids, base64 documents and a manifest of sha256 digests."""
    ids: list[str] = []
    docs: list[str] = []
    manifest: dict[str, Any] = {}
    try:
        index.save(staging)
        for path in sorted(staging.iterdir()):
            data = path.read_bytes()
            pieces = [data[i : i + _PIECE] for i in range(0, len(data), _PIECE)] or [b""]
            manifest[path.name] = {
                "pieces": len(pieces),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
            for k, piece in enumerate(pieces):
                ids.append(f"{path.name}#{k}")
                docs.append(base64.b64encode(piece).decode("ascii"))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return ids, docs, manifest


def _fetch(col: Any, build: str, name: str, entry: dict[str, Any]) -> bytes:
    """One index file of ``build`` read back from its side collection, checked."""
    wanted = [f"{name}#{k}" for k in range(int(entry["pieces"]))]
    got: dict[str, str] = {}
    for lo in range(0, len(wanted), 4):
        res = col.get(ids=wanted[lo : lo + 4], include=["documents"])
        got.update(zip(res["ids"], res["documents"], strict=True))
    if set(got) != set(wanted):
        raise StoreError(
            f"the lexical index of {build} on the server is incomplete: run "
            "`skillcheck ingest --force`"
        )
    data = b"".join(base64.b64decode(got[i]) for i in wanted)
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise StoreError(f"the lexical index of {build} on the server is damaged")
    return data


def shelf_for(client: Any, *, local_root: Path | None, cache: Path) -> LexicalShelf:
    """The shelf of a local store (``local_root``) or, when that is None, of a server."""
    return LocalShelf(local_root) if local_root is not None else ServerShelf(client, cache)
