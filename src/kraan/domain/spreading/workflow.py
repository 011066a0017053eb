"""The life of one transfer: requested -> offered -> accepted -> in transport -> arrived.

Nov 2020: hospitals offered 4-5 beds a day against 10-20 transfer requests a day
(domain.md, "Figures for parameters"), so a request can wait, be offered, be declined
(back to requested) or be cancelled. Once a patient is on the road the transfer can
only arrive: a patient turned back becomes a new request. Pure functions on frozen
values; the store keeps the history (who moved it, when) as audit rows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from kraan.domain.spreading.model import Transfer


class TransferState(StrEnum):
    REQUESTED = "requested"  # sending region (RCPS) asks for a bed
    OFFERED = "offered"  # a receiving hospital offers a bed
    ACCEPTED = "accepted"  # the sender accepts the offer; transport is booked
    IN_TRANSPORT = "in_transport"
    ARRIVED = "arrived"
    CANCELLED = "cancelled"


#: Allowed moves. An offer may be declined (back to requested); cancelling is possible
#: until the patient is on the road.
TRANSITIONS: dict[TransferState, frozenset[TransferState]] = {
    TransferState.REQUESTED: frozenset({TransferState.OFFERED, TransferState.CANCELLED}),
    TransferState.OFFERED: frozenset(
        {TransferState.ACCEPTED, TransferState.REQUESTED, TransferState.CANCELLED}
    ),
    TransferState.ACCEPTED: frozenset({TransferState.IN_TRANSPORT, TransferState.CANCELLED}),
    TransferState.IN_TRANSPORT: frozenset({TransferState.ARRIVED}),
    TransferState.ARRIVED: frozenset(),
    TransferState.CANCELLED: frozenset(),
}

TERMINAL: frozenset[TransferState] = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)


class InvalidTransition(ValueError):
    """A move the state machine does not allow; says which moves are allowed."""

    def __init__(self, current: TransferState, wanted: TransferState) -> None:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (final state)"
        super().__init__(f"cannot go from {current} to {wanted}; allowed: {allowed}")
        self.current = current
        self.wanted = wanted


@dataclass(frozen=True, slots=True)
class StateChange:
    state: TransferState
    at: datetime
    actor: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class TransferRequest:
    """A planned transfer under way, with its full history (oldest first)."""

    key: str
    transfer: Transfer
    history: tuple[StateChange, ...]

    @property
    def state(self) -> TransferState:
        return self.history[-1].state

    @property
    def is_open(self) -> bool:
        return self.state not in TERMINAL


def can_move(current: TransferState, wanted: TransferState) -> bool:
    return wanted in TRANSITIONS[current]


def request(key: str, transfer: Transfer, *, at: datetime, actor: str) -> TransferRequest:
    """A new transfer request, e.g. one line of an accepted plan."""
    return TransferRequest(key, transfer, (StateChange(TransferState.REQUESTED, at, actor),))


def advance(
    item: TransferRequest, wanted: TransferState, *, at: datetime, actor: str, note: str = ""
) -> TransferRequest:
    """The request in its new state; raises InvalidTransition for a move not allowed."""
    wanted = TransferState(wanted)
    if not can_move(item.state, wanted):
        raise InvalidTransition(item.state, wanted)
    if at < item.history[-1].at:
        raise ValueError(f"state change at {at} lies before the last one at {item.history[-1].at}")
    return replace(item, history=(*item.history, StateChange(wanted, at, actor, note)))


def requests_from_plan(
    transfers: tuple[Transfer, ...], *, prefix: str, at: datetime, actor: str
) -> list[TransferRequest]:
    """One request per planned transfer; keys ``{prefix}-{n}`` in plan order."""
    return [request(f"{prefix}-{n}", t, at=at, actor=actor) for n, t in enumerate(transfers, 1)]


def check_move(current: str, wanted: str) -> TransferState:
    """The wanted state, checked against the machine; the store calls this before writing.

    Raises ValueError for an unknown state name and InvalidTransition for a move the
    machine does not allow, so the API can tell a typo (422) from a conflict (409).
    """
    now, target = TransferState(current), TransferState(wanted)
    if not can_move(now, target):
        raise InvalidTransition(now, target)
    return target


#: Moves that take beds from a bed offer (and the one that gives them back).
TAKES_BEDS: frozenset[TransferState] = frozenset({TransferState.ACCEPTED})
#: Leaving these states for ``cancelled`` or ``requested`` releases the beds taken.
HOLDS_BEDS: frozenset[TransferState] = frozenset({TransferState.ACCEPTED})
#: Moves that give the beds of an accepted transfer back to its offer.
RELEASES: frozenset[TransferState] = frozenset({TransferState.REQUESTED, TransferState.CANCELLED})


class StepRefused(ValueError):
    """A move the machine allows, but not like this (e.g. cancelling without a reason)."""


@dataclass(frozen=True, slots=True)
class StepPlan:
    """What one step does; the store carries it out inside its locks.

    ``take_from``: the offer to take the transfer's beds from (accepting);
    ``check_offer``: an offer named with an ``offered`` step, which must be for the
    receiving region and day; ``release_to``: the offer whose beds go back;
    ``offer_after``: the transfer's offer after the step; ``reason``: the new reason
    (cancelling), or None to keep the old one.
    """

    target: TransferState
    take_from: int | None = None
    check_offer: int | None = None
    release_to: int | None = None
    offer_after: int | None = None
    reason: str | None = None


def plan_step(
    current: str, wanted: str, *, note: str, offer_id: int | None, current_offer: int | None
) -> StepPlan:
    """The one definition of a transfer step: the machine, the reason a cancel needs, and
    what happens to the beds of the offer.

    Raises ValueError for an unknown state, InvalidTransition for a move the machine does
    not allow, and StepRefused for an allowed move made without what it needs.
    """
    target = check_move(current, wanted)
    if target is TransferState.CANCELLED and not note.strip():
        raise StepRefused("cancelling needs a reason in 'note'")
    take_from = check_offer = release_to = None
    offer_after = current_offer
    if target in TAKES_BEDS:
        take_from = offer_id if offer_id is not None else current_offer
        if take_from is None:
            raise StepRefused("accepting needs the id of a bed offer of the receiving region")
        offer_after = take_from
    elif target is TransferState.OFFERED and offer_id is not None:
        check_offer = offer_after = offer_id
    elif target in RELEASES and TransferState(current) in HOLDS_BEDS and current_offer:
        release_to = current_offer
    if target is TransferState.REQUESTED:
        offer_after = None  # declined: the next offer may come from anywhere
    reason = note if target is TransferState.CANCELLED else None
    return StepPlan(target, take_from, check_offer, release_to, offer_after, reason)


def care_level_of(patient_class: str) -> str:
    """Plan rows name a patient class (ic, hfno, ward); beds are offered per care level."""
    return "ic" if patient_class == "ic" else "ward"


@dataclass(frozen=True, slots=True)
class PlannedTransfer:
    """One row of a solved plan as a transfer to request (day 0 = the plan's as_of day)."""

    day_offset: int
    from_area: str
    to_area: str
    patients: int
    care_level: str


def planned_transfers(transfers: tuple[Transfer, ...]) -> list[PlannedTransfer]:
    """The transfers a plan asks for, in plan order, each in its care level."""
    return [
        PlannedTransfer(t.day, t.source, t.target, t.patients, care_level_of(t.patient_class))
        for t in transfers
    ]
