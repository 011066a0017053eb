"""Public figures and external limits, loaded once from ``data/public_figures.json``.

Every figure there has its source; code reads the value from here instead of repeating
it (``public_figures().ic_beds_scale_up.value``). The file is validated on load: a
missing, unknown or mistyped figure fails loudly.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

FIGURES_FILE = Path(__file__).resolve().parent / "data" / "public_figures.json"


class Figure(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    value: int
    unit: str
    source: str


class PublicFigures(BaseModel):
    """One field per figure of ``public_figures.json`` (all required, none extra)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ic_beds_normal: Figure
    ic_beds_scale_up: Figure
    ic_beds_december_2020: Figure
    ic_beds_max: Figure
    ward_covid_beds_2b: Figure
    ward_beds: Figure
    elv_vvt_extra_beds: Figure
    elv_vvt_covid_clients_peak: Figure
    forecast_min_history_days: Figure
    divi_max_count: Figure
    divi_correction_days: Figure


class FiguresFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    description: str
    figures: PublicFigures


def load_figures(path: Path = FIGURES_FILE) -> FiguresFile:
    """The whole file, validated (pydantic: every figure with value, unit and source)."""
    return FiguresFile.model_validate(json.loads(path.read_text(encoding="utf-8")))


@cache
def public_figures() -> PublicFigures:
    return load_figures().figures
