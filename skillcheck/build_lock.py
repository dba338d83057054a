"""One build at a time per store: a file lock on a local store, a lease on a Chroma server.

A build (write a new collection, move the active pointer, drop older builds) must not
overlap another build of the same store, or one builder's clean-up deletes the
other's collection, the pointer can end on a deleted build, and a writer dies with
Chroma's ``NotFoundError``.

- **Local store**: an exclusive ``fcntl.flock`` on ``<store>.build-lock`` beside the
  store directory. The kernel releases it when its holder exits or is killed, so it
  never goes stale; the file only says who holds it (for the waiting line).
- **Chroma server**: a *lease*, the collection ``{prefix}-lease`` whose metadata names
  its holder and an expiry. Creating it is the acquisition (Chroma refuses a second
  collection of the same name); its holder renews the expiry every third of the lease
  while it builds, and checks it still holds it before switching the pointer. A
  lease past its expiry (its holder died) is taken over: the taker renames that exact
  collection (by id) to a unique tombstone name and deletes it, then creates its own;
  if two take over at once, only one create succeeds and the other waits.

A second builder waits (one line on stderr saying for whom) up to
``SKILLCHECK_BUILD_WAIT_SECONDS``, then proceeds, or gives up with one
:class:`BuildBusyError` line (exit 2).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from skillcheck.errors import StoreError

Say = Callable[[str], None]
#: How often a waiting builder looks again (seconds).
POLL_SECONDS = 0.25


class BuildBusyError(StoreError):
    """Another build of the same store held it for longer than the wait allowed."""


class LeaseLostError(StoreError):
    """This build's lease expired and another builder took it over; nothing was switched."""


class BuildGuard(Protocol):
    """What a builder holds while it builds."""

    def check(self) -> None:
        """Raise :class:`LeaseLostError` if the guard is no longer held."""

    def release(self) -> None:
        """Let the next builder in (never raises)."""


@dataclass(frozen=True)
class Holder:
    """Who holds a build: ``pid@host`` and when they started (epoch seconds)."""

    who: str
    started: float

    @staticmethod
    def me() -> Holder:
        return Holder(f"pid {os.getpid()} on {socket.gethostname()}", time.time())

    def line(self) -> str:
        when = time.strftime("%H:%M:%S UTC", time.gmtime(self.started)) if self.started else "?"
        return f"holder {self.who}, started {when}"


def _waiting(where: str, holder: Holder, wait: float) -> str:
    return f"waiting for another build of {where} ({holder.line()}), up to {wait:g} s"


def _busy(where: str, holder: Holder, wait: float) -> BuildBusyError:
    return BuildBusyError(
        f"another build of {where} is still running after {wait:g} s ({holder.line()}); "
        "try again later, or raise SKILLCHECK_BUILD_WAIT_SECONDS"
    )


# --- local: a file lock ----------------------------------------------------------------
class FileGuard:
    """An exclusive ``flock`` on a file; the kernel drops it if the process dies."""

    def __init__(self, path: Path, *, wait: float, where: str, say: Say):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            self._acquire(wait, where, say)
        except BaseException:
            os.close(self._fd)
            raise
        me = Holder.me()
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, json.dumps({"who": me.who, "started": me.started}).encode(), 0)

    def _acquire(self, wait: float, where: str, say: Say) -> None:
        deadline = time.monotonic() + wait
        said = False
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                pass
            holder = self._holder()
            if time.monotonic() >= deadline:
                raise _busy(where, holder, wait)
            if not said:
                say(_waiting(where, holder, wait))
                said = True
            time.sleep(POLL_SECONDS)

    def _holder(self) -> Holder:
        try:
            raw = json.loads(self._path.read_text("utf-8") or "{}")
            return Holder(str(raw.get("who", "unknown")), float(raw.get("started", 0)))
        except (OSError, ValueError, TypeError, AttributeError):
            return Holder("unknown", 0.0)

    def check(self) -> None:
        return None  # a flock cannot be taken from a live holder

    def release(self) -> None:
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)
        with contextlib.suppress(OSError):
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        with contextlib.suppress(OSError):
            os.close(self._fd)


