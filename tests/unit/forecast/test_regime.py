"""Forecasts that survive a new regime: the unreliable state, missing days, stacking with
persistence, and raw runs that do not depend on where a series starts (memo, live = CLI)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from kraan.domain.forecast import DEFAULT_PARAMS, forecast_at, run_backtest, with_capacity
from kraan.domain.forecast.ensemble import blend_weights
from kraan.domain.forecast.occupancy import QUEUE
from kraan.domain.forecast.target import TargetSeries
from tests.unit.forecast.synthetic import DAY0, boxcar_census, series

PARAMS = replace(DEFAULT_PARAMS, n_samples=300, calibration_window=30, calibration_min=10)


def _wave(n: int = 160, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    a = rng.poisson(60 * np.exp(0.8 * np.sin(t / 25.0))).astype(float)
    return a, boxcar_census(a, 9)


def test_too_short_a_history_is_not_reliable_and_answers_no_capacity() -> None:
    a, o = _wave(40)
    short = forecast_at(series(a, o), 22, PARAMS, capacity=1.0, keep_paths=True)
    assert not short.reliable
    assert short.unreliable is not None and short.unreliable.startswith("history too short")
    assert short.capacity is None and short.upper90_crossing is None
    assert with_capacity(short, 1.0).upper90_crossing is None  # never a crossing warning
    long = forecast_at(series(a, o), 39, PARAMS, capacity=1.0)
    assert long.reliable and long.upper90_crossing == 1


def test_a_flat_line_without_a_band_is_a_failed_fit() -> None:
    # March 2020 on the dashboard: admissions read as 0, so the queue kept the census flat
    n = 80
    admissions = np.zeros(n)
    occupancy = np.full(n, 927.0)
    result = forecast_at(series(admissions, occupancy), n - 1, PARAMS, capacity=900.0)
    assert not result.reliable and "fit failed" in (result.unreliable or "")
    assert result.capacity is None


def test_missing_days_are_bridged_not_zeroed_and_never_scored() -> None:
    a, o = _wave()
    gap_a, gap_o = a.copy(), o.copy()
    weekend = (np.arange(a.size) % 7 >= 5) & (np.arange(a.size) >= 100)
    gap_a[weekend], gap_o[weekend] = np.nan, np.nan  # days not published at all
    s = series(gap_a, gap_o)
    origin = int(np.flatnonzero(~weekend)[-1])
    full = forecast_at(series(a, o), origin, PARAMS)
    gapped = forecast_at(s, origin, PARAMS)
    assert gapped.mode == QUEUE and gapped.reliable  # not the census-trend fallback
    assert np.all(np.isfinite(gapped.occupancy))
    # bridging the weekends changes the forecast only a little
    assert np.allclose(gapped.occupancy[:, 4], full.occupancy[:, 4], rtol=0.1)
    run = run_backtest(s, 110, a.size - 1, PARAMS, methods=("kraan", "persistence"))
    scores = run.scores(range(1, 15))
    for h in range(1, 15):
        target_days = run.origins + h
        observed = (target_days < a.size) & ~weekend[np.clip(target_days, 0, a.size - 1)]
        has_forecast = ~weekend[run.origins]
        assert scores["kraan"][h].n == int((observed & has_forecast).sum())


def test_the_raw_forecast_does_not_depend_on_where_the_series_starts() -> None:
    a, o = _wave(200)
    whole = series(a, o)
    lead = 25
    padded = TargetSeries(  # 25 unknown days before the data, as a live store shows
        occupancy=np.concatenate([np.full(lead, np.nan), o]),
        admissions=np.concatenate([np.full(lead, np.nan), a]),
        imputed=np.zeros(a.size + lead, dtype=bool),
        level="ward",
        day0=DAY0 - lead,
    )
    cut = 199 - PARAMS.calibration_window - PARAMS.raw_history - 5
    tail = TargetSeries(  # only the days the live path reads
        occupancy=o[cut:],
        admissions=a[cut:],
        imputed=np.zeros(a.size - cut, dtype=bool),
        level="ward",
        day0=DAY0 + cut,
    )
    reference = forecast_at(whole, 199, PARAMS).occupancy
    assert np.array_equal(forecast_at(padded, 199 + lead, PARAMS).occupancy, reference)
    assert np.array_equal(forecast_at(tail, 199 - cut, PARAMS).occupancy, reference)


def test_the_memo_changes_nothing_but_the_work() -> None:
    a, o = _wave(200)
    s = series(a, o)
    memo: dict[object, object] = {}
    first = forecast_at(s, 180, PARAMS, memo=memo, keep_paths=True)  # type: ignore[arg-type]
    runs = len(memo)
    assert runs == PARAMS.calibration_window + 1
    again = forecast_at(s, 181, PARAMS, memo=memo, keep_paths=True)  # type: ignore[arg-type]
    assert len(memo) == runs + 1  # one new origin, the rest reused
    for result, origin in ((first, 180), (again, 181)):
        plain = forecast_at(s, origin, PARAMS, keep_paths=True)
        assert np.array_equal(result.occupancy, plain.occupancy)
        assert result.paths is not None and plain.paths is not None
        assert np.array_equal(result.paths, plain.paths)
    changed = o.copy()
    changed[170] += 50  # a correction: every run that saw day 170 runs again
    forecast_at(series(a, changed), 181, PARAMS, memo=memo)  # type: ignore[arg-type]
    assert len(memo) > runs + 1


def test_stacking_leans_on_persistence_only_when_it_did_better() -> None:
    m, h = 30, 14
    truth = np.full((m, h), 100.0)
    last = np.full(m, 100.0)
    wrong_model = np.full((m, h), 150.0)
    assert np.all(blend_weights(wrong_model, last, truth, minimum=10) == 0.0)
    assert np.all(blend_weights(wrong_model, last, truth, minimum=10, floor=0.5) == 0.5)
    good_model = truth.copy()
    moving = np.full(m, 60.0)
    assert np.all(blend_weights(good_model, moving, truth, minimum=10) == 1.0)
    few = np.where(np.arange(m)[:, None] < 5, truth, np.nan)
    assert np.all(blend_weights(wrong_model, last, few, minimum=10) == 1.0)  # too few: model
