"""The vector store: Chroma on disk by default, a Chroma server when ``CHROMA_HOST`` is set.

A build writes a new collection named after its content fingerprint, and only when
it is complete moves the *active* pointer (the metadata of a small pointer
collection) to it; old builds are deleted after the switch. So a failed or
interrupted build leaves the previous store answering, and a build with nothing
new writes nothing.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from skillcheck import build_lock, orphans
from skillcheck.config import Settings
from skillcheck.corpus import Chunk
from skillcheck.embeddings import Vectors
from skillcheck.errors import EmbeddingMismatchError, StoreError
from skillcheck.lexical import LEXICAL_VERSION, LexicalIndex, LexicalShelf, shelf_for

#: 3: each build has its lexical index beside it (see :mod:`skillcheck.lexical`).
SCHEMA_VERSION = 3
#: How many nearest records to fetch per chunk wanted (a chunk may match via several units).
_UNITS_PER_CHUNK = 4
_POINTER_SUFFIX = "active"
_LEASE_SUFFIX = "lease"
_BATCH = 1000


@dataclass(frozen=True)
class StoreInfo:
    """What the active collection holds and how it was built."""

    collection: str
    embedding_model: str
    chunks: int
    sources: list[str]
    built_at: str


@dataclass(frozen=True)
class DenseHit:
    """One nearest neighbour: the chunk id and its cosine similarity."""

    chunk_id: str
    similarity: float


def fingerprint(chunks: Iterable[Chunk], embedding_model: str) -> str:
    """A digest of everything a build depends on: schema, model and every chunk."""
    digest = hashlib.sha256(
        f"v{SCHEMA_VERSION}\n{embedding_model}\nlexical {LEXICAL_VERSION}\n".encode()
    )
    for chunk in chunks:
        digest.update(f"{chunk.id}|{chunk.section}|{chunk.start}|{chunk.end}\n".encode())
        # a source's address and capture date travel with its chunks: a change rebuilds
        digest.update(f"  {_card(chunk.meta, 'url')}|{_card(chunk.meta, 'captured')}\n".encode())
        for unit in chunk.units():
            digest.update(f"  {unit}\n".encode())
    return digest.hexdigest()[:16]


_DISK_FULL_TEXT = re.compile(r"disk is full|no space left on device|disk quota exceeded", re.I)


def disk_full(exc: BaseException) -> bool:
    """True when ``exc`` (or an exception it was raised from) says the disk is full."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if _DISK_FULL_TEXT.search(str(current)):
            return True
        current = current.__cause__ or current.__context__
    return False


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return text[:200]


