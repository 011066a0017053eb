"""CSV capacity reports: one row per location, moment and care level.

Columns (header required, order free; see docs/csv-format.md):
``location_code, reported_at, care_level, staffed_beds, covid_occupied`` (required),
``ontlabeld_occupied, non_covid_occupied, covid_admissions_24h, status,
restrictions, emergency_reserve_7d, overflow, staff_absence_pct,
critical_planned_care_ok, acute_care_ok`` (optional). Rows with the same
location and moment form one report.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kraan.domain.bounds import bounded_moment
from kraan.domain.model import (
    CapacityReport,
    CareLevel,
    LevelReport,
    LevelStatus,
    Provenance,
    Restriction,
)
from kraan.domain.validation import Issue

REQUIRED = ("location_code", "reported_at", "care_level", "staffed_beds", "covid_occupied")
OPTIONAL = (
    "ontlabeld_occupied",
    "non_covid_occupied",
    "covid_admissions_24h",
    "status",
    "restrictions",
    "emergency_reserve_7d",
    "overflow",
    "staff_absence_pct",
    "critical_planned_care_ok",
    "acute_care_ok",
    "provenance",
)
COLUMNS = REQUIRED + OPTIONAL


class CsvFormatError(ValueError):
    """The file as a whole cannot be read (bad header, not CSV)."""


@dataclass(slots=True)
class ParsedReport:
    lines: list[int]
    report: CapacityReport | None
    errors: list[Issue] = field(default_factory=list)


def _int(value: str) -> int:
    if value.strip().lstrip("-").isdigit():
        return int(value)
    raise ValueError("must be a whole number")


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("true", "yes", "1", "ja"):
        return True
    if lowered in ("false", "no", "0", "nee"):
        return False
    raise ValueError("must be true or false")


def _moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as error:
        raise ValueError("must be an ISO 8601 date-time, e.g. 2020-12-21T08:00:00") from error
    return bounded_moment(moment)


def _optional(
    row: dict[str, str], name: str, convert: Callable[[str], Any], errors: list[Issue], line: int
) -> Any:
    raw = (row.get(name) or "").strip()
    if raw == "":
        return None
    try:
        return convert(raw)
    except ValueError as error:
        errors.append(Issue(f"line {line}: {name}", f"'{raw}' {error}"))
        return None


def parse_reports_csv(text: str) -> list[ParsedReport]:
    """Parse rows into reports; errors are collected per report, never raised per row."""
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise CsvFormatError(
            f"the header lacks {', '.join(missing)}; the first line must name the columns "
            f"({', '.join(REQUIRED)} are required)"
        )
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise CsvFormatError(f"unknown columns {', '.join(unknown)}; known: {', '.join(COLUMNS)}")
    twice = sorted({h for h in header if header.count(h) > 1})
    if twice:
        raise CsvFormatError(f"columns named twice: {', '.join(twice)}; name each column once")
    groups: dict[tuple[str, str], ParsedReport] = {}
    header_fields: dict[tuple[str, str], dict[str, Any]] = {}
    levels: dict[tuple[str, str], list[LevelReport]] = {}
    for offset, raw_row in enumerate(reader):
        line = offset + 2
        row = {k.strip(): (v or "") for k, v in raw_row.items() if k is not None}
        key = (row.get("location_code", "").strip(), row.get("reported_at", "").strip())
        parsed = groups.setdefault(key, ParsedReport([], None))
        parsed.lines.append(line)
        errors = parsed.errors
        extra = raw_row.get(None)  # type: ignore[call-overload]
        if extra:
            errors.append(Issue(f"line {line}", f"{len(extra)} more fields than the header names"))
        level = _level(row, errors, line)
        if level is not None:
            levels.setdefault(key, []).append(level)
        fields = {
            "staff_absence_pct": _optional(row, "staff_absence_pct", float, errors, line),
            "critical_planned_care_ok": _optional(
                row, "critical_planned_care_ok", _bool, errors, line
            ),
            "acute_care_ok": _optional(row, "acute_care_ok", _bool, errors, line),
            "provenance": _optional(row, "provenance", Provenance, errors, line),
        }
        header_fields.setdefault(key, {}).update({k: v for k, v in fields.items() if v is not None})
    out = []
    for key, parsed in groups.items():
        location_code, moment = key
        if not location_code:
            parsed.errors.append(Issue(f"line {parsed.lines[0]}: location_code", "is empty"))
        at = None
        try:
            at = _moment(moment)
        except ValueError as error:
            parsed.errors.append(
                Issue(f"line {parsed.lines[0]}: reported_at", f"'{moment}' {error}")
            )
        if not parsed.errors and at is not None:
            extra = header_fields.get(key, {})
            parsed.report = CapacityReport(
                location_code=location_code,
                reported_at=at,
                levels=tuple(levels.get(key, ())),
                staff_absence_pct=extra.get("staff_absence_pct"),
                critical_planned_care_ok=extra.get("critical_planned_care_ok"),
                acute_care_ok=extra.get("acute_care_ok"),
                provenance=extra.get("provenance", Provenance.ACTUAL),
            )
        out.append(parsed)
    return out


def _level(row: dict[str, str], errors: list[Issue], line: int) -> LevelReport | None:
    before = len(errors)
    try:
        care_level = CareLevel(row["care_level"].strip().lower())
    except ValueError:
        errors.append(
            Issue(
                f"line {line}: care_level",
                f"'{row['care_level']}' is not one of {', '.join(c.value for c in CareLevel)}",
            )
        )
        care_level = None
    numbers: dict[str, int | None] = {}
    for name in ("staffed_beds", "covid_occupied"):
        try:
            numbers[name] = _int(row[name])
        except ValueError as error:
            errors.append(Issue(f"line {line}: {name}", f"'{row[name]}' {error}"))
    for name in (
        "ontlabeld_occupied",
        "non_covid_occupied",
        "covid_admissions_24h",
        "emergency_reserve_7d",
    ):
        numbers[name] = _optional(row, name, _int, errors, line)
    status = _optional(row, "status", LevelStatus, errors, line)
    restrictions = _optional(
        row,
        "restrictions",
        lambda v: tuple(
            Restriction(x.strip()) for x in v.replace(";", "|").split("|") if x.strip()
        ),
        errors,
        line,
    )
    overflow = _optional(row, "overflow", _bool, errors, line)
    if len(errors) > before or care_level is None:
        return None
    return LevelReport(
        care_level=care_level,
        staffed_beds=numbers["staffed_beds"] or 0,
        covid_occupied=numbers["covid_occupied"] or 0,
        ontlabeld_occupied=numbers["ontlabeld_occupied"] or 0,
        non_covid_occupied=numbers["non_covid_occupied"] or 0,
        covid_admissions_24h=numbers["covid_admissions_24h"],
        status=status,
        restrictions=restrictions or (),
        emergency_reserve_7d=numbers["emergency_reserve_7d"],
        overflow=bool(overflow),
    )


def report_rows(report: CapacityReport) -> list[dict[str, object]]:
    """The CSV rows of one report (used by exports and tests)."""
    rows = []
    for level in report.levels:
        rows.append(
            {
                "location_code": report.location_code,
                "reported_at": report.reported_at.isoformat(),
                "care_level": level.care_level.value,
                "staffed_beds": level.staffed_beds,
                "covid_occupied": level.covid_occupied,
                "ontlabeld_occupied": level.ontlabeld_occupied,
                "non_covid_occupied": level.non_covid_occupied,
                "covid_admissions_24h": ""
                if level.covid_admissions_24h is None
                else level.covid_admissions_24h,
                "status": level.status.value if level.status else "",
                "restrictions": "|".join(r.value for r in level.restrictions),
                "emergency_reserve_7d": ""
                if level.emergency_reserve_7d is None
                else level.emergency_reserve_7d,
                "overflow": str(level.overflow).lower(),
                "staff_absence_pct": ""
                if report.staff_absence_pct is None
                else report.staff_absence_pct,
                "critical_planned_care_ok": ""
                if report.critical_planned_care_ok is None
                else str(report.critical_planned_care_ok).lower(),
                "acute_care_ok": ""
                if report.acute_care_ok is None
                else str(report.acute_care_ok).lower(),
                "provenance": report.provenance.value,
            }
        )
    return rows