# --- server: a lease collection --------------------------------------------------------
def _already_exists(exc: BaseException) -> bool:
    from chromadb.errors import UniqueConstraintError

    return isinstance(exc, UniqueConstraintError) or "already exists" in str(exc).lower()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else exc.__class__.__name__)[:200]


class Lease:
    """The ``{prefix}-lease`` collection on a Chroma server, held and renewed while building."""

    def __init__(
        self, client: Any, name: str, *, ttl: float, wait: float, where: str, say: Say
    ) -> None:
        self._client = client
        self.name = name
        self._ttl = ttl
        self._where = where
        self._me = Holder.me()
        self._id = f"{self._me.who} #{uuid.uuid4().hex[:8]}"
        self._col: Any = None
        self._lost = False
        self._expires = 0.0
        self._stop = threading.Event()
        self._acquire(wait, say)
        self._renewer = threading.Thread(target=self._renew_loop, name="lease", daemon=True)
        self._renewer.start()

    def _metadata(self) -> dict[str, Any]:
        return {
            "kind": "skillcheck-build-lease",
            "holder": self._id,
            "started": self._me.started,
            "expires": time.time() + self._ttl,
        }

    def _acquire(self, wait: float, say: Say) -> None:
        deadline = time.monotonic() + wait
        said = False
        while True:
            meta = self._metadata()
            try:
                self._col = self._client.create_collection(
                    self.name, embedding_function=None, metadata=meta
                )
                self._expires = float(meta["expires"])
                return
            except Exception as exc:
                if not _already_exists(exc):
                    raise StoreError(
                        f"cannot take the build lease on {self._where}: {_first_line(exc)}"
                    ) from None
            try:
                current = self._current()
            except Exception as exc:
                raise StoreError(
                    f"cannot read the build lease on {self._where}: {_first_line(exc)}"
                ) from None
            if current is None:
                continue  # released between our create and our look: try again now
            theirs = current.metadata or {}
            if float(theirs.get("expires", 0)) <= time.time():
                self._take_over(current)
                continue
            holder = Holder(str(theirs.get("holder", "unknown")), float(theirs.get("started", 0)))
            if time.monotonic() >= deadline:
                raise _busy(self._where, holder, wait)
            if not said:
                say(_waiting(self._where, holder, wait))
                said = True
            time.sleep(POLL_SECONDS)

    def _current(self) -> Any:
        """The lease collection now, or None when there is none (other errors raise)."""
        from chromadb.errors import NotFoundError

        try:
            return self._client.get_collection(self.name, embedding_function=None)
        except NotFoundError:
            return None

    def _take_over(self, stale: Any) -> None:
        """Retire an expired lease: rename that very collection (by id), then delete it.

        Renaming works on the collection's id, so a taker can only ever retire the
        expired lease it read, never a fresh one created meanwhile.
        """
        tomb = f"{self.name}-stale-{uuid.uuid4().hex[:12]}"
        with contextlib.suppress(Exception):
            stale.modify(name=tomb)
            self._client.delete_collection(tomb)

    def _holds(self) -> bool:
        current = self._current()
        return (
            current is not None
            and self._col is not None
            and current.id == self._col.id
            and (current.metadata or {}).get("holder") == self._id
        )

    def _renew_loop(self) -> None:
        while not self._stop.wait(self._ttl / 3):
            try:
                if not self._holds():
                    self._lost = True
                    return
                meta = self._metadata()
                self._col.modify(metadata=meta)
                self._expires = float(meta["expires"])
            except Exception:
                if time.time() >= self._expires:
                    self._lost = True
                    return

    def check(self) -> None:
        try:
            held = self._holds()
        except Exception:  # the server cannot say: trust what the renewals saw
            held = time.time() < self._expires
        if self._lost or not held:
            raise LeaseLostError(
                f"this build's lease on {self._where} expired and another build took over; "
                "the store in use is unchanged: run `skillcheck ingest` again (or raise "
                "SKILLCHECK_BUILD_LEASE_SECONDS)"
            )

    def release(self) -> None:
        self._stop.set()
        self._renewer.join(timeout=5)
        if self._col is None:
            return
        done = f"{self.name}-done-{uuid.uuid4().hex[:12]}"
        with contextlib.suppress(Exception):  # ours by id: never a successor's lease
            self._col.modify(name=done)
            self._client.delete_collection(done)