class Store:
    """The active collection of chunks, with the pointer that names it."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.prefix = settings.collection_prefix
        self._client = self._connect(settings)
        self.location = (
            f"chroma server {settings.chroma_host}:{settings.chroma_port}"
            if settings.chroma_host
            else str(settings.store_path)
        )
        self._guard: build_lock.BuildGuard | None = None
        self.lexical = _shelf(settings, self._client)
        self._handle: dict[str, Any] = {}

    @staticmethod
    def _connect(settings: Settings) -> Any:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        try:
            if settings.chroma_host:
                return chromadb.HttpClient(
                    host=settings.chroma_host,
                    port=settings.chroma_port,
                    ssl=settings.chroma_ssl,
                    settings=chroma_settings,
                )
            settings.store_path.mkdir(parents=True, exist_ok=True)
            return chromadb.PersistentClient(
                path=str(settings.store_path), settings=chroma_settings
            )
        except Exception as exc:
            where = (
                f"the Chroma server at {settings.chroma_host}:{settings.chroma_port}"
                if settings.chroma_host
                else f"the store at {settings.store_path}"
            )
            raise StoreError(
                f"cannot open {where}: {_describe(exc)}; check it, or delete it and run "
                "`skillcheck ingest`"
            ) from None

    # --- the pointer -------------------------------------------------------------------
    @property
    def _pointer_name(self) -> str:
        return f"{self.prefix}-{_POINTER_SUFFIX}"

    def _collection_names(self) -> list[str]:
        try:
            return [c if isinstance(c, str) else c.name for c in self._client.list_collections()]
        except Exception as exc:
            raise StoreError(f"cannot read {self.location}: {_describe(exc)}") from None

    def active_name(self) -> str | None:
        """The name of the collection now answering, or None when nothing was built."""
        names = self._collection_names()
        if self._pointer_name not in names:
            return None
        pointer = self._client.get_collection(self._pointer_name)
        name = (pointer.metadata or {}).get("active")
        return name if isinstance(name, str) and name in names else None

    def pointer(self) -> str | None:
        """The name the pointer holds (one read; the collection may be gone already)."""
        try:
            pointer = self._client.get_collection(self._pointer_name, embedding_function=None)
        except Exception:
            return None
        name = (pointer.metadata or {}).get("active")
        return name if isinstance(name, str) else None

    def _set_active(self, name: str) -> None:
        pointer = self._client.get_or_create_collection(self._pointer_name, embedding_function=None)
        pointer.modify(metadata={"active": name, "switched_at": time.time()})

    # --- reading -----------------------------------------------------------------------
    def _active(self, build: str | None = None) -> Any:
        name = build or self.active_name()
        if name is None:
            raise StoreError(f"no store at {self.location}: run `skillcheck ingest`")
        if name in self._handle:  # the pointer is read every time; the handle is kept
            return self._handle[name]
        try:
            col = self._client.get_collection(name, embedding_function=None)
        except Exception as exc:
            raise StoreError(f"cannot open collection {name}: {_describe(exc)}") from None
        self._handle = {name: col}
        return col

    def info(self) -> StoreInfo:
        """The active build's metadata."""
        col = self._active()
        meta = col.metadata or {}
        return StoreInfo(
            collection=col.name,
            embedding_model=str(meta.get("embedding_model", "unknown")),
            chunks=int(meta["chunk_count"]) if "chunk_count" in meta else col.count(),
            sources=json.loads(str(meta.get("sources", "[]"))),
            built_at=str(meta.get("built_at", "")),
        )

    def check_model(self, embedding_model: str) -> None:
        """Refuse to query vectors made by another model than ``embedding_model``."""
        col = self._active()
        schema = (col.metadata or {}).get("schema")
        if schema != SCHEMA_VERSION:
            raise StoreError(
                f"the store at {self.location} has layout {schema}, this skillcheck reads "
                f"layout {SCHEMA_VERSION}: run `skillcheck ingest` to rebuild it"
            )
        built_with = self.info().embedding_model
        if built_with != embedding_model:
            raise EmbeddingMismatchError(
                f"the store was built with embedding model {built_with!r} but "
                f"{embedding_model!r} is configured: run `skillcheck ingest` to rebuild it"
            )

    def chunks(self, build: str | None = None) -> list[Chunk]:
        """Every chunk of the active build, or of ``build`` (not its units), in a stable order."""
        col = self._active(build)
        total = col.count()
        chunks: list[Chunk] = []
        for offset in range(0, total, 5000):
            got = col.get(
                where={"kind": "chunk"},
                include=["documents", "metadatas"],
                limit=5000,
                offset=offset,
            )
            for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
                chunks.append(_chunk_from_record(cid, doc, meta))
        chunks.sort(key=lambda c: (c.source_id, c.start, c.id))
        return chunks

    def chunks_by_id(self, ids: list[str], build: str | None = None) -> dict[str, Chunk]:
        """The chunks of ``build`` (default: the active one) with these ids (an unknown
        id is left out)."""
        if not ids:
            return {}
        try:
            got = self._active(build).get(ids=ids, include=["documents", "metadatas"])
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"cannot read {self.location}: {_describe(exc)}") from None
        return {
            cid: _chunk_from_record(cid, doc, meta)
            for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
            if (meta or {}).get("kind") == "chunk"
        }

    def lexical_index(self, build: str | None = None) -> LexicalIndex:
        """The lexical index of ``build`` (by default the active one)."""
        name = build or self.active_name()
        if name is None:
            raise StoreError(f"no store at {self.location}: run `skillcheck ingest`")
        return self.lexical.load(name)

    def query(self, vector: Vectors, n: int, build: str | None = None) -> list[DenseHit]:
        """The ``n`` nearest chunks to ``vector``: a chunk scores its best record's cosine.

        A chunk is found through its own vector or through one of its units' (its
        sentences and list items), whichever is nearer. ``build`` names the build to
        ask (default: the active one).
        """
        col = self._active(build)
        recorded = (col.metadata or {}).get("record_count")  # counting costs ms at 100k
        total = int(recorded) if isinstance(recorded, int) else col.count()
        if total <= 0 or n <= 0:
            return []
        try:  # no metadata: reading it costs ten times the search at 100k records
            got = col.query(
                query_embeddings=[vector],
                n_results=min(total, n * _UNITS_PER_CHUNK),
                include=["distances"],
            )
        except Exception as exc:
            raise StoreError(f"query failed on {self.location}: {_describe(exc)}") from None
        best: dict[str, float] = {}
        for dist, rid in zip(got["distances"][0], got["ids"][0], strict=True):
            cid = str(rid).split("#", 1)[0]  # a unit's record id is "<chunk id>#<n>"
            best.setdefault(cid, 1.0 - float(dist))  # results come nearest first
        ranked = sorted(best.items(), key=lambda kv: -kv[1])[:n]
        return [DenseHit(cid, sim) for cid, sim in ranked]

    # --- writing -----------------------------------------------------------------------
    @contextlib.contextmanager
    def building(self, say: Callable[[str], None] | None = None) -> Iterator[None]:
        """Hold this store's build lock (local) or lease (server) for the block.

        Re-entrant for this ``Store``; another builder waits (saying so through ``say``,
        stderr by default) up to ``SKILLCHECK_BUILD_WAIT_SECONDS``, then gets a
        :class:`~skillcheck.build_lock.BuildBusyError`. See :mod:`skillcheck.build_lock`.
        """
        if self._guard is not None:
            yield
            return
        say = say or _stderr
        wait = self.settings.build_wait_seconds
        guard: build_lock.BuildGuard
        if self.settings.chroma_host:
            guard = build_lock.Lease(
                self._client,
                f"{self.prefix}-{_LEASE_SUFFIX}",
                ttl=self.settings.build_lease_seconds,
                wait=wait,
                where=self.location,
                say=say,
            )
        else:
            path = self.settings.store_path
            lock = path.with_name(f"{path.name}.build-lock")
            guard = build_lock.FileGuard(lock, wait=wait, where=self.location, say=say)
        self._guard = guard
        try:
            yield
        finally:
            self._guard = None
            guard.release()

    def is_current(self, fp: str) -> bool:
        """True when the active build already has this fingerprint."""
        name = self.active_name()
        if name is None:
            return False
        meta = self._client.get_collection(name, embedding_function=None).metadata or {}
        return meta.get("fingerprint") == fp

    def build(
        self,
        records: list[Record],
        vectors: Vectors,
        embedding_model: str,
        fp: str,
        progress: Callable[[int], None] | None = None,
    ) -> str:
        """Write a new collection, then make it active and drop older builds."""
        if len(records) != len(vectors):
            raise StoreError("internal: record and vector counts differ")
        with self.building():
            return self._build(records, vectors, embedding_model, fp, progress)

    def _build(
        self,
        records: list[Record],
        vectors: Vectors,
        embedding_model: str,
        fp: str,
        progress: Callable[[int], None] | None,
    ) -> str:
        chunks = [r.chunk for r in records if r.unit is None]
        name = f"{self.prefix}-{fp}-{uuid.uuid4().hex[:8]}"  # never the active one
        self._drop_old(keep=self.active_name())  # leftovers of failed builds: space back first
        try:
            self._write(name, records, vectors, embedding_model, fp, chunks, progress)
            self._check_guard()  # a server lease lost meanwhile: switch nothing
        except BaseException as exc:
            self._forget(name)  # a failed build does not pile up; the active one still answers
            self._check_guard()  # our collection deleted by the build that took over
            if disk_full(exc):
                raise StoreError(
                    f"the disk is full: the new build could not be written to {self.location}; "
                    "free some space and run `skillcheck ingest` again (the store in use is "
                    "unchanged)"
                ) from None
            raise
        self._set_active(name)
        self._drop_old(keep=name)
        if not self.settings.chroma_host:
            orphans.remove_orphan_segments(self.settings.store_path)
        return name

    def _check_guard(self) -> None:
        if self._guard is not None:
            self._guard.check()

    def _forget(self, name: str) -> None:
        """Delete collection ``name`` if it exists; a failure here must not hide the cause."""
        with contextlib.suppress(Exception):  # else the next build's clean-up removes it
            if name in self._collection_names():
                self._client.delete_collection(name)
        with contextlib.suppress(Exception):
            self.lexical.drop(name)

    def _write(
        self,
        name: str,
        records: list[Record],
        vectors: Vectors,
        embedding_model: str,
        fp: str,
        chunks: list[Chunk],
        progress: Callable[[int], None] | None,
    ) -> None:
        col = self._client.create_collection(
            name,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={
                "embedding_model": embedding_model,
                "dimension": int(vectors.shape[1]) if len(vectors) else 0,
                "chunk_count": len(chunks),
                "record_count": len(records),
                "fingerprint": fp,
                "schema": SCHEMA_VERSION,
                "sources": json.dumps(sorted({c.source_id for c in chunks})),
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            },
        )
        for lo in range(0, len(records), _BATCH):
            part = records[lo : lo + _BATCH]
            col.add(
                ids=[r.id for r in part],
                embeddings=np.asarray(vectors[lo : lo + _BATCH], dtype=np.float32),
                documents=[r.text for r in part],
                metadatas=[r.metadata() for r in part],
            )
            if progress:
                progress(len(part))
        if col.count() != len(records):
            raise StoreError(f"build incomplete: {col.count()} of {len(records)} records written")
        ordered = sorted(chunks, key=lambda c: (c.source_id, c.start, c.id))
        self.lexical.save(name, LexicalIndex.build([(c.id, c.embed_text) for c in ordered]))

    def _drop_old(self, keep: str | None) -> None:
        # older builds, and leftovers of interrupted ones
        pattern = re.compile(rf"^{re.escape(self.prefix)}-[0-9a-f]{{16}}-[0-9a-f]{{8}}$")
        for other in self._collection_names():
            if other != keep and pattern.match(other):
                self._client.delete_collection(other)
        self.lexical.sweep(keep, pattern)

    def reset(self) -> None:
        """Delete every collection of this prefix (the pointer too)."""
        for name in self._collection_names():
            if name.startswith(f"{self.prefix}-"):
                self._client.delete_collection(name)
        self.lexical.sweep(None, re.compile(rf"^{re.escape(self.prefix)}-"))


