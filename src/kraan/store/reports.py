"""Capacity reports: append-only writes with versions, and the as-of reads."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    and_,
    bindparam,
    column,
    func,
    insert,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY

from kraan.domain.model import (
    CapacityReport,
    CareLevel,
    LevelReport,
    LevelStatus,
    Provenance,
    Restriction,
)
from kraan.store.audit import write_audit
from kraan.store.tables import submission_levels, submissions


class SaveOutcome(StrEnum):
    CREATED = "created"
    UNCHANGED = "unchanged"  # the same figures were already stored: idempotent replay
    CORRECTED = "corrected"  # a new version of an earlier report


@dataclass(frozen=True, slots=True)
class SaveResult:
    location_code: str
    reported_at: datetime
    outcome: SaveOutcome
    version: int
    submission_id: int


def _level_row(submission_id: int, level: LevelReport) -> dict[str, object]:
    return {
        "submission_id": submission_id,
        "care_level": level.care_level.value,
        "staffed_beds": level.staffed_beds,
        "covid_occupied": level.covid_occupied,
        "ontlabeld_occupied": level.ontlabeld_occupied,
        "non_covid_occupied": level.non_covid_occupied,
        "covid_admissions_24h": level.covid_admissions_24h,
        "status": level.status.value if level.status else None,
        "restrictions": ",".join(r.value for r in level.restrictions),
        "emergency_reserve_7d": level.emergency_reserve_7d,
        "overflow": level.overflow,
    }


def _level_from_row(row: Mapping[str, object]) -> LevelReport:
    restrictions = str(row["restrictions"] or "")
    return LevelReport(
        care_level=CareLevel(row["care_level"]),
        staffed_beds=int(row["staffed_beds"]),  # type: ignore[call-overload]
        covid_occupied=int(row["covid_occupied"]),  # type: ignore[call-overload]
        ontlabeld_occupied=int(row["ontlabeld_occupied"]),  # type: ignore[call-overload]
        non_covid_occupied=int(row["non_covid_occupied"]),  # type: ignore[call-overload]
        covid_admissions_24h=row["covid_admissions_24h"],  # type: ignore[arg-type]
        status=LevelStatus(row["status"]) if row["status"] else None,
        restrictions=tuple(Restriction(r) for r in restrictions.split(",") if r),
        emergency_reserve_7d=row["emergency_reserve_7d"],  # type: ignore[arg-type]
        overflow=bool(row["overflow"]),
    )


def same_figures(a: CapacityReport, b: CapacityReport) -> bool:
    """Whether two reports say the same (versions and provenance aside): a replay."""
    return (
        sorted(a.levels, key=lambda x: x.care_level) == sorted(b.levels, key=lambda x: x.care_level)
        and a.staff_absence_pct == b.staff_absence_pct
        and a.critical_planned_care_ok == b.critical_planned_care_ok
        and a.acute_care_ok == b.acute_care_ok
    )


def report_as_dict(report: CapacityReport) -> dict[str, object]:
    return {
        "location_code": report.location_code,
        "reported_at": report.reported_at.isoformat(),
        "version": report.version,
        "provenance": report.provenance.value,
        "staff_absence_pct": report.staff_absence_pct,
        "critical_planned_care_ok": report.critical_planned_care_ok,
        "acute_care_ok": report.acute_care_ok,
        "levels": [
            {k: v for k, v in _level_row(0, level).items() if k != "submission_id"}
            for level in report.levels
        ],
    }


def save_report(
    conn: Connection,
    *,
    report: CapacityReport,
    location_id: int,
    actor: str,
    source: str,
    now: datetime,
    warnings: Sequence[str] = (),
) -> SaveResult:
    """Store one validated report. Same figures again: nothing changes. Other figures
    for the same location and moment: a new version; the old one stays queryable.

    A batch of one through the set-based path (kraan.store.report_batch), so single
    writes and batches share one implementation of versions, locking and audit.
    """
    from kraan.store.report_batch import Pending, lookup, save_reports

    key = (location_id, report.reported_at)
    stored = lookup(conn, [key], {location_id: report.location_code})[key]
    item = Pending(report, location_id, stored, tuple(warnings))
    return save_reports(conn, [item], actor=actor, source=source, now=now)[0]


def _row_reports(
    rows: Iterable[Mapping[str, object]],
    codes: Mapping[int, str],
    heads: dict[int, Mapping[str, object]] | None = None,
) -> dict[int, CapacityReport]:
    """Reports by submission id from submission-joined-with-level rows (one row per level);
    ``heads`` receives each submission's own row (who stored it, when, is it current)."""
    heads = {} if heads is None else heads
    levels: dict[int, list[LevelReport]] = defaultdict(list)
    for row in rows:
        submission_id = int(row["id"])  # type: ignore[call-overload]
        heads.setdefault(submission_id, row)
        if row["care_level"] is not None:  # outer join: a submission without levels
            levels[submission_id].append(_level_from_row(row))
    return {
        submission_id: CapacityReport(
            location_code=codes[int(row["location_id"])],  # type: ignore[call-overload]
            reported_at=row["reported_at"],  # type: ignore[arg-type]
            levels=tuple(sorted(levels[submission_id], key=lambda lv: lv.care_level)),
            staff_absence_pct=row["staff_absence_pct"],  # type: ignore[arg-type]
            critical_planned_care_ok=row["critical_planned_care_ok"],  # type: ignore[arg-type]
            acute_care_ok=row["acute_care_ok"],  # type: ignore[arg-type]
            provenance=Provenance(row["provenance"]),
            version=int(row["version"]),  # type: ignore[call-overload]
        )
        for submission_id, row in heads.items()
    }


