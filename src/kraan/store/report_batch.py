"""Set-based writes of capacity reports: a whole batch in a handful of statements.

Per batch, not per report: one lookup finds, for every (location, moment) key,
the current stored version and the stored report just before it; one locking
read takes the current versions ``FOR UPDATE`` (PostgreSQL); one ``UPDATE``
retires corrected versions; then submissions, their levels and one audit row
per change go in as three bulk inserts (``COPY`` on PostgreSQL, multi-row
``INSERT`` elsewhere). The old path spent five or six round trips per report.

Concurrency: a version row that stops being current between the lookup and the
lock, a second insert of the same version (``uq_submission_version``) or a
deadlock fail the transaction; :func:`is_retryable` tells the caller that the
batch may simply be tried again, which then sees the other request's result.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Connection,
    DateTime,
    FromClause,
    Integer,
    Table,
    bindparam,
    column,
    func,
    insert,
    select,
    text,
    update,
    values,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError, IntegrityError

from kraan.domain.model import CapacityReport
from kraan.store.audit import chained
from kraan.store.report_rows import (
    LEVEL_COLUMNS,
    SaveOutcome,
    SaveResult,
    level_row,
    report_as_dict,
    row_reports,
    same_figures,
)
from kraan.store.tables import audit_log, submission_levels, submissions

Key = tuple[int, datetime]  # (location_id, reported_at)

#: Keys per lookup statement: two parameters each, well under SQLite's variable limit.
_CHUNK = 400

#: PostgreSQL SQLSTATEs worth a retry: serialization failure, deadlock.
_RETRY_SQLSTATES = frozenset({"40001", "40P01"})
_SQLITE_UNIQUE_VERSION = "submissions.location_id, submissions.reported_at, submissions.version"


class ConcurrentWriteError(RuntimeError):
    """Another transaction changed a report of this batch meanwhile; send it again."""


def is_retryable(error: BaseException) -> bool:
    """Whether a failed batch may simply be tried again in a fresh transaction."""
    if isinstance(error, ConcurrentWriteError):
        return True
    cause = error.orig if isinstance(error, DBAPIError) else error  # COPY raises psycopg's own
    message = str(cause)
    state = getattr(cause, "sqlstate", None)
    if state == "23505" or isinstance(error, IntegrityError):  # same version inserted twice
        return "uq_submission_version" in message or _SQLITE_UNIQUE_VERSION in message
    # PostgreSQL deadlock / serialization failure; SQLite's stale-snapshot "locked"
    return state in _RETRY_SQLSTATES or (
        isinstance(error, DBAPIError) and "database is locked" in message
    )


@dataclass(frozen=True, slots=True)
class Stored:
    """What the store holds for one key of a batch."""

    current: CapacityReport | None  # the current version at this very moment, locked
    current_id: int | None
    previous: CapacityReport | None  # the latest current report strictly before this moment


@dataclass(frozen=True, slots=True)
class Pending:
    """A validated report ready to be saved, with what the lookup found for its key."""

    report: CapacityReport
    location_id: int
    stored: Stored
    warnings: tuple[str, ...] = ()


def lookup(
    conn: Connection, keys: Sequence[Key], codes: Mapping[int, str], *, lock: bool = True
) -> dict[Key, Stored]:
    """Current version and previous report for every key, in a few statements per 400 keys.

    With ``lock`` the current versions are read again ``FOR UPDATE`` (in id order, so
    two batches lock in the same order); if one is no longer current by then, another
    transaction corrected it first and :class:`ConcurrentWriteError` is raised.
    """
    unique = list(dict.fromkeys(keys))
    ids: dict[Key, tuple[int | None, int | None]] = {}
    if conn.dialect.name == "postgresql" and unique:
        ids.update(_key_ids(conn, _unnest_keys(), {
            "location_ids": [lid for lid, _ in unique],
            "moments": [at for _, at in unique],
        }))  # fmt: skip
    else:
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            ids.update(_key_ids(conn, _values_keys(chunk), {}))
    current_ids = sorted({cur for cur, _ in ids.values() if cur is not None})
    if lock and current_ids and conn.dialect.name != "sqlite":
        locked: set[int] = set()
        for start in range(0, len(current_ids), 900):
            chunk = current_ids[start : start + 900]
            locked.update(
                conn.execute(
                    select(submissions.c.id)
                    .where(submissions.c.id.in_(chunk), submissions.c.is_current == True)  # noqa: E712
                    .order_by(submissions.c.id)
                    .with_for_update()
                ).scalars()
            )
        if len(locked) != len(current_ids):
            raise ConcurrentWriteError(
                "a report of this batch was corrected by another request meanwhile"
            )
    wanted = set(current_ids) | {prev for _, prev in ids.values() if prev is not None}
    reports = _reports_by_id(conn, sorted(wanted), codes)
    return {
        key: Stored(
            current=reports.get(cur) if cur is not None else None,
            current_id=cur,
            previous=reports.get(prev) if prev is not None else None,
        )
        for key, (cur, prev) in ids.items()
    }


def _unnest_keys() -> FromClause:
    """PostgreSQL: the keys as two array parameters, so the statement is cached and short."""
    return (
        func.unnest(
            bindparam("location_ids", type_=ARRAY(Integer)),
            bindparam("moments", type_=ARRAY(DateTime)),
        )
        .table_valued(
            column("location_id", Integer), column("reported_at", DateTime), name="batch_keys"
        )
        .render_derived()
    )


def _values_keys(keys: Sequence[Key]) -> FromClause:
    """Portable (SQLite): the keys as a ``WITH batch_keys(...) AS (VALUES ...)`` list."""
    return (
        values(column("location_id", Integer), column("reported_at", DateTime), name="batch_keys")
        .data(list(keys))
        .cte()
    )


def _key_ids(
    conn: Connection, wanted: FromClause, params: Mapping[str, object]
) -> dict[Key, tuple[int | None, int | None]]:
    """(current id, previous id) per key: two index seeks each on ix_submissions_latest."""
    same = (
        select(submissions.c.id)
        .where(
            submissions.c.location_id == wanted.c.location_id,
            submissions.c.is_current == True,  # noqa: E712
            submissions.c.reported_at == wanted.c.reported_at,
        )
        .limit(1)
        .scalar_subquery()
    )
    before = (
        select(submissions.c.id)
        .where(
            submissions.c.location_id == wanted.c.location_id,
            submissions.c.is_current == True,  # noqa: E712
            submissions.c.reported_at < wanted.c.reported_at,
        )
        .order_by(submissions.c.reported_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = conn.execute(
        select(wanted.c.location_id, wanted.c.reported_at, same, before), dict(params)
    )
    return {(int(lid), at): (cur, prev) for lid, at, cur, prev in rows}


def _reports_by_id(
    conn: Connection, ids: Sequence[int], codes: Mapping[int, str]
) -> dict[int, CapacityReport]:
    """Submissions with their levels, by id, in one join per 900 ids."""
    found: dict[int, CapacityReport] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        rows = conn.execute(
            select(submissions, *LEVEL_COLUMNS)
            .outerjoin(submission_levels, submission_levels.c.submission_id == submissions.c.id)
            .where(submissions.c.id.in_(chunk))
        ).mappings()
        found.update(row_reports(rows, codes))
    return found


def save_reports(
    conn: Connection, items: Sequence[Pending], *, actor: str, source: str, now: datetime
) -> list[SaveResult]:
    """Store validated reports: replays change nothing, other figures become a new version.

    Results come back in the order of ``items``; the caller's transaction makes
    the batch all-or-nothing.
    """
    results: list[SaveResult | None] = [None] * len(items)
    retire: list[int] = []
    new: list[tuple[int, Pending, int]] = []  # (index in items, item, version)
    for index, item in enumerate(items):
        current, current_id = item.stored.current, item.stored.current_id
        if current is not None and current_id is not None:
            if same_figures(current, item.report):
                results[index] = SaveResult(
                    item.report.location_code,
                    item.report.reported_at,
                    SaveOutcome.UNCHANGED,
                    current.version,
                    current_id,
                )
                continue
            retire.append(current_id)
            new.append((index, item, current.version + 1))
        else:
            new.append((index, item, 1))
    if retire:
        for start in range(0, len(retire), 900):
            conn.execute(
                update(submissions)
                .where(submissions.c.id.in_(retire[start : start + 900]))
                .values(is_current=False)
            )
    if new:
        # Insert in key order: two batches touching the same keys then wait, not deadlock.
        new.sort(key=lambda entry: (entry[1].location_id, entry[1].report.reported_at))
        ids = _insert_submissions(conn, new, actor=actor, source=source, now=now)
        _insert_rows(
            conn,
            submission_levels,
            [
                level_row(submission_id, level)
                for submission_id, (_, item, _) in zip(ids, new, strict=True)
                for level in item.report.levels
            ],
        )
        audit_rows = [_audit_row(item, v, actor, now) for _, item, v in new]
        _insert_rows(conn, audit_log, chained(conn, audit_rows))
        for submission_id, (index, item, version) in zip(ids, new, strict=True):
            outcome = SaveOutcome.CORRECTED if item.stored.current else SaveOutcome.CREATED
            results[index] = SaveResult(
                item.report.location_code, item.report.reported_at, outcome, version, submission_id
            )
    return [result for result in results if result is not None]


def _insert_submissions(
    conn: Connection,
    new: Sequence[tuple[int, Pending, int]],
    *,
    actor: str,
    source: str,
    now: datetime,
) -> list[int]:
    """Insert the new versions; their ids come back in the order of ``new``."""
    rows = [
        {
            "location_id": item.location_id,
            "reported_at": item.report.reported_at,
            "version": version,
            "is_current": True,
            "recorded_at": now,
            "recorded_by": actor,
            "source": source,
            "staff_absence_pct": item.report.staff_absence_pct,
            "critical_planned_care_ok": item.report.critical_planned_care_ok,
            "acute_care_ok": item.report.acute_care_ok,
            "provenance": item.report.provenance.value,
            "warnings": "\n".join(item.warnings),
        }
        for _, item, version in new
    ]
    if conn.dialect.name == "postgresql":
        ids = _next_ids(conn, submissions, len(rows))
        _insert_rows(conn, submissions, [{"id": i, **r} for i, r in zip(ids, rows, strict=True)])
        return ids
    returned = conn.execute(
        insert(submissions).returning(
            submissions.c.id, submissions.c.location_id, submissions.c.reported_at
        ),
        rows,
    )
    by_key = {(int(lid), at): int(sid) for sid, lid, at in returned}  # unique per batch
    return [by_key[(item.location_id, item.report.reported_at)] for _, item, _ in new]


def _next_ids(conn: Connection, table: Table, count: int) -> list[int]:
    """PostgreSQL: reserve ``count`` ids from the table's own sequence in one round trip."""
    statement = text(
        "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
    )
    return [int(i) for i in conn.execute(statement, {"table": table.name, "n": count}).scalars()]


