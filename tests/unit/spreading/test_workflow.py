"""The transfer state machine: allowed moves only, history kept, terminal states final."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kraan.domain.spreading.model import Transfer
from kraan.domain.spreading.workflow import (
    TERMINAL,
    TRANSITIONS,
    InvalidTransition,
    TransferState,
    advance,
    request,
    requests_from_plan,
)

T0 = datetime(2020, 11, 2, 9, 0)
MOVE = Transfer(0, "NAZB", "AZNN", 2)


def test_the_happy_path_and_its_history() -> None:
    item = request("r-1", MOVE, at=T0, actor="rcps-b")
    for n, state in enumerate(("offered", "accepted", "in_transport", "arrived"), start=1):
        item = advance(item, TransferState(state), at=T0 + timedelta(hours=n), actor="lcps")
    assert item.state is TransferState.ARRIVED and not item.is_open
    assert [c.state.value for c in item.history] == [
        "requested", "offered", "accepted", "in_transport", "arrived",
    ]  # fmt: skip


def test_forbidden_moves_raise_and_say_what_is_allowed() -> None:
    item = request("r-1", MOVE, at=T0, actor="rcps-b")
    with pytest.raises(InvalidTransition) as error:
        advance(item, TransferState.ARRIVED, at=T0, actor="x")
    assert error.value.current is TransferState.REQUESTED
    on_road = item
    for state in ("offered", "accepted", "in_transport"):
        on_road = advance(on_road, TransferState(state), at=T0, actor="x")
    with pytest.raises(InvalidTransition):
        advance(on_road, TransferState.CANCELLED, at=T0, actor="x")
    with pytest.raises(ValueError):
        advance(item, TransferState.OFFERED, at=T0 - timedelta(minutes=1), actor="x")


def test_a_declined_offer_goes_back_to_requested_and_cancel_is_final() -> None:
    item = advance(request("r", MOVE, at=T0, actor="a"), TransferState.OFFERED, at=T0, actor="b")
    item = advance(item, TransferState.REQUESTED, at=T0, actor="a", note="declined")
    cancelled = advance(item, TransferState.CANCELLED, at=T0, actor="a")
    assert cancelled.state in TERMINAL
    assert {TransferState.ARRIVED, TransferState.CANCELLED} == TERMINAL


def test_requests_from_plan_have_keys_in_plan_order() -> None:
    made = requests_from_plan((MOVE, Transfer(1, "SZN", "NAZW", 3)), prefix="p7", at=T0, actor="x")
    assert [r.key for r in made] == ["p7-1", "p7-2"]
    assert all(r.state is TransferState.REQUESTED for r in made)


@given(st.lists(st.sampled_from(list(TransferState)), max_size=12))
def test_any_sequence_only_ever_follows_the_table(wanted: list[TransferState]) -> None:
    item = request("r", MOVE, at=T0, actor="a")
    for state in wanted:
        before = item.state
        try:
            item = advance(item, state, at=T0, actor="a")
        except InvalidTransition:
            assert state not in TRANSITIONS[before]
            continue
        assert state in TRANSITIONS[before]
    pairs = zip(item.history, item.history[1:], strict=False)
    assert all(b.state in TRANSITIONS[a.state] for a, b in pairs)


# ---- one step as the store carries it out (workflow.plan_step) ------------------------------


def test_accepting_takes_beds_from_the_named_or_held_offer() -> None:
    from kraan.domain.spreading.workflow import plan_step

    step = plan_step("offered", "accepted", note="", offer_id=7, current_offer=None)
    assert (step.target, step.take_from, step.offer_after) == ("accepted", 7, 7)
    held = plan_step("offered", "accepted", note="", offer_id=None, current_offer=5)
    assert held.take_from == 5 and held.release_to is None


def test_steps_refused_without_what_they_need() -> None:
    from kraan.domain.spreading.workflow import InvalidTransition, StepRefused, plan_step

    with pytest.raises(StepRefused, match="reason"):
        plan_step("requested", "cancelled", note="  ", offer_id=None, current_offer=None)
    with pytest.raises(StepRefused, match="bed offer"):
        plan_step("offered", "accepted", note="", offer_id=None, current_offer=None)
    with pytest.raises(InvalidTransition):
        plan_step("arrived", "cancelled", note="too late", offer_id=None, current_offer=None)
    with pytest.raises(ValueError):
        plan_step("requested", "teleported", note="", offer_id=None, current_offer=None)


def test_leaving_accepted_gives_the_beds_back_and_declining_forgets_the_offer() -> None:
    from kraan.domain.spreading.workflow import plan_step

    cancel = plan_step("accepted", "cancelled", note="patient died", offer_id=None, current_offer=3)
    assert (cancel.release_to, cancel.reason, cancel.offer_after) == (3, "patient died", 3)
    decline = plan_step("offered", "requested", note="", offer_id=None, current_offer=3)
    assert decline.release_to is None and decline.offer_after is None and decline.reason is None
    offered = plan_step("requested", "offered", note="", offer_id=9, current_offer=None)
    assert (offered.check_offer, offered.offer_after, offered.take_from) == (9, 9, None)


def test_planned_transfers_carry_the_care_level_of_their_class() -> None:
    from kraan.domain.spreading.workflow import planned_transfers

    rows = planned_transfers((Transfer(0, "A", "B", 2, "ic"), Transfer(1, "A", "C", 1, "hfno")))
    assert [(r.day_offset, r.to_area, r.care_level) for r in rows] == [
        (0, "B", "ic"), (1, "C", "ward"),
    ]  # fmt: skip
