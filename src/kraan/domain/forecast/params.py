"""One frozen parameter object for the forecasters, every default with its source.

The CLI, the API and the tests all use :data:`DEFAULT_PARAMS` (or a ``replace`` of
it), so a backtest and a live forecast of the same day give the same numbers.
Values marked *tuned* were chosen on the LCPS origins 2020-10-01..2021-06-30 only
(:data:`TRAIN_PERIOD`) from a small grid (docs/forecasting.md, "How the defaults were
chosen"). 2021-07-01..2022-06-30 (:data:`VALIDATION_PERIOD`) is a validation period
the choices never saw, and the data after 2022-06-30 are a further honest test.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Days of census a forecast needs up to its origin: the one home of this rule in code.
#: Its value and source are in ``data/public_figures.json`` (``forecast_min_history_days``;
#: the domain reads no files, and tests/unit/test_public_figures.py keeps the two equal).
MIN_HISTORY_DAYS = 14


@dataclass(frozen=True, slots=True)
class ForecastParams:
    """Settings of the ``kraan`` method and the baselines."""

    horizon: int = 14  # issue: horizons 1..14 days
    n_samples: int = 1000  # Monte Carlo paths; 2.5 % tail = 25 paths
    seed: int = 20201001

    # --- admissions model (growth of log admissions) ---
    growth_window: int = 28  # days of admissions in the local-linear fit
    growth_half_life: float = 3.0  # tuned: weight halves every 3 days (changepoint robustness)
    damping: float = 0.9  # tuned: damped trend, Gardner & McKenzie (1985)
    huber_k: float = 1.345  # Huber (1964); the usual 95 %-efficiency constant
    weekday_window: int = 56  # 8 weeks for day-of-week factors of reported admissions
    min_admission_days: int = 21  # fewer known days -> occupancy-trend fallback
    pool_ward_growth: bool = True  # tuned: IC borrows growth from ward admissions (ward -> IC)
    # tuned: the ward census has a day-of-week pattern of its own (LCPS 2020-2022: Tuesday
    # +3 %, Saturday -3 %); the IC census has almost none, and estimating it adds noise.
    census_weekday: tuple[str, ...] = ("ward",)

    # --- length of stay (infinite-server queue, Bekker et al. 2023; Baas et al. 2021) ---
    stay_window: int = 42  # tuned: days of occupancy the survival curve is fitted on
    stay_max_lag: int = 70  # longest stay modelled; longer IC stays are rare
    stay_scale_bounds: tuple[float, float] = (0.7, 1.4)  # admissions vs census definitions

    # --- calibration of interval width from the method's own past errors ---
    # tuned on 2020-10..2021-06 only: 60 beat 90 and 120 on WIS at every horizon (intervals
    # follow recent errors, so they narrow in calm periods); 45 covered < 85 % at 14 days
    calibration_window: int = 60  # origins looked back on (only errors known by then)
    calibration_min: int = 28  # fewer past errors -> raw model intervals
    calibrate_bias: bool = False  # tuned: shifting the median did not pay off
    # tuned on 2020-10..2021-06 only (docs/forecasting.md, "Adaptive width"): an error of
    # a forecast made 25 days earlier weighs half as much (weighted conformal, Barber et
    # al. 2023), so the band widens sooner after a change of regime; None = equal weights
    calibration_half_life: float | None = 25.0

    # --- stacking with persistence (ensemble.py); chosen on 2020-10..2021-06 only ---
    blend: bool = True  # tuned (train): WIS better at 1-3 days, equal or better beyond
    blend_window: int = 60  # past origins behind the weights (at most the calibration window)
    blend_min: int = 14  # fewer known outcomes -> the model alone
    blend_floor: float = 0.5  # tuned (train; 0 overreacted): the model keeps at least half
    blend_horizon: int = 7  # tuned (train): beyond 7 days, stacking made WIS worse

    # --- baselines ---
    trend_window: int = 14  # linear trend: OLS on the last 14 days
    sir_population: float = 17_407_585.0  # CBS, population of NL on 1 January 2020
    sir_infectious_days: float = 10.0  # CHIME defaults/webapp.cfg --infectious-days 10
    sir_hospitalized_rate: float = 0.025  # CHIME defaults/webapp.cfg --hospitalized-rate
    sir_icu_rate: float = 0.0075  # CHIME defaults/webapp.cfg --icu-rate
    sir_fit_days: int = 14  # doubling time from the last two weeks of admissions

    @property
    def raw_history(self) -> int:
        """Days the raw forecast reads: the stay fit needs its window plus the longest stay."""
        return self.stay_window + self.stay_max_lag

    def __post_init__(self) -> None:
        problems = []
        if not 1 <= self.horizon <= 60:
            problems.append("horizon must lie in 1..60 days")
        if self.n_samples < 50:
            problems.append("n_samples must be at least 50 (quantiles need the tails)")
        if not 0.0 < self.damping <= 1.0:
            problems.append("damping must lie in (0, 1]")
        if self.growth_half_life <= 0 or self.growth_window < 7:
            problems.append("growth_half_life must be > 0 and growth_window >= 7 days")
        low, high = self.stay_scale_bounds
        if not 0.0 < low <= high:
            problems.append("stay_scale_bounds must satisfy 0 < low <= high")
        if self.stay_window < 7 or self.stay_max_lag < 7:
            problems.append("stay_window and stay_max_lag must be at least 7 days")
        if self.calibration_half_life is not None and self.calibration_half_life <= 0:
            problems.append("calibration_half_life must be > 0 days (or None)")
        if self.calibration_min < 1 or self.calibration_window < self.calibration_min:
            problems.append("need 1 <= calibration_min <= calibration_window")
        if problems:
            raise ValueError("invalid forecast parameters: " + "; ".join(problems))


DEFAULT_PARAMS = ForecastParams()

#: The honest split (docs/forecasting.md, "Honest split"): every default above was chosen
#: on origins in TRAIN only; VALIDATION (Delta, Omicron BA.1/BA.2) was scored once, with
#: the defaults fixed, and never used to choose anything. (first origin, last day), ISO.
TRAIN_PERIOD = ("2020-10-01", "2021-06-30")
VALIDATION_PERIOD = ("2021-07-01", "2022-06-30")
PERIODS = {"train": TRAIN_PERIOD, "validation": VALIDATION_PERIOD}
