"""The IC stockpiles: CCV medicine coverage against the 5 + 3 months norm; ventilators.

Sources: the action plan (seed 002) item 10, the COVID crisis stock (CCV) of IC medicines
"voldoende voor 5 maanden regulier gebruik + 3 maanden piekverbruik", and item 9, the
central IC-ventilator stock: hospitals apply to Bureau LCH (CIBG), which "zorgt voor de
beoordeling en afhandeling van de aanvraag".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from kraan.domain.requests.rules import RuleViolation, check_all

MAX_MONTHS = 36.0  # coverage is reported up to three years; beyond that it is "enough"


@dataclass(frozen=True, slots=True)
class CcvNorm:
    regular_months: float
    peak_months: float
    peak_covid_ic_patients: float
    days_per_month: float

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> CcvNorm:
        return cls(float(raw["regular_months"]), float(raw["peak_months"]),
                   float(raw["peak_covid_ic_patients"]), float(raw["days_per_month"]))  # fmt: skip


@dataclass(frozen=True, slots=True)
class Medicine:
    code: str
    name: str
    unit: str
    stock: float
    regular_per_month: float
    per_ic_patient_day: float


def check_medicine(data: Mapping[str, Any]) -> None:
    problems = []
    for name in ("stock", "regular_per_month", "per_ic_patient_day"):
        value = data.get(name)
        if not isinstance(value, int | float) or isinstance(value, bool):
            problems.append((name, "a number"))
        elif value < 0:
            problems.append((name, "cannot be negative"))
    for name in ("code", "name", "unit"):
        if not str(data.get(name) or "").strip():
            problems.append((name, "required"))
    check_all("stock_non_negative", problems)


def peak_month_use(med: Medicine, norm: CcvNorm) -> float:
    """A peak month: regular use plus every COVID IC patient of the assumed peak."""
    covid = med.per_ic_patient_day * norm.peak_covid_ic_patients * norm.days_per_month
    return med.regular_per_month + covid


def norm_stock(med: Medicine, norm: CcvNorm) -> float:
    return norm.regular_months * med.regular_per_month + norm.peak_months * peak_month_use(
        med, norm
    )


def coverage_months(med: Medicine, covid_ic_per_day: Sequence[float], norm: CcvNorm) -> float:
    """Months the stock lasts: regular use plus use by the forecast COVID IC patients
    (day by day over the forecast, then the last day's figure held)."""
    regular_day = med.regular_per_month / norm.days_per_month
    left, days = med.stock, 0
    last = covid_ic_per_day[-1] if covid_ic_per_day else 0.0
    limit = int(MAX_MONTHS * norm.days_per_month)
    while days < limit:
        patients = covid_ic_per_day[days] if days < len(covid_ic_per_day) else last
        use = regular_day + med.per_ic_patient_day * max(0.0, patients)
        if use <= 0:
            return MAX_MONTHS
        if use > left:
            return round((days + left / use) / norm.days_per_month, 2)
        left -= use
        days += 1
    return MAX_MONTHS


class Decision(StrEnum):
    GRANTED = "granted"
    PARTLY = "partly"
    REFUSED = "refused"


def check_assessment(units: int, decision: str, granted: int, reason: str) -> Decision:
    """The stock office's answer must match its numbers, with a reason unless granted."""
    try:
        chosen = Decision(decision)
    except ValueError:
        raise RuleViolation("assessment_fields", "granted, partly or refused", "decision") from None
    expected = (
        Decision.GRANTED if granted == units else Decision.REFUSED if granted == 0
        else Decision.PARTLY
    )  # fmt: skip
    if not 0 <= granted <= units:
        raise RuleViolation("assessment_matches_units", f"grant 0 to {units} units", "units")
    if chosen is not expected:
        text = f"{granted} of {units} units means '{expected.value}'"
        raise RuleViolation("assessment_matches_units", text, "decision")
    if chosen is not Decision.GRANTED and len(reason.strip()) < 5:
        raise RuleViolation("assessment_fields", "give the reason", "reason")
    return chosen
