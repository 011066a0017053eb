"""Reports of the chain outside the hospital: append-only versions, read as they stood.

A report for the same (reporter, kind, moment) is a correction: a new version, the old
one stays. ``reports_as_of`` reads what was known at ``as_of`` (recorded by then) and the
newest version of each moment, so any past picture replays exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select

from kraan.domain.requests.chain_reports import ChainKind, ChainReport, Pressure, check_report
from kraan.domain.validation import ValidationRules
from kraan.store.audit import write_audit
from kraan.store.requests_tables import chain_reports

#: A report older than this is not part of the picture (the monitor's window is shorter;
#: these sectors report daily at best).
WINDOW = timedelta(days=7)


def _values(report: ChainReport) -> dict[str, Any]:
    out = asdict(report)
    out["kind"] = report.kind.value
    out["status"] = report.status.value if report.status else None
    return out


def save_chain_report(
    conn: Connection, *, data: dict[str, Any], rules: ValidationRules, actor: str, now: datetime
) -> tuple[int, int]:
    """(id, version) of the stored report; RuleViolation names every bad field."""
    report = check_report(data, now=now, rules=rules, is_correction=False)
    held = conn.execute(
        select(func.max(chain_reports.c.version)).where(
            chain_reports.c.reporter_code == report.reporter_code,
            chain_reports.c.kind == report.kind.value,
            chain_reports.c.reported_at == report.reported_at,
        )
    ).scalar()
    if held:
        report = check_report(data, now=now, rules=rules, is_correction=True)
    version = int(held or 0) + 1
    new_id = int(conn.execute(
        insert(chain_reports).values(**_values(report), version=version, recorded_at=now,
                                     recorded_by=actor).returning(chain_reports.c.id)
    ).scalar_one())  # fmt: skip
    write_audit(conn, at=now, actor=actor, action="chain_report.save", entity="chain_report",
                entity_key=f"{report.reporter_code}/{report.kind.value}/{report.reported_at}",
                before=None, after={**_values(report), "version": version})  # fmt: skip
    return new_id, version


def bulk_chain_reports(
    conn: Connection, reports: Iterable[ChainReport], *, actor: str, now: datetime
) -> int:
    """Checked reports in one statement (the demo replaying a past period): each counts as
    recorded when it was reported, so the past replays; one audit row for the batch."""
    rows = [{**_values(r), "version": 1, "recorded_at": r.reported_at, "recorded_by": actor}
            for r in reports]  # fmt: skip
    if rows:
        conn.execute(insert(chain_reports), rows)
        write_audit(conn, at=now, actor=actor, action="chain_report.bulk",
                    entity="chain_report", entity_key="bulk", before=None,
                    after={"reports": len(rows)})  # fmt: skip
    return len(rows)


def reports_as_of(
    conn: Connection, *, as_of: datetime, region: str | None = None
) -> list[ChainReport]:
    """The newest known version of every report in the window before ``as_of``."""
    query = select(chain_reports).where(
        chain_reports.c.reported_at <= as_of,
        chain_reports.c.reported_at > as_of - WINDOW,
        chain_reports.c.recorded_at <= as_of,
    )
    if region:
        query = query.where(chain_reports.c.region_code == region)
    newest: dict[tuple[str, str, datetime], Any] = {}
    for r in conn.execute(query.order_by(chain_reports.c.id)):
        key = (r.reporter_code, r.kind, r.reported_at)
        if key not in newest or r.version > newest[key].version:
            newest[key] = r
    return [
        ChainReport(r.reporter_code, r.region_code, ChainKind(r.kind), r.reported_at, r.beds,
                    r.occupied, r.covid, Pressure(r.status) if r.status else None, r.reason,
                    r.staff_absence_pct)
        for r in newest.values()
    ]  # fmt: skip
