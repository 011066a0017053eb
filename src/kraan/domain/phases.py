"""Regional status and the national LNAZ phase (domain.md, "LNAZ scale-up phases").

Thresholds are data (``phase_criteria.json``, versioned); classification is a
pure function that returns an Enum, UNKNOWN included, together with the
explanation of which indicator crossed which threshold. Hysteresis: a region
steps down only when every indicator has fallen a margin below the threshold of
its current status, so a status does not flap around a threshold.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from kraan.domain.indicators import format_indicator
from kraan.domain.requests.chain_reports import BED_KINDS, ChainKind


class RegionStatus(StrEnum):
    UNKNOWN = "unknown"
    NORMAL = "normal"
    UNDER_PRESSURE = "under_pressure"
    NO_CRITICAL_PLANNED = "no_critical_planned"  # cannot guarantee critical planned care
    NO_ACUTE = "no_acute"  # cannot guarantee (semi-)acute care

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_RANK = {
    RegionStatus.UNKNOWN: -1,
    RegionStatus.NORMAL: 0,
    RegionStatus.UNDER_PRESSURE: 1,
    RegionStatus.NO_CRITICAL_PLANNED: 2,
    RegionStatus.NO_ACUTE: 3,
}
_STATUS_LABELS = {
    RegionStatus.UNKNOWN: "unknown",
    RegionStatus.NORMAL: "normal",
    RegionStatus.UNDER_PRESSURE: "under pressure",
    RegionStatus.NO_CRITICAL_PLANNED: "cannot guarantee critical planned care",
    RegionStatus.NO_ACUTE: "cannot guarantee (semi-)acute care",
}
_ESCALATING = (
    RegionStatus.UNDER_PRESSURE,
    RegionStatus.NO_CRITICAL_PLANNED,
    RegionStatus.NO_ACUTE,
)


class Phase(StrEnum):
    P1A = "1A"
    P1B = "1B"
    P2A = "2A"
    P2B = "2B"
    P2C = "2C"
    P2D = "2D"
    P3 = "3"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Indicator:
    name: str
    label: str
    thresholds: Mapping[RegionStatus, float]
    source: str
    min_level: float = 0.0


@dataclass(frozen=True, slots=True)
class PhaseCriteria:
    version: str
    hysteresis: float
    indicators: tuple[Indicator, ...]
    several_regions: int = 2
    nearly_all_share: float = 0.8

    @property
    def growth_min_level(self) -> float:
        """Below this many COVID IC patients a week before, growth is not judged."""
        return next(
            (i.min_level for i in self.indicators if i.name == "ic_covid_growth_7d"), 10.0
        )


def parse_criteria(raw: Mapping[str, Any]) -> PhaseCriteria:
    """Build criteria from their JSON form; raises ValueError naming the bad key."""
    try:
        indicators = tuple(
            Indicator(
                name=name,
                label=spec["label"],
                thresholds={RegionStatus(k): float(v) for k, v in spec["thresholds"].items()},
                source=spec.get("source", ""),
                min_level=float(spec.get("min_level", 0.0)),
            )
            for name, spec in raw["indicators"].items()
        )
        national = raw.get("national", {})
        return PhaseCriteria(
            version=str(raw["version"]),
            hysteresis=float(raw.get("hysteresis", 0.0)),
            indicators=indicators,
            several_regions=int(national.get("several_regions", 2)),
            nearly_all_share=float(national.get("nearly_all_share", 0.8)),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"phase criteria: bad or missing entry {error!s}") from error


def load_criteria_text(text: str) -> PhaseCriteria:
    return parse_criteria(json.loads(text))


def load_criteria(path: Path) -> PhaseCriteria:
    return load_criteria_text(path.read_text(encoding="utf-8"))


@dataclass(frozen=True, slots=True)
class Finding:
    """One indicator that crossed one threshold."""

    indicator: str
    label: str
    value: float
    threshold: float
    status: RegionStatus

    def sentence(self) -> str:
        return (
            f"{self.label} is {_fmt(self.value)}, at or above {_fmt(self.threshold)} "
            f"({self.status.label})"
        )


def _fmt(value: float) -> str:
    return format_indicator(value)


@dataclass(frozen=True, slots=True)
class StatusResult:
    status: RegionStatus
    findings: tuple[Finding, ...]
    indicators: Mapping[str, float | None]
    held_by_hysteresis: bool = False
    criteria_version: str = ""
    explanation: tuple[str, ...] = field(default=())


def classify_region(
    indicators: Mapping[str, float | None],
    criteria: PhaseCriteria,
    previous: RegionStatus = RegionStatus.NORMAL,
) -> StatusResult:
    """Status from indicator values; ``previous`` gives hysteresis on the way down."""
    known = {k: v for k, v in indicators.items() if v is not None}
    if not any(ind.name in known for ind in criteria.indicators):
        return StatusResult(
            RegionStatus.UNKNOWN,
            (),
            dict(indicators),
            criteria_version=criteria.version,
            explanation=("no reports: status unknown",),
        )
    findings: list[Finding] = []
    raw_status = RegionStatus.NORMAL
    for indicator in criteria.indicators:
        value = known.get(indicator.name)
        if value is None:
            continue
        for status in reversed(_ESCALATING):
            threshold = indicator.thresholds.get(status)
            if threshold is not None and value >= threshold:
                findings.append(Finding(indicator.name, indicator.label, value, threshold, status))
                if status.rank > raw_status.rank:
                    raw_status = status
                break
    status = raw_status
    held = False
    if previous.rank > raw_status.rank and previous in _ESCALATING:
        # step down only when every indicator is below (threshold - margin) of the current status
        for indicator in criteria.indicators:
            value = known.get(indicator.name)
            threshold = indicator.thresholds.get(previous)
            if value is None or threshold is None:
                continue
            margin = criteria.hysteresis * (threshold if threshold > 2 else 1)
            if value >= threshold - margin:
                status, held = previous, True
                break
    explanation = [f.sentence() for f in findings] or ["no indicator crossed a threshold"]
    if held:
        explanation.append(
            f"held at '{previous.label}' by hysteresis: not yet {criteria.hysteresis:g} below "
            "its threshold"
        )
    return StatusResult(
        status,
        tuple(findings),
        dict(indicators),
        held_by_hysteresis=held,
        criteria_version=criteria.version,
        explanation=tuple(explanation),
    )


def classify_history(
    history: Sequence[Mapping[str, float | None]], criteria: PhaseCriteria
) -> list[StatusResult]:
    """Classify a run of days in order, each day's previous status feeding the next."""
    results: list[StatusResult] = []
    previous = RegionStatus.NORMAL
    for indicators in history:
        result = classify_region(indicators, criteria, previous)
        results.append(result)
        if result.status is not RegionStatus.UNKNOWN:
            previous = result.status
    return results


