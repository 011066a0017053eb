"""Named locks that serialise requests across threads and, on PostgreSQL, processes.

PostgreSQL: a session advisory lock on a hash of the name, held on a connection of its
own for the duration of the block (the server drops it when that connection dies).
SQLite: one of a fixed set of in-process locks, picked by the name's hash.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

_LOCAL = tuple(threading.Lock() for _ in range(64))


@contextmanager
def named_lock(engine: Engine, name: str) -> Iterator[None]:
    if engine.dialect.name != "postgresql":
        with _LOCAL[zlib.crc32(name.encode()) % len(_LOCAL)]:
            yield
        return
    params = {"name": name}
    with engine.connect() as conn:
        conn.execute(text("select pg_advisory_lock(hashtextextended(:name, 0))"), params)
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("select pg_advisory_unlock(hashtextextended(:name, 0))"), params)
            conn.commit()
