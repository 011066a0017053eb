"""The ingest pipeline: authorise -> validate -> idempotent save, every rejection logged."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from kraan.domain.access import Principal, can_report_for
from kraan.domain.model import CapacityReport
from kraan.domain.validation import Issue, ValidationRules, naive_utc, validate_report
from kraan.services.status_cache import note_write
from kraan.settings import Settings
from kraan.store.faults import DatabaseError
from kraan.store.reference import load_locations
from kraan.store.rejections import log_rejection
from kraan.store.report_batch import (
    ConcurrentWriteError,
    Key,
    Pending,
    Stored,
    is_retryable,
    lookup,
    save_reports,
)
from kraan.store.reports import SaveOutcome, report_as_dict, same_figures

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class ItemResult:
    index: int
    reference: str
    outcome: str  # created / unchanged / corrected / rejected / not_saved
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    version: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "index": self.index,
            "reference": self.reference,
            "outcome": self.outcome,
            "version": self.version,
            "errors": [{"field": i.field, "message": i.message} for i in self.errors],
            "warnings": [{"field": i.field, "message": i.message} for i in self.warnings],
        }


def rules_from(settings: Settings) -> ValidationRules:
    return ValidationRules(
        max_beds=settings.max_beds_per_level,
        max_admissions=settings.max_admissions_24h,
        clock_skew=settings.clock_skew,
        correction_window=settings.correction_window,
        earliest=datetime.fromisoformat(settings.earliest_report),
    )


def _normalised(report: CapacityReport) -> CapacityReport:
    at = naive_utc(report.reported_at).replace(microsecond=0)
    if at == report.reported_at:
        return report
    return CapacityReport(
        location_code=report.location_code,
        reported_at=at,
        levels=report.levels,
        staff_absence_pct=report.staff_absence_pct,
        critical_planned_care_ok=report.critical_planned_care_ok,
        acute_care_ok=report.acute_care_ok,
        provenance=report.provenance,
        version=report.version,
    )


#: Tries per batch when a concurrent request changed one of its reports meanwhile.
ATTEMPTS = 3


def ingest_reports(
    engine: Engine,
    reports: Sequence[CapacityReport],
    *,
    principal: Principal,
    source: str,
    settings: Settings,
    now: datetime,
    all_or_nothing: bool,
    references: Sequence[str] | None = None,
) -> list[ItemResult]:
    """Validate and store reports, set-based: a few statements per batch, not per report.

    ``all_or_nothing``: one bad report rejects the batch (API batches); otherwise
    valid reports are committed and each bad one is rejected on its own (CSV).
    Rejections are logged in their own transaction, so they survive a rollback.
    A batch that lost a race with a concurrent correction of the same report is
    rolled back and tried again (``ATTEMPTS`` times), then ConcurrentWriteError.
    """
    rules = rules_from(settings)
    now = naive_utc(now)
    refs = list(references) if references else [f"item {i}" for i in range(len(reports))]
    batch = [_normalised(raw) for raw in reports]
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with engine.begin() as conn:
                results = _ingest_once(
                    conn, batch, refs, principal, source, now, rules, all_or_nothing
                )
            break
        except Exception as error:
            if not is_retryable(error):
                raise
            if attempt == ATTEMPTS:
                raise ConcurrentWriteError(
                    f"reports of this batch were changed by concurrent requests {ATTEMPTS} "
                    "times in a row; nothing was stored, send the batch again"
                ) from error
    if any(r.outcome in ("created", "corrected") for r in results):
        note_write()  # the cached status re-reads the data version (services.status_cache)
    rejected = [(result, batch[result.index]) for result in results if result.errors]
    _log_rejections(
        engine,
        settings,
        [
            dict(
                now=now,
                actor=principal.username,
                source=source,
                location_code=report.location_code,
                reference=result.reference,
                errors=[{"field": e.field, "message": e.message} for e in result.errors],
                payload=report_as_dict(report),
            )
            for result, report in rejected
        ],
    )
    return results


def _log_rejections(engine: Engine, settings: Settings, entries: list[dict[str, Any]]) -> None:
    """Log in a transaction of their own; a failure is logged, never the request's."""
    if not entries:
        return
    try:
        with engine.begin() as conn:
            for entry in entries:
                if not log_rejection(conn, hourly_cap=settings.max_rejections_per_hour, **entry):
                    break
    except DatabaseError:
        logger.exception("could not log %d rejections", len(entries))


