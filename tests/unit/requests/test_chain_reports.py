"""Reports of the chain outside the hospital as plain values: checks and the picture."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from kraan.domain.requests.chain_reports import (
    ChainKind,
    Pressure,
    check_report,
    latest,
    national,
    picture,
)
from kraan.domain.requests.rules import RuleViolation
from kraan.domain.validation import ValidationRules

NOW = datetime(2020, 12, 28, 12, 0)
RULES = ValidationRules()
GRZ = {"reporter_code": "V-VR09", "region_code": "NAZMN", "kind": "grz",
       "reported_at": "2020-12-28T08:00:00", "beds": 40, "occupied": 38, "covid": 9}  # fmt: skip
GP = {"reporter_code": "HAP-U", "region_code": "NAZMN", "kind": "gp_post",
      "reported_at": "2020-12-28T08:00:00", "status": "no_new_patients",
      "reason": "two doctors ill", "staff_absence_pct": 18}  # fmt: skip


def _fields(data: dict, correction: bool = False) -> set[str]:  # type: ignore[type-arg]
    with pytest.raises(RuleViolation) as caught:
        check_report(data, now=NOW, rules=RULES, is_correction=correction)
    assert caught.value.rule == "chain_report_fields"
    return {f for f, _ in caught.value.problems}


def test_bed_and_pressure_reports_are_checked_field_by_field() -> None:
    grz = check_report(GRZ, now=NOW, rules=RULES, is_correction=False)
    assert (grz.kind, grz.beds, grz.occupied, grz.covid) == (ChainKind.GRZ, 40, 38, 9)
    gp = check_report(GP, now=NOW, rules=RULES, is_correction=False)
    assert gp.status is Pressure.NO_NEW_PATIENTS and gp.staff_absence_pct == 18
    assert _fields({**GRZ, "covid": 39, "beds": -1}) == {"covid", "beds"}
    assert _fields({**GRZ, "status": "normal"}) == {"status"}
    assert _fields({**GP, "reason": "", "beds": 3}) == {"reason", "beds"}
    assert _fields({**GP, "reported_at": "2020-12-29T08:00:00"}) == {"reported_at"}
    old = {**GP, "reported_at": (NOW - timedelta(days=20)).isoformat()}
    check_report(old, now=NOW, rules=RULES, is_correction=False)  # a late first report: fine
    assert _fields(old, correction=True) == {"reported_at"}  # a late correction: not


def test_the_picture_takes_the_newest_report_per_reporter() -> None:
    first = check_report(GRZ, now=NOW, rules=RULES, is_correction=False)
    later = check_report({**GRZ, "reported_at": "2020-12-28T10:00:00", "occupied": 40,
                          "covid": 10}, now=NOW, rules=RULES, is_correction=False)  # fmt: skip
    gp = check_report(GP, now=NOW, rules=RULES, is_correction=False)
    regions = picture(latest([later, first, gp]))
    assert regions["NAZMN"]["grz"] == {"reporters": 1, "beds": 40, "occupied": 40, "covid": 10,
                                       "occupancy": 1.0}  # fmt: skip
    assert regions["NAZMN"]["gp_post"]["no_new_patients"] == 1
    assert national(regions)["grz"]["occupancy"] == 1.0
