"""How a capacity report maps to rows and back: the one definition the single-report
reads (:mod:`kraan.store.reports`) and the set-based writes
(:mod:`kraan.store.report_batch`) share. No statements here, only row shapes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from kraan.domain.model import (
    CapacityReport,
    CareLevel,
    LevelReport,
    LevelStatus,
    Provenance,
    Restriction,
)
from kraan.store.tables import submission_levels


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


def level_row(submission_id: int, level: LevelReport) -> dict[str, object]:
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


def level_from_row(row: Mapping[str, object]) -> LevelReport:
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
            {k: v for k, v in level_row(0, level).items() if k != "submission_id"}
            for level in report.levels
        ],
    }


def row_reports(
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
            levels[submission_id].append(level_from_row(row))
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


LEVEL_COLUMNS = [c for c in submission_levels.c if c.name != "submission_id"]