def _ingest_once(
    conn: Connection,
    batch: Sequence[CapacityReport],
    refs: Sequence[str],
    principal: Principal,
    source: str,
    now: datetime,
    rules: ValidationRules,
    all_or_nothing: bool,
) -> list[ItemResult]:
    """One transaction: authorise, look the batch up in one go, validate, save set-based."""
    located = {loc.code: (lid, loc) for lid, loc in load_locations(conn, active_only=False)}
    known = frozenset(located)
    results = [ItemResult(index, refs[index], "rejected") for index in range(len(batch))]
    keys: dict[int, Key] = {}  # index -> (location_id, reported_at), for known and allowed
    seen: set[tuple[str, datetime]] = set()
    duplicate: set[int] = set()
    for index, report in enumerate(batch):
        if (report.location_code, report.reported_at) in seen:
            duplicate.add(index)
        seen.add((report.location_code, report.reported_at))
        entry = located.get(report.location_code)
        if entry is None:  # unknown location: the validator says so, nothing to look up
            verdict = validate_report(report, known_locations=known, now=now, rules=rules)
            results[index].errors = list(verdict.errors)
            results[index].warnings = list(verdict.warnings)
        elif not can_report_for(
            principal, location_code=report.location_code, region_code=entry[1].region_code
        ):
            results[index].errors = [_not_allowed(principal, report.location_code)]
        else:
            keys[index] = (entry[0], report.reported_at)
    codes = {lid: code for code, (lid, _) in located.items()}
    stored = lookup(conn, list(keys.values()), codes)
    _validate_in_time_order(batch, keys, stored, results, known, now, rules, duplicate)
    for index in duplicate:
        results[index].errors.append(
            Issue("reported_at", "the same location and moment appear twice in this batch")
        )
    pending = [index for index in keys if not results[index].errors]
    if all_or_nothing and any(result.errors for result in results):
        for index in pending:
            results[index].outcome = "not_saved"
        return results
    items = [
        Pending(
            batch[index],
            keys[index][0],
            stored[keys[index]],
            tuple(f"{w.field}: {w.message}" for w in results[index].warnings),
        )
        for index in pending
    ]
    saved = save_reports(conn, items, actor=principal.username, source=source, now=now)
    for index, outcome in zip(pending, saved, strict=True):
        results[index].outcome, results[index].version = outcome.outcome.value, outcome.version
    return results


def _validate_in_time_order(
    batch: Sequence[CapacityReport],
    keys: dict[int, Key],
    stored: dict[Key, Stored],
    results: list[ItemResult],
    known: frozenset[str],
    now: datetime,
    rules: ValidationRules,
    duplicate: set[int],
) -> None:
    """Validate each location's reports oldest first, so DIVI jump warnings compare a
    report with the one just before it: the batch's own valid earlier report, or the
    stored one when that is later (or when the batch has none). A repeated key is
    rejected later, so it never serves as the previous report."""
    before: dict[int, CapacityReport] = {}  # latest valid batch report at an earlier moment
    at_moment: dict[int, CapacityReport] = {}  # first valid batch report at the last moment
    for index in sorted(keys, key=lambda i: (keys[i], i)):
        location_id, at = keys[index]
        report = batch[index]
        latest = at_moment.get(location_id)
        if latest is not None and latest.reported_at < at:
            before[location_id] = at_moment.pop(location_id)
        found = stored[keys[index]]
        previous = found.previous
        own = before.get(location_id)
        if own is not None and (previous is None or own.reported_at >= previous.reported_at):
            previous = own
        verdict = validate_report(
            report,
            known_locations=known,
            now=now,
            rules=rules,
            previous=previous,
            is_correction=found.current is not None and not same_figures(found.current, report),
        )
        results[index].errors = list(verdict.errors)
        results[index].warnings = list(verdict.warnings)
        if not verdict.errors and index not in duplicate:
            at_moment.setdefault(location_id, report)


def _not_allowed(principal: Principal, location_code: str) -> Issue:
    return Issue(
        "location_code",
        f"'{principal.username}' ({principal.role.value}) may not report for "
        f"{location_code}; use a token of that location or its region",
    )


__all__ = [
    "ConcurrentWriteError",
    "ItemResult",
    "SaveOutcome",
    "import_csv",
    "ingest_reports",
    "rules_from",
]


def import_csv(
    engine: Engine,
    text: str,
    *,
    principal: Principal,
    settings: Settings,
    now: datetime,
    source: str = "csv",
) -> list[dict[str, object]]:
    """One result per CSV row; valid reports are committed, bad ones rejected and logged."""
    from kraan.ingest.csv_reports import parse_reports_csv

    parsed = parse_reports_csv(text)
    good = [p for p in parsed if p.report is not None]
    results = ingest_reports(
        engine,
        [p.report for p in good if p.report is not None],
        principal=principal,
        source=source,
        settings=settings,
        now=now,
        all_or_nothing=False,
        references=[f"lines {','.join(map(str, p.lines))}" for p in good],
    )
    by_lines: list[tuple[list[int], str, list[Issue], list[Issue], int | None]] = []
    for item, result in zip(good, results, strict=True):
        by_lines.append(
            (item.lines, result.outcome, result.errors, result.warnings, result.version)
        )
    bad = [p for p in parsed if p.report is None]
    if bad:
        _log_rejections(
            engine,
            settings,
            [
                dict(
                    now=naive_utc(now),
                    actor=principal.username,
                    source=source,
                    location_code=None,
                    reference=f"lines {','.join(map(str, item.lines))}",
                    errors=[{"field": e.field, "message": e.message} for e in item.errors],
                    payload={"lines": item.lines},
                )
                for item in bad
            ],
        )
        by_lines.extend((item.lines, "rejected", item.errors, [], None) for item in bad)
    rows: list[dict[str, object]] = []
    for lines, outcome, errors, warnings, version in by_lines:
        for line in lines:
            rows.append(
                {
                    "line": line,
                    "outcome": outcome,
                    "version": version,
                    "errors": [{"field": e.field, "message": e.message} for e in errors],
                    "warnings": [{"field": w.field, "message": w.message} for w in warnings],
                }
            )
    return sorted(rows, key=lambda r: r["line"])  # type: ignore[arg-type,return-value]
