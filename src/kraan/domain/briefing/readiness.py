"""Module readiness per region (expert report, seed 001, ch. 7).

Each week every region shows how ready its modules are: not started, in
preparation, ready, or active. A module that the national phase makes mandatory
(playbook, seed 001 summary figure: from 2C the regional modules 4A..A are
mandatory) but that a region has not made ready is flagged in the briefing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

#: the modules a region reports on (seed 001, ch. 7; national modules N1..N4 excluded)
READINESS_MODULES: tuple[str, ...] = ("1", "2", "3", "4A", "4B", "5", "6", "7", "8", "A", "B")


class ModuleState(StrEnum):
    NOT_STARTED = "not_started"
    IN_PREPARATION = "in_preparation"
    READY = "ready"
    ACTIVE = "active"
    UNKNOWN = "unknown"  # nothing recorded yet


USABLE = frozenset({ModuleState.READY, ModuleState.ACTIVE})


@dataclass(frozen=True, slots=True)
class ReadinessRecord:
    """One recorded state, as the store keeps it (a new record is a new version)."""

    region_code: str
    module: str
    state: ModuleState
    valid_from: str  # ISO moment (UTC) from which the state holds
    recorded_by: str
    note: str = ""


class ReadinessError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def check_record(module: str, state: str) -> ModuleState:
    """The domain rule for a new record: a known module and a settable state."""
    if module not in READINESS_MODULES:
        known = ", ".join(READINESS_MODULES)
        raise ReadinessError("module", f"unknown module '{module}': use one of {known}")
    try:
        parsed = ModuleState(state)
    except ValueError:
        raise ReadinessError(
            "state", "state must be not_started, in_preparation, ready or active"
        ) from None
    if parsed is ModuleState.UNKNOWN:
        raise ReadinessError("state", "'unknown' is not a state one can record")
    return parsed


def matrix(
    regions: Iterable[str], current: Mapping[tuple[str, str], ModuleState]
) -> dict[str, dict[str, ModuleState]]:
    """Region -> module -> state; what nobody recorded is UNKNOWN."""
    return {
        region: {m: current.get((region, m), ModuleState.UNKNOWN) for m in READINESS_MODULES}
        for region in regions
    }


def mandatory_gaps(
    states: Mapping[str, Mapping[str, ModuleState]], mandatory: Iterable[str]
) -> list[tuple[str, str]]:
    """(region, module) pairs where the phase makes a module mandatory and it is not ready."""
    required = [m for m in READINESS_MODULES if m in set(mandatory)]
    return [
        (region, module)
        for region, row in states.items()
        for module in required
        if row.get(module, ModuleState.UNKNOWN) not in USABLE
    ]
