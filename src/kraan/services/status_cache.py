"""The computed status, cached per ``(as_of, data version)`` (issue 8, status under load).

Building the overview costs about a quarter of a second of CPU; the public status page and
``GET /api/v1/status`` ask for the same few moments over and over. Entries are keyed on the
moment and on :func:`kraan.store.versions.data_version`, so a written report (a new
version) makes the next request compute afresh. Concurrent misses for one key compute
once: the others wait for the first (single flight).

Without an explicit ``as_of`` the moment is *now*, floored to ``status_now_seconds``, so
that "now" is one key for a few seconds instead of a new one every request.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from kraan.services.contract import status_document
from kraan.services.overview import Overview, build_overview
from kraan.settings import Settings
from kraan.store.versions import data_version

Key = tuple[datetime, str]


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


class StatusCache:
    """An LRU of (overview, status document) per key; safe across threads."""

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._entries: OrderedDict[Key, tuple[Overview, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Key, threading.Lock] = {}
        self.hits = 0
        self.misses = 0

    def get(
        self, conn: Connection, *, as_of: datetime, settings: Settings, version: str | None = None
    ) -> tuple[Overview, dict[str, Any]]:
        key = (as_of, version if version is not None else data_version(conn))
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return found
            flight = self._computing.setdefault(key, threading.Lock())
        with flight:
            with self._lock:
                found = self._entries.get(key)
                if found is not None:
                    self.hits += 1
                    return found
                self.misses += 1
            overview = build_overview(conn, as_of=as_of, settings=settings)
            entry = (overview, status_document(overview))
            with self._lock:
                self._entries[key] = entry
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
                self._computing.pop(key, None)
        return entry


def overview_for(
    cache: StatusCache | None, conn: Connection, *, as_of: datetime, settings: Settings
) -> tuple[Overview, dict[str, Any]]:
    """The overview and its status document, from the cache when there is one."""
    if cache is None:
        overview = build_overview(conn, as_of=as_of, settings=settings)
        return overview, status_document(overview)
    return cache.get(conn, as_of=as_of, settings=settings)
