"""Validation of capacity reports at the edge (domain.md, DIVI rules).

Errors reject a report; warnings accept it but are kept with it and shown.
Each issue names the field it is about, so an API can answer with one message
per field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kraan.domain.model import CapacityReport, LevelReport


@dataclass(frozen=True, slots=True)
class Issue:
    field: str
    message: str


@dataclass(frozen=True, slots=True)
class ValidationRules:
    """The limits, from Settings (``services.ingest.rules_from``; DIVI figures in
    data/public_figures.json)."""

    max_beds: int
    max_admissions: int
    correction_window: timedelta
    clock_skew: timedelta = timedelta(minutes=5)
    earliest: datetime = datetime(2020, 1, 1)


@dataclass(frozen=True, slots=True)
class Verdict:
    errors: tuple[Issue, ...]
    warnings: tuple[Issue, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def jump_warning(previous: int, current: int) -> str | None:
    """DIVI jump rule: +-7 when the last value is 0-9; x2 or /4 at 10-19; x2 or /2 from 20."""
    if previous < 10:
        if abs(current - previous) > 7:
            return f"changed from {previous} to {current} (more than 7); please check"
        return None
    upper = 2 * previous
    lower = previous / 4 if previous < 20 else previous / 2
    if current > upper or current < lower:
        return f"changed from {previous} to {current} (outside {lower:g}..{upper}); please check"
    return None


def naive_utc(moment: datetime) -> datetime:
    """All moments are compared as naive UTC; aware inputs are converted."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def validate_report(
    report: CapacityReport,
    *,
    known_locations: set[str] | frozenset[str],
    now: datetime,
    rules: ValidationRules,
    previous: CapacityReport | None = None,
    is_correction: bool = False,
    prefix: str = "",
) -> Verdict:
    """Check one report. ``now`` is passed in: nothing here reads the clock."""
    errors: list[Issue] = []
    warnings: list[Issue] = []
    at = naive_utc(report.reported_at)
    now_utc = naive_utc(now)

    if report.location_code not in known_locations:
        errors.append(
            Issue(
                f"{prefix}location_code",
                f"unknown location '{report.location_code}'; register it first or check the code",
            )
        )
    if at > now_utc + rules.clock_skew:
        errors.append(
            Issue(
                f"{prefix}reported_at",
                f"{at.isoformat()} lies in the future (now {now_utc.isoformat()} UTC); "
                "send the moment the figures were counted",
            )
        )
    if at < rules.earliest:
        errors.append(
            Issue(f"{prefix}reported_at", f"before {rules.earliest.date()}; check the date format")
        )
    if is_correction and at < now_utc - rules.correction_window:
        days = rules.correction_window.days
        errors.append(
            Issue(
                f"{prefix}reported_at",
                f"corrections are accepted up to {days} days back; ask a national "
                "coordinator to correct older figures",
            )
        )
    if report.staff_absence_pct is not None and not 0 <= report.staff_absence_pct <= 100:
        errors.append(Issue(f"{prefix}staff_absence_pct", "must lie between 0 and 100"))
    if not report.levels:
        errors.append(Issue(f"{prefix}levels", "at least one care level is required"))

    seen: set[str] = set()
    for index, level in enumerate(report.levels):
        where = f"{prefix}levels[{index}]"
        if level.care_level in seen:
            errors.append(Issue(f"{where}.care_level", f"'{level.care_level}' appears twice"))
        seen.add(level.care_level)
        errors.extend(_check_level(level, where, rules))
        warnings.extend(_level_warnings(level, where, previous))
    return Verdict(tuple(errors), tuple(warnings))


def _check_level(level: LevelReport, where: str, rules: ValidationRules) -> list[Issue]:
    errors: list[Issue] = []
    counts = {
        "staffed_beds": level.staffed_beds,
        "covid_occupied": level.covid_occupied,
        "ontlabeld_occupied": level.ontlabeld_occupied,
        "non_covid_occupied": level.non_covid_occupied,
        "emergency_reserve_7d": level.emergency_reserve_7d,
    }
    for name, value in counts.items():
        if value is not None and not 0 <= value <= rules.max_beds:
            errors.append(Issue(f"{where}.{name}", f"must be a whole number 0..{rules.max_beds}"))
    admissions = level.covid_admissions_24h
    if admissions is not None and not 0 <= admissions <= rules.max_admissions:
        errors.append(
            Issue(
                f"{where}.covid_admissions_24h",
                f"must be a whole number 0..{rules.max_admissions}",
            )
        )
    if level.occupied > level.staffed_beds and not level.overflow:
        errors.append(
            Issue(
                f"{where}.staffed_beds",
                f"{level.occupied} occupied beds exceed {level.staffed_beds} staffed beds; "
                "correct the counts, or set overflow=true if patients lie in overflow beds",
            )
        )
    return errors


def _level_warnings(level: LevelReport, where: str, previous: CapacityReport | None) -> list[Issue]:
    warnings: list[Issue] = []
    if level.overflow and level.occupied > level.staffed_beds:
        warnings.append(
            Issue(
                f"{where}.staffed_beds",
                f"overflow: {level.occupied} occupied above {level.staffed_beds} staffed beds",
            )
        )
    before = previous.level(level.care_level) if previous is not None else None
    if before is None:
        return warnings
    for name in ("staffed_beds", "covid_occupied", "non_covid_occupied"):
        message = jump_warning(getattr(before, name), getattr(level, name))
        if message:
            warnings.append(Issue(f"{where}.{name}", message))
    return warnings
