"""The ingest pipeline: authorise -> validate -> idempotent save, every rejection logged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, Engine

from kraan.domain.access import Principal, can_report_for
from kraan.domain.model import CapacityReport
from kraan.domain.validation import Issue, ValidationRules, naive_utc, validate_report
from kraan.settings import Settings
from kraan.store.reference import load_locations
from kraan.store.rejections import log_rejection
from kraan.store.reports import (
    SaveOutcome,
    current_version,
    previous_report,
    report_as_dict,
    same_figures,
    save_report,
)


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
    """Validate and store reports.

    ``all_or_nothing``: one bad report rejects the batch (API batches); otherwise
    valid reports are committed and each bad one is rejected on its own (CSV).
    Rejections are logged in their own transaction, so they survive a rollback.
    """
    rules = rules_from(settings)
    now = naive_utc(now)
    results: list[ItemResult] = []
    refs = list(references) if references else [f"item {i}" for i in range(len(reports))]
    rejected: list[tuple[ItemResult, CapacityReport]] = []
    with engine.begin() as conn:
        located = {loc.code: (lid, loc) for lid, loc in load_locations(conn, active_only=False)}
        known = frozenset(located)
        batch_seen: set[tuple[str, datetime]] = set()
        pending: list[tuple[ItemResult, CapacityReport, int]] = []
        for index, raw in enumerate(reports):
            report = _normalised(raw)
            result = ItemResult(index, refs[index], "rejected")
            results.append(result)
            errors, warnings = _check(conn, report, principal, located, known, now, rules)
            key = (report.location_code, report.reported_at)
            if key in batch_seen:
                errors.append(
                    Issue("reported_at", "the same location and moment appear twice in this batch")
                )
            batch_seen.add(key)
            result.errors, result.warnings = errors, warnings
            if errors:
                rejected.append((result, report))
            else:
                pending.append((result, report, located[report.location_code][0]))
        if all_or_nothing and rejected:
            for result, _, _ in pending:
                result.outcome = "not_saved"
        else:
            for result, report, location_id in pending:
                saved = save_report(
                    conn,
                    report=report,
                    location_id=location_id,
                    actor=principal.username,
                    source=source,
                    now=now,
                    warnings=[f"{w.field}: {w.message}" for w in result.warnings],
                )
                result.outcome, result.version = saved.outcome.value, saved.version
    if rejected:
        with engine.begin() as conn:
            for result, report in rejected:
                log_rejection(
                    conn,
                    now=now,
                    actor=principal.username,
                    source=source,
                    location_code=report.location_code,
                    reference=result.reference,
                    errors=[{"field": e.field, "message": e.message} for e in result.errors],
                    payload=report_as_dict(report),
                )
    return results


def _check(
    conn: Connection,
    report: CapacityReport,
    principal: Principal,
    located: dict[str, tuple[int, object]],
    known: frozenset[str],
    now: datetime,
    rules: ValidationRules,
) -> tuple[list[Issue], list[Issue]]:
    entry = located.get(report.location_code)
    previous = None
    is_correction = False
    if entry is not None:
        location_id, location = entry
        region_code = location.region_code  # type: ignore[attr-defined]
        if not can_report_for(
            principal, location_code=report.location_code, region_code=region_code
        ):
            return [
                Issue(
                    "location_code",
                    f"'{principal.username}' ({principal.role.value}) may not report for "
                    f"{report.location_code}; use a token of that location or its region",
                )
            ], []
        previous = previous_report(
            conn, location_id=location_id, before=report.reported_at, code=report.location_code
        )
        stored = current_version(
            conn, location_id=location_id, reported_at=report.reported_at, code=report.location_code
        )
        is_correction = stored is not None and not same_figures(stored, report)
    verdict = validate_report(
        report,
        known_locations=known,
        now=now,
        rules=rules,
        previous=previous,
        is_correction=is_correction,
    )
    return list(verdict.errors), list(verdict.warnings)


__all__ = ["ItemResult", "SaveOutcome", "ingest_reports", "rules_from"]


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
        with engine.begin() as conn:
            for item in bad:
                log_rejection(
                    conn,
                    now=naive_utc(now),
                    actor=principal.username,
                    source=source,
                    location_code=None,
                    reference=f"lines {','.join(map(str, item.lines))}",
                    errors=[{"field": e.field, "message": e.message} for e in item.errors],
                    payload={"lines": item.lines},
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
