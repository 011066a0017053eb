"""Synthetic series with known answers, shared by the forecast tests."""

from __future__ import annotations

import numpy as np

from kraan.domain.forecast import TargetSeries

DAY0 = 18_500  # 2020-08-26; only seeds the random numbers


def boxcar_census(admissions: np.ndarray, stay: int) -> np.ndarray:
    """Census when every patient stays exactly ``stay`` counts: the last ``stay`` admissions."""
    cums = np.concatenate([[0.0], np.cumsum(admissions)])
    idx = np.arange(admissions.size)
    return cums[idx + 1] - cums[np.clip(idx + 1 - stay, 0, None)]


def series(admissions: np.ndarray, occupancy: np.ndarray, level: str = "ward") -> TargetSeries:
    return TargetSeries(
        occupancy=np.asarray(occupancy, dtype=float),
        admissions=np.asarray(admissions, dtype=float),
        imputed=np.zeros(len(occupancy), dtype=bool),
        level=level,
        day0=DAY0,
    )