@dataclass(frozen=True, slots=True)
class PhaseResult:
    phase: Phase
    explanation: str
    counts: Mapping[RegionStatus, int]
    #: the chain outside the hospital at the same moment: context, never a criterion
    context: tuple[ChainContext, ...] = ()


def national_phase(
    statuses: Mapping[str, RegionStatus],
    criteria: PhaseCriteria,
    *,
    locations_at_risk: int = 0,
) -> PhaseResult:
    """LNAZ phase from the regional statuses, by the definitions in domain.md."""
    known = [s for s in statuses.values() if s is not RegionStatus.UNKNOWN]
    counts = {s: sum(1 for v in statuses.values() if v is s) for s in RegionStatus}
    if not known:
        return PhaseResult(Phase.UNKNOWN, "no region has a known status", counts)
    total = len(known)
    pressured = sum(1 for s in known if s.rank >= RegionStatus.UNDER_PRESSURE.rank)
    no_planned = sum(1 for s in known if s.rank >= RegionStatus.NO_CRITICAL_PLANNED.rank)
    no_acute = sum(1 for s in known if s is RegionStatus.NO_ACUTE)
    several = criteria.several_regions
    if no_acute >= max(several, criteria.nearly_all_share * total):
        phase, why = Phase.P3, f"{no_acute} of {total} regions cannot guarantee (semi-)acute care"
    elif no_planned >= several and no_acute >= 1:
        phase, why = (
            Phase.P2D,
            f"{no_planned} regions cannot guarantee critical planned care, "
            f"{no_acute} of them not (semi-)acute care either",
        )
    elif pressured == total:
        phase, why = Phase.P2C, f"all {total} regions are under pressure"
    elif pressured >= several:
        phase, why = Phase.P2B, f"{pressured} of {total} regions are under pressure"
    elif pressured == 1:
        phase, why = Phase.P2A, "one region is under pressure"
    elif locations_at_risk > 0:
        phase, why = (
            Phase.P1B,
            f"{locations_at_risk} locations report continuity at risk; no region under pressure",
        )
    else:
        phase, why = Phase.P1A, "no region under pressure and no location reports continuity risk"
    if total < len(statuses):
        why += f" ({len(statuses) - total} regions unknown)"
    return PhaseResult(phase, why, counts)