def _shelf(settings: Settings, client: Any) -> LexicalShelf:
    """Lexical indexes beside the local store, or on the server with a local cache."""
    if not settings.chroma_host:
        return shelf_for(
            client, local_root=settings.store_path / "lexical", cache=settings.cache_dir
        )
    server = re.sub(r"[^A-Za-z0-9._-]", "_", f"{settings.chroma_host}-{settings.chroma_port}")
    return shelf_for(client, local_root=None, cache=settings.cache_dir / "lexical" / server)


def _stderr(message: str) -> None:
    sys.stderr.write(message + "\n")


@dataclass(frozen=True)
class Record:
    """One vector in the store: a whole chunk (``unit`` None) or one of its units."""

    chunk: Chunk
    unit: int | None = None
    unit_text: str = ""

    @property
    def id(self) -> str:
        return self.chunk.id if self.unit is None else f"{self.chunk.id}#{self.unit}"

    @property
    def text(self) -> str:
        return self.chunk.text if self.unit is None else self.unit_text

    @property
    def embed_text(self) -> str:
        return self.chunk.embed_text if self.unit is None else self.unit_text

    def metadata(self) -> dict[str, Any]:
        if self.unit is None:
            return _record_meta(self.chunk)
        return {"kind": "unit", "chunk_id": self.chunk.id, "source": self.chunk.source_id}


