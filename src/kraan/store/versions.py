"""The data version: changes whenever anything a status document depends on is written.

Reports (a new version is a new ``submissions`` row), declarations, reference data and
every audited change raise one of these ids, so a cache keyed on the version is
invalidated by any write, in this process or another one. Four index lookups.
"""

from __future__ import annotations

import itertools

from sqlalchemy import Connection, Engine, event, func, select

from kraan.store.tables import audit_log, locations, status_declarations, submissions


def data_version(conn: Connection) -> str:
    row = conn.execute(
        select(
            select(func.max(submissions.c.id)).scalar_subquery(),
            select(func.max(status_declarations.c.id)).scalar_subquery(),
            select(func.max(audit_log.c.id)).scalar_subquery(),
            select(func.max(locations.c.id)).scalar_subquery(),
        )
    ).one()
    return ".".join(str(v or 0) for v in row)


_commit_count = itertools.count(1)
_last_commit = 0


def _bump(*_: object) -> None:
    global _last_commit
    _last_commit = next(_commit_count)


def commits_seen() -> int:
    """A number that changes whenever a transaction of a tracked engine commits."""
    return _last_commit


def note_commit() -> None:
    """Count a write made outside a tracked engine (the same effect as a commit)."""
    _bump()


def track_commits(engine: Engine) -> None:
    """Count this engine's commits, so memoised data versions are re-read after a write."""
    if not event.contains(engine, "commit", _bump):
        event.listen(engine, "commit", _bump)
