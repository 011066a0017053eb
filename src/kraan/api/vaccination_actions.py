"""Vaccination request bodies and the schedule use case, shared by the router and the page."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from kraan.domain.care_at_home.vaccination_order import VaccinationDataError
from kraan.services.care_at_home import vaccination as service

MAX_WEEKS = 80


class DeliveryRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    week: str = Field(pattern=r"^\d{4}-W\d{2}$", description="ISO week, e.g. 2021-W05")
    vaccine: str = Field(min_length=1, max_length=32)
    doses: float = Field(ge=0, le=1e8)


class WhatIf(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["delay", "cut", "restrict"]
    vaccine: str
    weeks: int | None = Field(None, ge=0, le=52)
    percent: float | None = Field(None, ge=0, le=100)
    from_week: str | None = Field(None, pattern=r"^\d{4}-W\d{2}$")
    min_age: int | None = Field(None, ge=0, le=120)
    max_age: int | None = Field(None, ge=0, le=120)


class ScheduleRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    deliveries: list[DeliveryRow] | None = Field(
        None, description="Weekly deliveries; leave out and set real_2021 for the 2021 pattern."
    )
    real_2021: bool = False
    capacity: float | None = Field(None, gt=0, description="Doses that can be given per week.")
    uptake: dict[str, float] | None = Field(None, description="Group code -> uptake 0..1")
    what_ifs: list[WhatIf] = Field(default_factory=list)


def build_document(request: ScheduleRequest) -> dict[str, Any]:
    if request.deliveries:
        lines = ["week,vaccine,doses"] + [
            f"{r.week},{r.vaccine},{r.doses}" for r in request.deliveries
        ]
        weeks, series = service.parse_deliveries("\n".join(lines))
    elif request.real_2021:
        weeks, series = service.real_2021_deliveries()
    else:
        raise VaccinationDataError([("deliveries", "send deliveries or set real_2021")])
    if len(weeks) > MAX_WEEKS:
        raise VaccinationDataError([("deliveries", f"at most {MAX_WEEKS} weeks")])
    for name, value in (request.uptake or {}).items():
        if not 0 <= value <= 1:
            raise VaccinationDataError([(f"uptake.{name}", "must be between 0 and 1")])
    inp = service.schedule_input(weeks, series, capacity=request.capacity, uptake=request.uptake)
    what_ifs = [w.model_dump(exclude_none=True) for w in request.what_ifs]
    return service.schedule_document(inp, what_ifs)