def _insert_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, object]]) -> None:
    """Many rows at once: ``COPY`` on PostgreSQL, SQLAlchemy's insertmanyvalues elsewhere.

    COPY runs on the same DBAPI connection, so it is part of the caller's
    transaction; constraint violations still fail the batch (see is_retryable).
    It is several times cheaper than a VALUES list of thousands of placeholders.
    """
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), list(rows))
        return
    from psycopg import sql

    names = list(rows[0])
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, names))
    )
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[name] for name in names])


def _audit_row(item: Pending, version: int, actor: str, now: datetime) -> dict[str, object]:
    """The same row write_audit makes, so the audit log reads the same either way."""
    report, old = item.report, item.stored.current
    stored = CapacityReport(
        location_code=report.location_code,
        reported_at=report.reported_at,
        levels=report.levels,
        staff_absence_pct=report.staff_absence_pct,
        critical_planned_care_ok=report.critical_planned_care_ok,
        acute_care_ok=report.acute_care_ok,
        provenance=report.provenance,
        version=version,
    )
    return {
        "at": now,
        "actor": actor,
        "action": "report.correct" if old is not None else "report.create",
        "entity": "report",
        "entity_key": f"{report.location_code}@{report.reported_at.isoformat()}",
        "before": json.dumps(report_as_dict(old), default=str) if old is not None else None,
        "after": json.dumps(report_as_dict(stored), default=str),
    }