_LEVEL_COLUMNS = [c for c in submission_levels.c if c.name != "submission_id"]


def latest_reports(
    conn: Connection, *, as_of: datetime, location_ids: Mapping[int, str]
) -> dict[str, CapacityReport]:
    """The current version of the latest report per location at or before ``as_of``.

    One statement, levels joined in, one index seek per location on
    ix_submissions_latest: a ``LATERAL`` join on PostgreSQL, the portable
    correlated ``ORDER BY reported_at DESC LIMIT 1`` elsewhere (SQLite). Over a
    year of 5-minute reports from 150 locations this takes a few milliseconds
    (bench/bench_monitor.py).
    """
    if not location_ids:
        return {}
    if conn.dialect.name == "postgresql":
        rows = conn.execute(_latest_lateral(as_of), {"location_ids": list(location_ids)})
    else:
        rows = conn.execute(_latest_correlated(as_of, list(location_ids)))
    return {r.location_code: r for r in _row_reports(rows.mappings(), location_ids).values()}


def _latest_lateral(as_of: datetime) -> Select[Any]:
    wanted = (
        func.unnest(bindparam("location_ids", type_=ARRAY(Integer)))
        .table_valued(column("id", Integer), name="wanted")
        .render_derived()
    )
    latest = (
        select(submissions)
        .where(
            submissions.c.location_id == wanted.c.id,
            submissions.c.is_current == True,  # noqa: E712
            submissions.c.reported_at <= as_of,
        )
        .order_by(submissions.c.reported_at.desc())
        .limit(1)
        .lateral("latest")
    )
    return (
        select(latest, *_LEVEL_COLUMNS)
        .select_from(wanted)
        .join(latest, true())
        .outerjoin(submission_levels, submission_levels.c.submission_id == latest.c.id)
    )


