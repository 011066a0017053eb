"""Signals, ELV orders and the stockpiles as plain values."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from kraan.domain.requests import elv, signals, stock
from kraan.domain.requests.rules import RuleViolation, StepConflict

T0 = datetime(2020, 12, 21, 10, 0)
SIGNAL = {"region_code": "NAZMN", "location_code": "VVT-1", "sector": "elv",
          "blocked": "no ELV bed free in the region for 2 days", "since": "2020-12-19"}  # fmt: skip
NORM = stock.CcvNorm(5, 3, 1350, 30.4)


def _sig(item: signals.Signal, step: str, hours: int, **data: object) -> signals.Signal:
    event = signals.SignalEvent(signals.SignalStep(step), T0 + timedelta(hours=hours), "x", data)
    return signals.apply(item, event)


def _rule(call, rule: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuleViolation) as caught:
        call()
    assert caught.value.rule == rule


def test_a_signal_goes_from_filed_to_closed_through_the_umbrella_body() -> None:
    item = signals.file(SIGNAL, at=T0, actor="rep")
    _rule(lambda: _sig(item, "classify", 1, classification="general"),
          "classify_after_escalation")  # fmt: skip
    item = _sig(item, "escalate", 1, umbrella="actiz")
    item = _sig(item, "classify", 2, classification="general", needs_action=True)
    _rule(lambda: _sig(item, "close", 3), "action_before_close")
    item = _sig(item, "act", 3, action="ActiZ asks ZN to fund 20 extra standby beds")
    item = _sig(item, "close", 4, note="beds opened")
    assert item.state is signals.SignalState.CLOSED
    assert signals.replay(list(item.events)) == item
    with pytest.raises(StepConflict):
        _sig(item, "close", 5)
    _rule(lambda: signals.file({**SIGNAL, "sector": "bakery"}, at=T0, actor="r"), "signal_fields")


def test_an_elv_order_is_overdue_after_72_hours_for_the_beds_not_up() -> None:
    order = elv.new_order("NAZMN", 20, at=T0, scale_up=timedelta(hours=72))
    up = [elv.BedsUp("VVT-1", 12, T0 + timedelta(hours=30))]
    assert elv.status(order, up, as_of=T0 + timedelta(hours=40)).overdue == 0
    late = elv.status(order, up, as_of=T0 + timedelta(hours=73))
    assert (late.ordered, late.available, late.overdue, late.due_in_hours) == (20, 12, 8, None)
    _rule(lambda: elv.check_report(order, up, elv.BedsUp("VVT-2", 9, T0)),
          "elv_beds_above_order")  # fmt: skip


def test_medicine_coverage_and_the_five_plus_three_months_norm() -> None:
    med = stock.Medicine("propofol", "Propofol", "vial", 30_000, 1_000, 2.0)
    # a peak month: 1,000 regular + 2 vials x 1,350 patients x 30.4 days
    assert stock.peak_month_use(med, NORM) == pytest.approx(1_000 + 2 * 1350 * 30.4)
    assert stock.norm_stock(med, NORM) == pytest.approx(5 * 1_000 + 3 * (1_000 + 82_080))
    quiet = stock.coverage_months(med, [0.0], NORM)
    assert quiet == pytest.approx(30.0, abs=0.05)  # regular use only: 30 months
    busy = stock.coverage_months(med, [600.0] * 30, NORM)
    assert busy < 1.0  # 1,233 vials a day at 600 COVID IC patients
    stock.check_medicine({"code": "x", "name": "x", "unit": "ml", "stock": 0,
                          "regular_per_month": 1, "per_ic_patient_day": 0})  # fmt: skip
    _rule(lambda: stock.check_medicine({"code": "x", "name": "x", "unit": "ml", "stock": -1,
                                        "regular_per_month": 1, "per_ic_patient_day": 0}),
          "stock_non_negative")  # fmt: skip


def test_a_ventilator_assessment_matches_its_numbers_and_gives_reasons() -> None:
    assert stock.check_assessment(4, "granted", 4, "") is stock.Decision.GRANTED
    assert stock.check_assessment(4, "partly", 2, "stock is low") is stock.Decision.PARTLY
    _rule(lambda: stock.check_assessment(4, "granted", 2, ""), "assessment_matches_units")
    _rule(lambda: stock.check_assessment(4, "refused", 0, ""), "assessment_fields")
    assert date(2020, 12, 21) == T0.date()
