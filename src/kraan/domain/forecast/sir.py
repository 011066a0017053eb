"""CHIME-style SIR census baseline (Weissman et al. 2020, Ann Intern Med 173(1):21-28).

As Penn CHIME defines it (CodeForPhilly/chime ``src/penn_chime/model/sir.py``):

* daily growth rate from a doubling time, g = 2^(1/Td) - 1; beta = (g + gamma) / S with
  gamma = 1 / infectious days, S = population - infected, recovered = 0 (CHIME defaults);
* the discrete SIR step s' = s - beta s i, i' = i + beta s i - gamma i, r' = r + gamma i;
* admissions = rate x new infections (CHIME ``calculate_admits``);
* census = admissions of the last ``LOS`` days, a *fixed* length of stay
  (CHIME ``calculate_census``).

Fitted as CHIME's users asked (domain.md): the doubling time comes from the last two
weeks of *admissions* (log-linear fit of the 7-day mean, its standard error giving
the spread of scenarios), the fixed LOS from Little's law (mean census / mean
admissions over the same two weeks), and the projection starts from the patients
already present: the gap between observed census and the boxcar census at the
origin leaves evenly over LOS days.
"""

from __future__ import annotations

import numpy as np

from kraan.domain.forecast.params import ForecastParams
from kraan.domain.forecast.quantiles import FloatArray, monotone, sample_quantiles

#: CHIME defaults/webapp.cfg: --hospitalized-days 7, --icu-days 9 (used when the series
#: holds no admissions to apply Little's law to).
CHIME_DAYS = {"ward": 7, "ic": 9}


def _admissions_or_balance(
    admissions: FloatArray | None, occupancy: FloatArray, days: int, need: int
) -> FloatArray:
    """Known admissions, or a census-balance estimate with CHIME's stay when too few are known."""
    if admissions is not None and np.isfinite(admissions[-need:]).all():
        known: FloatArray = np.nan_to_num(admissions)
        return known
    prev = np.concatenate([[occupancy[0]], occupancy[:-1]])
    estimate: FloatArray = np.clip(occupancy - prev + prev / days, 0.0, None)
    return estimate


def chime_sir(
    admissions: FloatArray | None,
    occupancy: FloatArray,
    *,
    params: ForecastParams,
    rng: np.random.Generator,
    level: str,
) -> FloatArray:
    """Quantiles ``(H, Q)`` of the census; ``level`` is ``ic`` or ``ward`` (CHIME rate, LOS)."""
    fit_days = params.sir_fit_days
    a = _admissions_or_balance(admissions, occupancy, CHIME_DAYS[level], fit_days + 6)
    weekly = np.convolve(a, np.ones(7) / 7.0, mode="valid")[-fit_days:]  # trailing means
    x = np.arange(-weekly.shape[0] + 1, 1, dtype=np.float64)
    y = np.log(np.maximum(weekly, 0.5))
    sxx = float(((x - x.mean()) ** 2).sum())
    slope = float(((x - x.mean()) * (y - y.mean())).sum() / sxx)
    intercept = float(y.mean() - slope * x.mean())
    resid = y - (intercept + slope * x)
    se = float(np.sqrt((resid**2).sum() / max(x.size - 2, 1) / sxx))
    log_growth = slope + se * rng.standard_normal(params.n_samples)
    gamma = 1.0 / params.sir_infectious_days
    growth = np.maximum(np.expm1(log_growth), -0.9 * gamma)  # g = 2^(1/Td) - 1
    a0 = float(np.exp(intercept + 3.0 * slope))  # a trailing mean lags its last day by 3
    rate = params.sir_icu_rate if level == "ic" else params.sir_hospitalized_rate
    pop = params.sir_population
    beta_s = growth + gamma  # beta * S
    i = a0 / rate / beta_s
    s = pop - i
    beta = beta_s / s
    r = np.zeros_like(i)
    future = np.empty((params.n_samples, params.horizon))
    for day in range(params.horizon):  # H vectorised SIR steps over all scenarios
        new = beta * s * i
        s, i, r = s - new, i + new - gamma * i, r + gamma * i
        scale = pop / (s + i + r)
        s, i, r = s * scale, i * scale, r * scale
        future[:, day] = rate * new
    little = float(np.nanmean(occupancy[-fit_days:]) / max(float(np.nanmean(a[-fit_days:])), 1e-6))
    stay = int(np.clip(round(little), 1, 60))  # Little's law: census / admissions
    past = a[-stay:] if a.shape[0] >= stay else np.concatenate([np.zeros(stay - a.shape[0]), a])
    both = np.concatenate([np.broadcast_to(past, (params.n_samples, stay)), future], axis=1)
    cums = np.concatenate([np.zeros((params.n_samples, 1)), np.cumsum(both, axis=1)], axis=1)
    census = cums[:, stay + 1 :] - cums[:, 1 : params.horizon + 1]  # boxcar of `stay` days
    gap = float(occupancy[-1]) - float(past.sum())
    h = np.arange(1, params.horizon + 1, dtype=np.float64)
    census = census + gap * np.clip(1.0 - h / stay, 0.0, None)[None, :]
    return monotone(sample_quantiles(census))