def records_for(chunks: list[Chunk]) -> list[Record]:
    """Each chunk's record, then its units' records."""
    out = []
    for chunk in chunks:
        out.append(Record(chunk))
        out.extend(Record(chunk, i, text) for i, text in enumerate(chunk.units()))
    return out


def _card(meta: Any, key: str) -> str:
    """A source card's text field of chunk or record metadata ('' when absent)."""
    value = (meta or {}).get(key)
    return str(value) if value else ""


def _record_meta(chunk: Chunk) -> dict[str, Any]:
    return {
        "kind": "chunk",
        "chunk_id": chunk.id,
        "source": chunk.source_id,
        "section": chunk.section,
        "start": chunk.start,
        "end": chunk.end,
        "title": str(chunk.meta.get("title", "")),
        "short_title": str(chunk.meta.get("short_title", "")),
        "publisher": str(chunk.meta.get("publisher", "")),
        "latest_release": bool(chunk.meta.get("latest_release", True)),
        "url": _card(chunk.meta, "url"),
        "captured": _card(chunk.meta, "captured"),
    }


def _chunk_from_record(cid: str, doc: str | None, meta: Any) -> Chunk:
    meta = dict(meta or {})
    return Chunk(
        id=cid,
        source_id=str(meta.get("source", "")),
        section=str(meta.get("section", "")),
        start=int(meta.get("start", 0)),
        end=int(meta.get("end", 0)),
        text=doc or "",
        meta={
            "title": meta.get("title", ""),
            "short_title": meta.get("short_title", ""),
            "publisher": meta.get("publisher", ""),
            "latest_release": bool(meta.get("latest_release", True)),
            "url": _card(meta, "url"),
            "captured": _card(meta, "captured"),
        },
    )
