"""The service glue: target columns, the API function, its JSON and the Hub rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest

from kraan.domain.forecast import DEFAULT_PARAMS
from kraan.ingest.lcps import NEW_FEED, parse_lcps
from kraan.services.forecast_output import HUB_COLUMNS, forecast_hub_rows
from kraan.services.forecasting import forecast_area, forecast_to_json, target_series
from kraan.settings import get_settings
from tests.unit.forecast.synthetic import boxcar_census

RAW = get_settings().raw_data_dir
PARAMS = replace(DEFAULT_PARAMS, n_samples=300)
START = date(2021, 1, 1)


def _inputs(n: int = 120) -> dict[str, object]:
    t = np.arange(n, dtype=float)
    a = 30.0 * np.exp(0.02 * (t - n + 1))
    return {
        "admissions": a,
        "occupancy": boxcar_census(a, 12),
        "dates": [START + timedelta(days=i) for i in range(n)],
    }


@pytest.mark.skipif(not RAW.is_dir(), reason="raw public data not found")
def test_targets_are_covid_plus_ontlabeld_without_patients_abroad() -> None:
    national = parse_lcps(RAW / NEW_FEED)
    i = national.index_of(date(2021, 1, 1))  # LCPS: covid 642, abroad 10, ontlabeld 50
    ic, ward = target_series(national, "ic"), target_series(national, "ward")
    assert ic.occupancy[i] == 642 + 50
    assert ward.occupancy[i] == 1780 + 177  # kliniek covid + ontlabeld
    assert ic.admissions is not None and ic.admissions[i] == 37
    assert ic.helper_admissions is not None and ic.helper_admissions[i] == 239
    assert ward.helper_admissions is None


def test_forecast_area_and_its_json() -> None:
    inputs = _inputs()
    as_of = START + timedelta(days=119)
    forecast = forecast_area(**inputs, as_of=as_of, capacity=500.0, params=PARAMS)  # type: ignore[arg-type]
    document = forecast_to_json(forecast)
    assert document["as_of"] == as_of.isoformat()
    assert document["occupancy"][0]["date"] == (as_of + timedelta(days=1)).isoformat()
    assert document["mode"] == "queue"
    assert len(document["admissions"]) == 14
    assert set(document["capacity"]) == {
        "beds", "exceed_probability", "median_crossing", "upper90_crossing",
    }  # fmt: skip
    assert document["diagnostics"]["doubling_days"] == pytest.approx(np.log(2) / 0.02, rel=0.15)
    rows = list(forecast_hub_rows(forecast))
    assert len(rows) == 2 * 14 * 10  # occupancy and admissions, point + 9 quantiles
    assert set(rows[0]) == set(HUB_COLUMNS)


def test_an_earlier_as_of_uses_only_its_past() -> None:
    inputs = _inputs()
    as_of = START + timedelta(days=90)
    full = forecast_area(**inputs, as_of=as_of, params=PARAMS)  # type: ignore[arg-type]
    cut = {k: v[:91] for k, v in inputs.items()}  # type: ignore[index]
    short = forecast_area(**cut, as_of=as_of, params=PARAMS)  # type: ignore[arg-type]
    assert np.array_equal(full.result.occupancy, short.result.occupancy)


def test_bad_inputs_are_refused_with_a_reason() -> None:
    inputs = _inputs()
    with pytest.raises(ValueError, match="outside"):
        forecast_area(**inputs, as_of=date(2030, 1, 1))  # type: ignore[arg-type]
    gappy = dict(inputs, dates=list(inputs["dates"])[:-1] + [date(2030, 1, 1)])  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="consecutive"):
        forecast_area(**gappy, as_of=START)  # type: ignore[arg-type]
    short = dict(inputs, occupancy=inputs["occupancy"][:-1])  # type: ignore[index]
    with pytest.raises(ValueError, match="occupancy values"):
        forecast_area(**short, as_of=START)  # type: ignore[arg-type]


@pytest.mark.skipif(not RAW.is_dir(), reason="raw public data not found")
@pytest.mark.parametrize("target", ["ic", "ward"])
def test_lcps_weekends_from_april_2022_are_never_scored(target: str) -> None:
    """LCPS stopped publishing at weekends on 2022-04-15: those days reach the series
    interpolated and flagged, and the backtest scores no method on them."""
    from kraan.services.forecasting import backtest

    national = parse_lcps(RAW / NEW_FEED)
    end = date(2022, 6, 30)
    report = backtest(
        national,
        target=target,
        start=date(2022, 4, 1),
        end=end,
        horizons=(1, 2, 7, 14),
        params=PARAMS,
        methods=("kraan", "persistence"),
    )
    days = national.dates
    origins = report.run.origins
    imputed = national.imputed
    assert imputed[national.index_of(date(2022, 4, 16))]  # the first unpublished Saturday
    for h in (1, 2, 7, 14):
        target_days = origins + h
        inside = target_days <= national.index_of(end)
        observed = inside & ~imputed[np.clip(target_days, 0, days.size - 1)]
        for method in ("kraan", "persistence"):
            assert report.scores[method][h].n == int(observed.sum()), (method, h)
    # and the forecasts from an origin on an unpublished day are made (carried forward)
    saturday = int(np.flatnonzero(days[origins] == np.datetime64("2022-04-16"))[0])
    assert np.isfinite(report.run.forecasts["kraan"][saturday]).all()