def _latest_correlated(as_of: datetime, location_ids: list[int]) -> Select[Any]:
    from kraan.store.tables import locations

    inner = (
        select(submissions.c.id)
        .where(
            submissions.c.location_id == locations.c.id,
            submissions.c.is_current == True,  # noqa: E712
            submissions.c.reported_at <= as_of,
        )
        .order_by(submissions.c.reported_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    latest_ids = select(inner).select_from(locations).where(locations.c.id.in_(location_ids))
    return (
        select(submissions, *_LEVEL_COLUMNS)
        .outerjoin(submission_levels, submission_levels.c.submission_id == submissions.c.id)
        .where(submissions.c.id.in_(latest_ids))
    )


def report_versions(
    conn: Connection, *, location_id: int, reported_at: datetime, code: str
) -> list[tuple[CapacityReport, Mapping[str, object]]]:
    """Every stored version of one report, oldest first, with who stored it when."""
    heads: dict[int, Mapping[str, object]] = {}
    found = _select_reports(
        conn,
        {location_id: code},
        submissions.c.location_id == location_id,
        submissions.c.reported_at == reported_at,
        heads=heads,
    )
    return list(zip(found, heads.values(), strict=True))


def previous_report(
    conn: Connection, *, location_id: int, before: datetime, code: str
) -> CapacityReport | None:
    """The latest current report of a location strictly before ``before``."""
    latest = (
        select(submissions.c.id)
        .where(
            submissions.c.location_id == location_id,
            submissions.c.is_current == True,  # noqa: E712
            submissions.c.reported_at < before,
        )
        .order_by(submissions.c.reported_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    found = _select_reports(conn, {location_id: code}, submissions.c.id == latest)
    return found[0] if found else None


def reports_between(
    conn: Connection, *, location_id: int, code: str, start: datetime, end: datetime
) -> list[CapacityReport]:
    """Current reports of a location from ``start`` to ``end`` inclusive, oldest first."""
    return _select_reports(
        conn,
        {location_id: code},
        submissions.c.location_id == location_id,
        submissions.c.is_current == True,  # noqa: E712
        and_(submissions.c.reported_at >= start, submissions.c.reported_at <= end),
    )


def current_version(
    conn: Connection, *, location_id: int, reported_at: datetime, code: str
) -> CapacityReport | None:
    """The stored current version for this location and moment, if any."""
    found = _select_reports(
        conn,
        {location_id: code},
        submissions.c.location_id == location_id,
        submissions.c.reported_at == reported_at,
        submissions.c.is_current == True,  # noqa: E712
    )
    return found[0] if found else None


def _select_reports(
    conn: Connection,
    codes: Mapping[int, str],
    *where: ColumnElement[bool],
    heads: dict[int, Mapping[str, object]] | None = None,
) -> list[CapacityReport]:
    """Reports matching ``where`` in one statement, levels joined in; oldest first, then
    by version."""
    statement = (
        select(submissions, *_LEVEL_COLUMNS)
        .outerjoin(submission_levels, submission_levels.c.submission_id == submissions.c.id)
        .where(*where)
        .order_by(submissions.c.reported_at, submissions.c.version)
    )
    return list(_row_reports(conn.execute(statement).mappings(), codes, heads).values())


def bulk_insert_reports(
    conn: Connection,
    reports: Iterable[CapacityReport],
    *,
    location_ids: Mapping[str, int],
    actor: str,
    source: str,
    now: datetime,
) -> int:
    """Fast path for loading history into an empty range (the demo, benchmarks).

    It skips the per-report version check, so use it only where no report for
    these locations and moments exists yet; one audit row covers the whole load.
    """
    batch: list[CapacityReport] = list(reports)
    if not batch:
        return 0
    start_id = (conn.execute(select(func.max(submissions.c.id))).scalar() or 0) + 1
    sub_rows = []
    level_rows = []
    for offset, report in enumerate(batch):
        submission_id = start_id + offset
        sub_rows.append(
            {
                "id": submission_id,
                "location_id": location_ids[report.location_code],
                "reported_at": report.reported_at,
                "version": report.version,
                "is_current": True,
                "recorded_at": now,
                "recorded_by": actor,
                "source": source,
                "staff_absence_pct": report.staff_absence_pct,
                "critical_planned_care_ok": report.critical_planned_care_ok,
                "acute_care_ok": report.acute_care_ok,
                "provenance": report.provenance.value,
                "warnings": "",
            }
        )
        level_rows.extend(_level_row(submission_id, level) for level in report.levels)
    conn.execute(insert(submissions), sub_rows)
    conn.execute(insert(submission_levels), level_rows)
    if conn.dialect.name == "postgresql":  # explicit ids: move the sequence past them
        conn.execute(
            text("SELECT setval(pg_get_serial_sequence('submissions', 'id'), :last)"),
            {"last": start_id + len(batch) - 1},
        )
    return len(batch)


def bulk_audit(conn: Connection, *, actor: str, now: datetime, what: Mapping[str, object]) -> None:
    write_audit(
        conn,
        at=now,
        actor=actor,
        action="report.bulk_load",
        entity="report",
        entity_key=str(what.get("source", "")),
        before=None,
        after=dict(what),
    )


def stored_warnings(text: str) -> list[str]:
    return [line for line in text.split("\n") if line]


__all__ = [
    "SaveOutcome",
    "SaveResult",
    "bulk_audit",
    "bulk_insert_reports",
    "current_version",
    "latest_reports",
    "previous_report",
    "report_as_dict",
    "report_versions",
    "reports_between",
    "same_figures",
    "save_report",
]
