"""Chain reports in the store on SQLite and PostgreSQL: versions and as_of replay."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kraan.domain.requests.rules import RuleViolation
from kraan.domain.validation import ValidationRules
from kraan.services.chain import chain_picture
from kraan.store.chain_reports import reports_as_of, save_chain_report
from tests.conftest import T0

RULES = ValidationRules()
REPORT = {
    "reporter_code": "H1", "region_code": "R1", "kind": "district_nursing",
    "reported_at": T0.isoformat(), "status": "under_pressure", "reason": "absence 15 %",
}  # fmt: skip


def test_a_correction_is_a_new_version_and_the_past_replays(seeded_engine) -> None:  # type: ignore[no-untyped-def]
    engine, hour = seeded_engine, timedelta(hours=1)
    with engine.begin() as conn:
        assert save_chain_report(conn, data=dict(REPORT), rules=RULES, actor="r",
                                 now=T0 + hour) == (1, 1)  # fmt: skip
        _, version = save_chain_report(conn, data={**REPORT, "status": "no_new_patients"},
                                       rules=RULES, actor="r", now=T0 + 3 * hour)  # fmt: skip
    assert version == 2
    with pytest.raises(RuleViolation), engine.begin() as conn:
        save_chain_report(conn, data={**REPORT, "status": "busy"}, rules=RULES, actor="r",
                          now=T0 + 4 * hour)  # fmt: skip
    with engine.connect() as conn:
        before = reports_as_of(conn, as_of=T0 + 2 * hour)
        after = chain_picture(conn, as_of=T0 + 5 * hour)
        nothing = reports_as_of(conn, as_of=T0 + timedelta(days=8))
    assert [r.status.value for r in before if r.status] == ["under_pressure"]
    assert after["regions"]["R1"]["district_nursing"]["no_new_patients"] == 1
    assert after["national"]["district_nursing"]["reporters"] == 1
    assert nothing == []  # older than the 7-day window
