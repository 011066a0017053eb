"""A scenario is data: the wave (a quadrant or a replayed period), modules, capacities,
members and seed. The same file and seed give the same result (ensemble.py).

Example (YAML or JSON)::

    name: delta-like wave with home monitoring
    quadrant: contagious_severe
    start: 2021-10-01
    days: 180
    members: 200
    seed: 7
    modules: ["1", {key: ELV, phase: 2A}, {key: "5", start: 2021-11-15}]
    capacities: {elv_beds: 800}

A sweep adds ``quadrants`` and ``combinations`` (lists of module lists).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kraan.domain.simulation.params import PHASES

CAPACITY_KEYS = ("ic_beds", "ward_beds", "ward_covid_beds", "elv_beds")


class ModuleChoice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    phase: str | None = None
    start: date | None = None
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("phase")
    @classmethod
    def _phase(cls, value: str | None) -> str | None:
        if value is not None and value not in PHASES:
            raise ValueError(f"phase must be one of {', '.join(PHASES)}")
        return value


class Replay(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    input: Path | None = None  # an LCPS file; None = the bundled real series
    start: date
    end: date

    @model_validator(mode="after")
    def _order(self) -> Replay:
        if self.end < self.start:
            raise ValueError("end lies before start")
        return self


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "scenario"
    quadrant: str | None = None
    replay: Replay | None = None
    start: date = date(2021, 10, 1)
    days: int = Field(180, ge=7, le=730)
    members: int = Field(100, ge=1, le=100_000)
    seed: int = 0
    modules: list[ModuleChoice] = Field(default_factory=list)
    capacities: dict[str, float] = Field(default_factory=dict)
    scale_up: bool = False
    protect_u3: bool = True
    #: synthetic waves: regions share the admissions as in the second wave (NICE admissions
    #: 2020-10..12, the demo's split) or in proportion to their population
    regional_pattern: Literal["second_wave", "population"] = "second_wave"
    overrides: dict[str, Any] = Field(default_factory=dict)

    @field_validator("modules", mode="before")
    @classmethod
    def _modules(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [v for v in value.split(",") if v.strip()]
        return [{"key": str(v).strip()} if isinstance(v, str | int) else v for v in value or []]

    @field_validator("capacities")
    @classmethod
    def _capacities(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = set(value) - set(CAPACITY_KEYS)
        if unknown:
            raise ValueError(f"unknown capacities {sorted(unknown)}; use {list(CAPACITY_KEYS)}")
        if any(v < 0 for v in value.values()):
            raise ValueError("capacities must be >= 0")
        return value

    @property
    def module_keys(self) -> list[str]:
        return [m.key for m in self.modules]


class Sweep(BaseModel):
    """Quadrants x module combinations x members; each cell is a scenario."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base: Scenario = Field(default_factory=Scenario)
    quadrants: list[str] = Field(default_factory=lambda: ["contagious_severe"])
    combinations: list[list[str]] = Field(default_factory=lambda: [[]])

    @field_validator("combinations", mode="before")
    @classmethod
    def _combos(cls, value: Any) -> Any:
        return [[str(k) for k in (c.split("+") if isinstance(c, str) else c) if str(k).strip()]
                for c in value]

    def cells(self) -> list[tuple[str, tuple[str, ...]]]:
        return [(q, tuple(c)) for q in self.quadrants for c in self.combinations]
