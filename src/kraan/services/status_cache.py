"""The computed status, cached per ``(as_of, data version)`` (issue 8, status under load).

Building the overview costs about a quarter of a second of CPU; the public status page and
``GET /api/v1/status`` ask for the same few moments over and over. Entries are keyed on the
moment and on :func:`kraan.store.versions.data_version`, so a written report (a new
version) makes the next request compute afresh. Concurrent misses for one key compute
once: the others wait for the first (single flight). The serialised JSON is kept too.

The data version is read from the database at most every ``status_version_seconds``;
any commit through this process's engine (``kraan.store.versions.track_commits``, set up
by ``create_app``) makes the next request read it at once, so another process's write
shows within that interval and this process's own write immediately.

Without an explicit ``as_of`` the moment is *now*: the entry is filed under now floored to
``status_now_seconds`` (one key for a few seconds instead of a new one every request) and
computed for the exact moment of the first request; any write starts a new entry.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from kraan.services.contract import status_document
from kraan.services.overview import Overview, build_overview
from kraan.settings import Settings
from kraan.store.versions import commits_seen, data_version, note_commit

Key = tuple[datetime, str]


def note_write() -> None:
    """A report was written by this process: the next status request re-reads the version."""
    note_commit()


def now_bucket(now: datetime, seconds: int) -> datetime:
    """``now`` floored to a multiple of ``seconds`` (of the day)."""
    if seconds <= 1:
        return now.replace(microsecond=0)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    elapsed = int((now - midnight).total_seconds())
    return midnight + timedelta(seconds=elapsed - elapsed % seconds)


def etag_for(*parts: object) -> str:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:24]
    return f'"{digest}"'


@dataclass(frozen=True, slots=True)
class Entry:
    overview: Overview
    document: dict[str, Any]
    body: bytes  # the document as JSON, serialised once


class StatusCache:
    """An LRU of entries per key, and a memo of the data version; safe across threads."""

    def __init__(self, size: int, version_seconds: float = 1.0) -> None:
        self.size = max(1, size)
        self.version_seconds = version_seconds
        self._entries: OrderedDict[Key, Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Key, threading.Lock] = {}
        self._version: tuple[str, float, int] | None = None  # (version, read at, write seen)
        self.hits = 0
        self.misses = 0

    # -- the data version -------------------------------------------------------------------
    def known_version(self) -> str | None:
        """The memoised version while it is fresh, else None (then call :meth:`version`)."""
        memo = self._version
        if memo is None or memo[2] != commits_seen():
            return None
        if time.monotonic() - memo[1] > self.version_seconds:
            return None
        return memo[0]

    def version(self, engine: Engine) -> str:
        seen = commits_seen()
        with engine.connect() as conn:
            value = data_version(conn)
        self._version = (value, time.monotonic(), seen)
        return value

    # -- entries ----------------------------------------------------------------------------
    def peek(self, as_of: datetime, version: str) -> Entry | None:
        key = (as_of, version)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            return found

    def get(
        self,
        conn: Connection,
        *,
        as_of: datetime,
        settings: Settings,
        version: str | None = None,
        key_as_of: datetime | None = None,
    ) -> Entry:
        """``key_as_of``: the moment the entry is filed under (a "now" bucket), when it
        differs from the moment computed for."""
        key = (key_as_of or as_of, version if version is not None else data_version(conn))
        found = self.peek(*key)
        if found is not None:
            return found
        with self._lock:
            flight = self._computing.setdefault(key, threading.Lock())
        with flight:
            with self._lock:
                found = self._entries.get(key)
                if found is not None:
                    self.hits += 1
                    return found
                self.misses += 1
            entry = _entry(build_overview(conn, as_of=as_of, settings=settings))
            with self._lock:
                self._entries[key] = entry
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
                self._computing.pop(key, None)
        return entry

    def compute(
        self,
        engine: Engine,
        *,
        as_of: datetime,
        settings: Settings,
        version: str,
        key_as_of: datetime | None = None,
    ) -> Entry:
        with engine.connect() as conn:
            return self.get(
                conn, as_of=as_of, settings=settings, version=version, key_as_of=key_as_of
            )


def _entry(overview: Overview) -> Entry:
    document = status_document(overview)
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return Entry(overview, document, body)


def uncached(engine: Engine, *, as_of: datetime, settings: Settings) -> tuple[Entry, str]:
    """Today's path, every request computed (``KRAAN_STATUS_CACHE=false``)."""
    with engine.connect() as conn:
        version = data_version(conn)
        return _entry(build_overview(conn, as_of=as_of, settings=settings)), version


def overview_for(
    cache: StatusCache | None, conn: Connection, *, as_of: datetime, settings: Settings
) -> tuple[Overview, dict[str, Any]]:
    """The overview and its status document, from the cache when there is one."""
    if cache is None:
        overview = build_overview(conn, as_of=as_of, settings=settings)
        return overview, status_document(overview)
    entry = cache.get(conn, as_of=as_of, settings=settings)
    return entry.overview, entry.document
