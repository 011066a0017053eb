"""Bed-days saved by early discharge to home monitoring, and the module-1 parameters.

For a post-clinical patient sent home after ``d`` days in hospital, the bed-days saved are
the expected *remaining* length of stay at day ``d`` (from the fitted survival curve of the
forecast, :mod:`kraan.domain.forecast.los`) minus the days the patient actually spent in
hospital again (a readmission). Pre-clinical patients avoid an admission altogether when
they are not admitted; they are counted apart (``admissions_avoided``) because whether
they would have been admitted is not known.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def weibull_survival(mean_days: float, shape: float, length: int = 120) -> FloatArray:
    """S(k) at k + 0.5 days, as :func:`kraan.domain.forecast.los._grid` builds them."""
    from math import gamma

    scale = mean_days / gamma(1.0 + 1.0 / shape)
    k = np.arange(length, dtype=np.float64) + 0.5
    return np.exp(-((k / scale) ** shape))


def expected_remaining_days(survival: Sequence[float] | FloatArray, days_in: float) -> float:
    """E[remaining stay | stayed ``days_in`` days] = sum_{k >= d} S(k) / S(d)."""
    s = np.asarray(survival, dtype=np.float64)
    d = int(max(0, min(len(s) - 1, round(days_in))))
    if s[d] <= 0:
        return 0.0
    return float(s[d:].sum() / s[d])


@dataclass(frozen=True, slots=True)
class SignedOff:
    """One finished post-clinical or pre-clinical episode (plain data, no identity)."""

    region_code: str
    pathway: str  # pre_clinical | post_clinical
    outcome: str | None  # recovered | readmitted | died | None (still active)
    expected_remaining_days: float  # at enrolment; 0 for pre-clinical
    readmission_days: float  # days back in hospital (0 unless readmitted)


def summarise(episodes: Iterable[SignedOff]) -> dict[str, dict[str, float | int]]:
    """Per region and ``NL``: enrolled, signed off, readmitted, rate, bed-days saved."""
    out: dict[str, dict[str, float | int]] = {}
    for e in episodes:
        for key in (e.region_code, "NL"):
            row = out.setdefault(
                key,
                {"enrolled": 0, "post_clinical": 0, "pre_clinical": 0, "signed_off": 0,
                 "readmitted": 0, "died": 0, "recovered": 0, "bed_days_saved": 0.0,
                 "admissions_avoided": 0, "post_clinical_signed_off": 0},
            )  # fmt: skip
            row["enrolled"] += 1
            row[e.pathway] += 1
            if e.outcome is None:
                continue
            row["signed_off"] += 1
            row[e.outcome] += 1
            if e.pathway == "post_clinical":
                row["post_clinical_signed_off"] += 1
                row["bed_days_saved"] += e.expected_remaining_days - e.readmission_days
            elif e.outcome != "readmitted":
                row["admissions_avoided"] += 1
    for row in out.values():
        done = row["signed_off"]
        row["readmission_rate"] = round(row["readmitted"] / done, 4) if done else 0.0
        post_done = row["post_clinical_signed_off"]
        row["bed_days_saved"] = round(float(row["bed_days_saved"]), 1)
        row["bed_days_saved_per_post_clinical_patient"] = (
            round(float(row["bed_days_saved"]) / post_done, 2) if post_done else 0.0
        )
    return out


def module1_from_summary(
    summary: Mapping[str, Mapping[str, float | int]], *, default_saved: float, default_rate: float
) -> dict[str, dict[str, float | int | str]]:
    """What the simulation's module 1 needs per region: days saved per patient and the
    readmission rate, with the report's figures where a region has no signed-off patients."""
    params: dict[str, dict[str, float | int | str]] = {}
    for region, row in summary.items():
        measured = int(row["signed_off"]) > 0
        params[region] = {
            "bed_days_saved_per_patient": (
                float(row["bed_days_saved_per_post_clinical_patient"])
                if int(row["post_clinical_signed_off"]) > 0 else default_saved
            ),
            "readmission_rate": float(row["readmission_rate"]) if measured else default_rate,
            "patients": int(row["signed_off"]),
            "basis": "measured" if int(row["post_clinical_signed_off"]) > 0 else "default",
        }  # fmt: skip
    return params
