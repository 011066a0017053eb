"""Module readiness: what may be recorded, and which gaps the phase flags."""

from __future__ import annotations

import pytest

from kraan.domain.briefing.readiness import (
    READINESS_MODULES,
    ModuleState,
    ReadinessError,
    check_record,
    mandatory_gaps,
    matrix,
)


def test_known_modules_and_states_only() -> None:
    assert check_record("4A", "ready") is ModuleState.READY
    with pytest.raises(ReadinessError) as unknown_module:
        check_record("N3", "ready")  # national modules are not regional readiness
    assert unknown_module.value.field == "module"
    with pytest.raises(ReadinessError) as bad_state:
        check_record("1", "done")
    assert bad_state.value.field == "state"
    with pytest.raises(ReadinessError):
        check_record("1", "unknown")


def test_matrix_fills_unknown() -> None:
    states = matrix(["R1", "R2"], {("R1", "5"): ModuleState.ACTIVE})
    assert states["R1"]["5"] is ModuleState.ACTIVE
    assert states["R2"]["5"] is ModuleState.UNKNOWN
    assert list(states["R1"]) == list(READINESS_MODULES)


def test_gaps_are_mandatory_modules_not_ready_or_active() -> None:
    states = matrix(
        ["R1", "R2"],
        {
            ("R1", "4A"): ModuleState.READY,
            ("R1", "5"): ModuleState.ACTIVE,
            ("R2", "4A"): ModuleState.IN_PREPARATION,
        },
    )
    gaps = mandatory_gaps(states, {"N3", "4A", "5"})  # N3 is national: never a regional gap
    assert gaps == [("R2", "4A"), ("R2", "5")]
    assert mandatory_gaps(states, set()) == []
