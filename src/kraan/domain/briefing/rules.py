"""Rules that turn the week's figures into the decisions asked of the consultation.

The note of 21 December 2020 (seed 000) put to the meeting what had changed and
what needed a choice: the IC scale-up from 1,350 to 1,450 beds, transfers to
Germany, staff help. Kraan derives the same kind of list from its data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from kraan.domain.briefing.model import Decision, Source

PHASE_ORDER = ("1A", "1B", "2A", "2B", "2C", "2D", "3")


@dataclass(frozen=True, slots=True)
class Crossing:
    """A capacity line the forecast expects to cross (from the forecast's capacity checks)."""

    target: str  # "ic" | "ward"
    label: str
    beds: float
    median_days: int | None
    upper90_days: int | None
    above_now: bool
    reliable: bool = True
    source: Source | None = None


@dataclass(frozen=True, slots=True)
class StockShortfall:
    item: str
    coverage_months: float
    norm_months: float
    source: Source | None = None


@dataclass(frozen=True, slots=True)
class DecisionInputs:
    phase_now: str
    phase_week_before: str
    crossings: Sequence[Crossing] = ()
    msob_pending: int | None = None
    stock_below_norm: Sequence[StockShortfall] = ()
    module_gaps: Sequence[tuple[str, str]] = ()
    horizon_days: int = 7
    phase_source: Source | None = None
    msob_source: Source | None = None
    extra: dict[str, int] = field(default_factory=dict)


def phase_rank(phase: str) -> int | None:
    return PHASE_ORDER.index(phase) if phase in PHASE_ORDER else None


def decisions(inputs: DecisionInputs) -> list[Decision]:
    """Every rule that fires, most urgent first (high before medium, rule order kept)."""
    out: list[Decision] = []
    now, before = phase_rank(inputs.phase_now), phase_rank(inputs.phase_week_before)
    if now is not None and before is not None and now != before:
        out.append(
            Decision(
                "phase_change",
                "high" if now > before else "medium",
                {"before": inputs.phase_week_before, "after": inputs.phase_now},
                inputs.phase_source,
            )
        )
    for c in inputs.crossings:
        if not c.reliable:
            continue  # no warning from a forecast that says it is not reliable
        if c.above_now:
            out.append(
                Decision("above_capacity", "high", _crossing(c, None), c.source)
            )
        elif c.median_days is not None and c.median_days <= inputs.horizon_days:
            out.append(Decision("crossing", "high", _crossing(c, c.median_days), c.source))
        elif c.upper90_days is not None and c.upper90_days <= inputs.horizon_days:
            out.append(
                Decision("possible_crossing", "medium", _crossing(c, c.upper90_days), c.source)
            )
    if inputs.msob_pending:
        out.append(
            Decision("msob_pending", "high", {"count": inputs.msob_pending}, inputs.msob_source)
        )
    for s in inputs.stock_below_norm:
        out.append(
            Decision(
                "stock_below_norm",
                "medium",
                {
                    "item": s.item,
                    "months": round(s.coverage_months, 1),
                    "norm": round(s.norm_months, 1),
                },
                s.source,
            )
        )
    if inputs.module_gaps:
        regions = sorted({r for r, _ in inputs.module_gaps})
        out.append(
            Decision(
                "module_not_ready",
                "medium",
                {"regions": len(regions), "gaps": len(inputs.module_gaps),
                 "region_codes": ", ".join(regions)},
            )
        )  # fmt: skip
    return sorted(out, key=lambda d: d.severity != "high")


def _crossing(c: Crossing, days: int | None) -> dict[str, str | int | float | None]:
    return {"target": c.target, "label": c.label, "beds": round(c.beds), "days": days}


def next_meeting(
    as_of: datetime, *, weekday: int, hour: int, minute: int, zone: str
) -> datetime:
    """The first weekly consultation strictly after ``as_of`` (naive UTC in, naive UTC out).

    Seed 000: the consultation met on Mondays at 16:00 (21 and 28 December 2020).
    """
    tz = ZoneInfo(zone)
    local = as_of.replace(tzinfo=ZoneInfo("UTC")).astimezone(tz)
    day = local.date()
    for offset in range(0, 8):
        candidate_day = day + timedelta(days=offset)
        if candidate_day.weekday() != weekday:
            continue
        candidate = datetime(
            candidate_day.year, candidate_day.month, candidate_day.day, hour, minute, tzinfo=tz
        )
        if candidate > local:
            return candidate.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    raise AssertionError("a weekday recurs within 8 days")
