import json

import pytest

from kraan.domain.phases import (
    Phase,
    RegionStatus,
    classify_history,
    classify_region,
    load_criteria,
    load_criteria_text,
    national_phase,
)
from kraan.domain.playbook import load_playbook_text
from kraan.settings import PACKAGE_DATA

CRITERIA = load_criteria(PACKAGE_DATA / "phase_criteria.json")
S = RegionStatus


def test_every_defaults_file_loads() -> None:
    assert CRITERIA.version
    books = load_playbook_text((PACKAGE_DATA / "playbook.json").read_text())
    assert set(books) == {p.value for p in Phase if p is not Phase.UNKNOWN}


def test_bad_criteria_name_the_problem() -> None:
    with pytest.raises(ValueError, match="indicators"):
        load_criteria_text(json.dumps({"version": "x"}))


def test_thresholds_and_explanation() -> None:
    result = classify_region({"ic_occupancy": 0.98, "ic_covid_share": 0.1}, CRITERIA)
    assert result.status is S.NO_CRITICAL_PLANNED
    assert any("IC occupancy" in line and "97%" in line for line in result.explanation)
    assert classify_region({"ic_occupancy": 0.5}, CRITERIA).status is S.NORMAL
    assert classify_region({}, CRITERIA).status is S.UNKNOWN


def test_hysteresis_holds_a_status_near_its_threshold() -> None:
    under = {"ic_occupancy": 0.91}
    near = {"ic_occupancy": 0.88}  # below 0.90 but within the 0.05 margin
    clear = {"ic_occupancy": 0.80}
    results = classify_history([under, near, clear], CRITERIA)
    assert [r.status for r in results] == [S.UNDER_PRESSURE, S.UNDER_PRESSURE, S.NORMAL]
    assert results[1].held_by_hysteresis
    # without history the same value is simply normal
    assert classify_region(near, CRITERIA).status is S.NORMAL


@pytest.mark.parametrize(
    ("statuses", "phase"),
    [
        ([S.NORMAL] * 11, Phase.P1A),
        ([S.UNDER_PRESSURE] + [S.NORMAL] * 10, Phase.P2A),
        ([S.UNDER_PRESSURE] * 3 + [S.NORMAL] * 8, Phase.P2B),
        ([S.UNDER_PRESSURE] * 11, Phase.P2C),
        ([S.NO_CRITICAL_PLANNED, S.NO_ACUTE] + [S.UNDER_PRESSURE] * 9, Phase.P2D),
        ([S.NO_ACUTE] * 9 + [S.UNDER_PRESSURE] * 2, Phase.P3),
        ([S.UNKNOWN] * 11, Phase.UNKNOWN),
    ],
)
def test_national_phase_follows_the_regions(statuses: list[S], phase: Phase) -> None:
    result = national_phase({f"R{i}": s for i, s in enumerate(statuses)}, CRITERIA)
    assert result.phase is phase


def test_phase_1b_when_locations_report_risk() -> None:
    statuses = {f"R{i}": S.NORMAL for i in range(11)}
    assert national_phase(statuses, CRITERIA, locations_at_risk=2).phase is Phase.P1B


def test_the_chain_is_cited_as_context_and_never_changes_the_phase() -> None:
    from kraan.domain.phases import chain_context, with_context
    from kraan.domain.requests.chain_reports import complete

    chain = complete({
        "grz": {"reporters": 2, "beds": 80, "occupied": 72, "covid": 9, "occupancy": 0.9},
        "gp_post": {"reporters": 11, "normal": 4, "under_pressure": 4, "no_new_patients": 3},
    })  # fmt: skip
    context = chain_context(0.874, chain)
    assert [c.text for c in context] == [
        "VVT/ELV occupancy 87%",
        "GRZ occupancy 90%",
        "3 of 11 GP posts cannot take new patients, 4 under pressure",
    ]  # care hotels (no beds) and unreported pressure kinds are left out
    assert chain_context(None, complete({})) == ()
    result = national_phase({"A": RegionStatus.UNDER_PRESSURE, "B": RegionStatus.NORMAL},
                            CRITERIA)  # fmt: skip
    cited = with_context(result, context)
    assert (cited.phase, cited.explanation, cited.counts) == (
        result.phase, result.explanation, result.counts)
    assert cited.context == context
