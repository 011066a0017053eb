"""API schemas (XCreate / XRead). Field limits here give one 422 message per field."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from kraan.api.bounds import CleanText, Moment
from kraan.domain.model import (
    CapacityReport,
    CareLevel,
    LevelReport,
    LevelStatus,
    Provenance,
    Restriction,
)

Count = Field(ge=0, le=999, strict=True)


class LevelCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    care_level: CareLevel
    # strict: "10" and true are not bed counts (issue 8)
    staffed_beds: int = Field(
        ge=0, le=999, strict=True, description="Open beds with staff and equipment."
    )
    covid_occupied: int = Field(ge=0, le=999, strict=True)
    ontlabeld_occupied: int = Field(
        0, ge=0, le=999, strict=True, description="COVID, no longer infectious."
    )
    non_covid_occupied: int = Field(0, ge=0, le=999, strict=True)
    covid_admissions_24h: int | None = Field(None, ge=0, le=999, strict=True)
    status: LevelStatus | None = None
    restrictions: list[Restriction] = Field(default_factory=list, max_length=8)
    emergency_reserve_7d: int | None = Field(None, ge=0, le=999, strict=True)
    overflow: bool = Field(
        False, strict=True, description="Occupancy above staffed beds is real (overflow)."
    )

    def to_domain(self) -> LevelReport:
        return LevelReport(
            care_level=self.care_level,
            staffed_beds=self.staffed_beds,
            covid_occupied=self.covid_occupied,
            ontlabeld_occupied=self.ontlabeld_occupied,
            non_covid_occupied=self.non_covid_occupied,
            covid_admissions_24h=self.covid_admissions_24h,
            status=self.status,
            restrictions=tuple(self.restrictions),
            emergency_reserve_7d=self.emergency_reserve_7d,
            overflow=self.overflow,
        )


class ReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    location_code: CleanText = Field(min_length=1, max_length=32)
    reported_at: Moment = Field(
        description="When the beds were counted (ISO 8601; UTC if naive; 2020..2100)."
    )
    levels: list[LevelCreate] = Field(min_length=1, max_length=5)
    staff_absence_pct: float | None = Field(None, ge=0, le=100, strict=True)
    critical_planned_care_ok: bool | None = Field(None, strict=True)
    acute_care_ok: bool | None = Field(None, strict=True)
    provenance: Provenance = Provenance.ACTUAL

    def to_domain(self) -> CapacityReport:
        return CapacityReport(
            location_code=self.location_code,
            reported_at=self.reported_at,
            levels=tuple(level.to_domain() for level in self.levels),
            staff_absence_pct=self.staff_absence_pct,
            critical_planned_care_ok=self.critical_planned_care_ok,
            acute_care_ok=self.acute_care_ok,
            provenance=self.provenance,
        )


class BatchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reports: list[ReportCreate] = Field(min_length=1, max_length=5000)


class DeclarationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str = Field(pattern="^(normal|under_pressure|no_critical_planned|no_acute)$")
    reason: CleanText = Field(min_length=5, max_length=2000)
    valid_from: Moment | None = Field(None, description="ISO 8601 with its offset; UTC if naive.")
    valid_until: Moment | None = None


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=2, max_length=100, pattern=r"^[A-Za-z0-9_.@-]+$")
    role: str = Field(
        pattern="^(viewer|reporter|regional_coordinator|national_coordinator"
        "|control_centre_nurse|gp)$"
    )
    region_code: CleanText | None = Field(None, max_length=16)
    location_codes: list[Annotated[CleanText, Field(max_length=32)]] = Field(
        default_factory=list, max_length=500
    )
    password: CleanText | None = Field(None, min_length=10, max_length=200)
    label: CleanText = Field("", max_length=100)