# ---- the chain outside the hospital: context of the phase, not a criterion ------------------

#: English names of the chain's parts, as the explanation cites them (the pages translate).
CHAIN_NAMES = {
    "elv_vvt": "VVT/ELV", ChainKind.GRZ.value: "GRZ", ChainKind.CARE_HOTEL.value: "care-hotel",
    ChainKind.DISTRICT_NURSING.value: "district-nursing teams",
    ChainKind.GP_PRACTICE.value: "GP practices", ChainKind.GP_POST.value: "GP posts",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ChainContext:
    """One part of the chain at ``as_of``: bed occupancy, or reporters per pressure status.

    The LNAZ phase is defined on hospital statuses alone (phase_criteria.json); the
    briefing note (seed 000 §2b) and the Ketenmonitor read it next to the pressure
    outside the hospital, so the explanation cites that pressure, without weighing it.
    """

    kind: str  # "elv_vvt" (the monitor's ELV/VVT beds) or a ChainKind value
    occupancy: float | None = None  # bed kinds
    reporters: int = 0  # pressure kinds: how many reported
    under_pressure: int = 0
    no_new_patients: int = 0

    @property
    def text(self) -> str:
        name = CHAIN_NAMES.get(self.kind, self.kind)
        if self.occupancy is not None:
            return f"{name} occupancy {self.occupancy:.0%}"
        return (
            f"{self.no_new_patients} of {self.reporters} {name} cannot take new patients, "
            f"{self.under_pressure} under pressure"
        )


def chain_context(
    elv_vvt_occupancy: float | None, chain: Mapping[str, Mapping[str, Any]]
) -> tuple[ChainContext, ...]:
    """What the explanation cites of the chain: the occupancy of each bed kind with beds,
    and each pressure kind's counts where somebody reported (``chain``: kind -> the
    national row of :func:`kraan.domain.requests.chain_reports.picture`)."""
    out = [] if elv_vvt_occupancy is None else [ChainContext("elv_vvt", elv_vvt_occupancy)]
    for kind in ChainKind:
        row = chain.get(kind.value) or {}
        if kind in BED_KINDS:
            if row.get("occupancy") is not None:
                out.append(ChainContext(kind.value, float(row["occupancy"])))
        elif row.get("reporters"):
            out.append(ChainContext(
                kind.value, reporters=int(row["reporters"]),
                under_pressure=int(row.get("under_pressure", 0)),
                no_new_patients=int(row.get("no_new_patients", 0)),
            ))  # fmt: skip
    return tuple(out)


def with_context(result: PhaseResult, context: Sequence[ChainContext]) -> PhaseResult:
    """The same phase and explanation, with the chain's context attached."""
    return PhaseResult(result.phase, result.explanation, result.counts, tuple(context))
