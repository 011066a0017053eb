"""The staff-help ladder as plain values: every rung, every named rule."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from kraan.domain.requests.ladder import (
    Answer,
    Deployment,
    Event,
    HelpRequest,
    Rung,
    State,
    Step,
    apply,
    check_deployment,
    create,
    is_stale,
    replay,
)
from kraan.domain.requests.rules import RuleViolation, StepConflict

T0 = datetime(2020, 12, 27, 9, 0)
STALE = timedelta(hours=72)
DATA = {
    "location_code": "UMCU",
    "region_code": "NAZMN",
    "safety_region_code": "VR09",
    "workers": {"ic_nurse": 4, "care_assistant": 6},
    "period_start": date(2020, 12, 28),
    "period_end": date(2021, 1, 10),
    "shifts": "day, evening, night",
    "reason": "IC and clinical COVID concentration; absence 14 %",
    "measures": "planned care scaled down; staff moved from the OR",
}


def _step(item: HelpRequest, step: Step, hours: float, actor: str = "x", **data: object):
    return apply(item, Event(step, T0 + timedelta(hours=hours), actor, data), stale_after=STALE)


def _new() -> HelpRequest:
    return create(DATA, at=T0, actor="reporter-umcu")


def _to_msob(item: HelpRequest) -> HelpRequest:
    item = _step(item, Step.ANSWER, 1, answer="partly", asked=["other_providers"],
                 provided={"care_assistant": 2})  # fmt: skip
    item = _step(item, Step.ESCALATE, 2)
    item = _step(item, Step.ANSWER, 3, answer="cannot_fill", asked=["red_cross", "zorgreserve"])
    return _step(item, Step.ESCALATE, 4)


def test_the_whole_ladder_up_to_a_joint_msob_decision() -> None:
    item = _to_msob(_new())
    assert (item.rung, item.state) == (Rung.MSOB, State.ASKED)
    item = _step(item, Step.SIGN, 5, actor="chair-vr09")
    item = _step(item, Step.INTAKE, 6, actor="lotc")
    item = _step(item, Step.FACT_FINDING, 30, actor="defence", note="crisis team and hygiene ok")
    item = _step(item, Step.VOTE, 31, party="defence", approve=True,
                 granted={"ic_nurse": 3, "care_assistant": 4})  # fmt: skip
    item = _step(item, Step.VOTE, 31, party="vws", approve=True,
                 granted={"ic_nurse": 4, "care_assistant": 4})  # fmt: skip
    assert item.state is State.FACT_FINDING
    item = _step(item, Step.VOTE, 32, party="ggd_ghor_locc", approve=True,
                 granted={"ic_nurse": 4, "care_assistant": 4})  # fmt: skip
    assert item.state is State.ANSWERED
    final = item.last_answer
    assert final is not None and final.rung is Rung.MSOB and final.answer is Answer.PARTLY
    assert dict(final.provided) == {"ic_nurse": 3, "care_assistant": 4}  # the least granted
    assert _step(item, Step.CLOSE, 33).state is State.CLOSED
    # the same events replay to the same request
    assert replay(list(item.events), stale_after=STALE) == item


def test_a_refusal_by_one_party_means_cannot_fill() -> None:
    item = _to_msob(_new())
    for n, step in enumerate((Step.SIGN, Step.INTAKE)):
        item = _step(item, step, 5 + n)
    item = _step(item, Step.FACT_FINDING, 8, note="regional options not exhausted")
    item = _step(item, Step.VOTE, 9, party="defence", approve=False)
    item = _step(item, Step.VOTE, 9, party="vws", approve=True, granted={"ic_nurse": 1})
    item = _step(item, Step.VOTE, 9, party="ggd_ghor_locc", approve=True, granted={"ic_nurse": 1})
    assert item.last_answer is not None and item.last_answer.answer is Answer.CANNOT_FILL


def _rule(call, rule: str) -> RuleViolation:  # type: ignore[no-untyped-def]
    with pytest.raises(RuleViolation) as caught:
        call()
    assert caught.value.rule == rule, caught.value
    return caught.value


def test_escalating_needs_cannot_fill_or_partly_from_the_rung_below() -> None:
    item = _new()
    _rule(lambda: _step(item, Step.ESCALATE, 1), "escalate_only_after_cannot_fill_or_partly")
    filled = _step(item, Step.ANSWER, 1, answer="filled", asked=["roaz"],
                   provided={"ic_nurse": 4, "care_assistant": 6})  # fmt: skip
    _rule(lambda: _step(filled, Step.ESCALATE, 2), "escalate_only_after_cannot_fill_or_partly")


def test_an_answer_must_match_its_numbers_and_name_who_was_asked() -> None:
    item = _new()
    _rule(lambda: _step(item, Step.ANSWER, 1, answer="filled", asked=["roaz"],
                        provided={"ic_nurse": 1}), "answer_matches_numbers")  # fmt: skip
    error = _rule(lambda: _step(item, Step.ANSWER, 1, answer="cannot_fill", asked=[]),
                  "request_fields")  # fmt: skip
    assert error.problems[0][0] == "asked"
    _rule(lambda: _step(item, Step.ANSWER, 1, answer="partly", asked=["roaz"],
                        provided={"ic_nurse": 9}), "request_fields")  # fmt: skip


def test_answering_twice_is_a_conflict_not_a_rule() -> None:
    item = _step(_new(), Step.ANSWER, 1, answer="cannot_fill", asked=["roaz"])
    with pytest.raises(StepConflict):
        _step(item, Step.ANSWER, 2, answer="cannot_fill", asked=["roaz"])


def test_msob_needs_zorgreserve_signature_intake_and_fact_finding_in_order() -> None:
    item = _step(_new(), Step.ANSWER, 1, answer="cannot_fill", asked=["roaz"])
    item = _step(item, Step.ESCALATE, 2)
    no_reserve = _step(item, Step.ANSWER, 3, answer="cannot_fill", asked=["red_cross"])
    _rule(lambda: _step(no_reserve, Step.ESCALATE, 4), "msob_needs_zorgreserve")
    msob = _to_msob(_new())
    _rule(lambda: _step(msob, Step.INTAKE, 5), "msob_needs_signature")
    _rule(lambda: _step(msob, Step.ANSWER, 5, answer="cannot_fill", asked=["defence"]),
          "msob_joint_decision")  # fmt: skip
    signed = _step(msob, Step.SIGN, 5)
    _rule(lambda: _step(signed, Step.FACT_FINDING, 6, note="long enough report"),
          "msob_needs_intake")  # fmt: skip
    taken = _step(signed, Step.INTAKE, 6)
    _rule(lambda: _step(taken, Step.VOTE, 7, party="vws", approve=True), "msob_needs_fact_finding")
    with pytest.raises(StepConflict):
        _step(taken, Step.SIGN, 7)


def test_a_stale_request_is_reconfirmed_before_it_escalates() -> None:
    item = _step(_new(), Step.ANSWER, 1, answer="cannot_fill", asked=["roaz"])
    assert not is_stale(item, as_of=T0 + timedelta(hours=73), stale_after=STALE)
    assert is_stale(item, as_of=T0 + timedelta(hours=74), stale_after=STALE)
    _rule(lambda: _step(item, Step.ESCALATE, 80), "stale_must_reconfirm")
    again = _step(item, Step.RECONFIRM, 80, workers={"ic_nurse": 3})
    assert dict(again.workers) == {"ic_nurse": 3}
    assert _step(again, Step.ESCALATE, 81).rung is Rung.NATIONAL


def test_creation_names_every_bad_field() -> None:
    bad = {**DATA, "workers": {"pilot": 2}, "period_end": date(2020, 12, 1), "reason": "short"}
    error = _rule(lambda: create(bad, at=T0, actor="r"), "request_fields")
    assert {f for f, _ in error.problems} == {"workers.pilot", "period_end", "reason"}


def test_deployments_never_exceed_the_request_nor_double_count_medical_staff() -> None:
    item = _new()
    t1, t2 = T0, T0 + timedelta(days=5)
    nurse = Deployment("ic_nurse", 1, "BIG-123", "defence", t1, t2)
    check_deployment(item, nurse, deployed=[], elsewhere=[])
    _rule(lambda: check_deployment(item, nurse, deployed=[], elsewhere=[nurse]),
          "medical_deployed_once")  # fmt: skip
    later = Deployment("ic_nurse", 1, "BIG-123", "defence", t2, t2 + timedelta(days=2))
    check_deployment(item, later, deployed=[], elsewhere=[nurse])  # after the first: fine
    _rule(lambda: check_deployment(item, Deployment("ic_nurse", 2, "", "x", t1, t2),
                                   deployed=[], elsewhere=[]), "medical_deployed_once")  # fmt: skip
    helpers = Deployment("care_assistant", 5, "", "red_cross", t1, t2)
    check_deployment(item, helpers, deployed=[], elsewhere=[])
    _rule(lambda: check_deployment(item, helpers, deployed=[helpers], elsewhere=[]),
          "deployment_above_request")  # fmt: skip
