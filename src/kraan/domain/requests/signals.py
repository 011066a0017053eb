"""Bottleneck signals from outside the hospital: filed -> escalated -> classified -> acted ->
closed, as a fold over events (like the ladder).

Source: the briefing note of 21 Dec 2020 (seed 000, 2b "Signalen over knelpunten"):
"Wanneer partijen er lokaal of regionaal niet uitkomen, moeten ze dat bij betreffende
koepelorganisatie signaleren. Vervolgens bespreken ActiZ en ZN of dit herkenbare signalen
zijn, algemeen of specifiek en of er aanvullende acties vanuit de koepels nodig zijn.
Ook GGD-GHOR speelt signalen door naar ActiZ en ZN."
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from kraan.domain.requests.rules import RuleViolation, StepConflict, check_all


class Sector(StrEnum):
    ELV = "elv"  # eerstelijnsverblijf
    GRZ = "grz"  # geriatric rehabilitation
    VVT = "vvt"  # nursing and elderly care
    HOME_CARE = "home_care"  # wijkverpleging / thuiszorg
    GP = "gp"  # GP practices and GP posts
    CARE_HOTEL = "care_hotel"


class Umbrella(StrEnum):
    ACTIZ = "actiz"
    ZN = "zn"


class Classification(StrEnum):
    RECOGNISABLE = "recognisable"  # herkenbaar: the umbrella bodies know it
    GENERAL = "general"  # algemeen: it holds across regions
    SPECIFIC = "specific"  # specifiek: this provider or region only


class SignalState(StrEnum):
    FILED = "filed"
    ESCALATED = "escalated"
    CLASSIFIED = "classified"
    ACTED = "acted"
    CLOSED = "closed"


class SignalStep(StrEnum):
    FILE = "file"
    ESCALATE = "escalate"
    CLASSIFY = "classify"
    ACT = "act"
    CLOSE = "close"


@dataclass(frozen=True, slots=True)
class SignalEvent:
    step: SignalStep
    at: datetime
    actor: str
    data: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Signal:
    region_code: str
    location_code: str
    sector: Sector
    blocked: str
    since: date
    filed_at: datetime
    filed_by: str
    state: SignalState = SignalState.FILED
    umbrella: Umbrella | None = None
    classification: Classification | None = None
    needs_action: bool = False
    action: str = ""
    outcome: str = ""
    updated_at: datetime | None = None
    events: tuple[SignalEvent, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.state is not SignalState.CLOSED


def file(data: Mapping[str, Any], *, at: datetime, actor: str) -> Signal:
    problems: list[tuple[str, str]] = []
    if data.get("sector") not in set(Sector):
        problems.append(("sector", "one of " + ", ".join(Sector)))
    if len(str(data.get("blocked") or "").strip()) < 10:
        problems.append(("blocked", "say what is blocked (at least 10 characters)"))
    since = data.get("since")
    if isinstance(since, str):
        try:
            since = date.fromisoformat(since[:10])
        except ValueError:
            since = None
    if not isinstance(since, date):
        problems.append(("since", "the date since when it is blocked"))
    elif since > at.date():
        problems.append(("since", "lies in the future"))
    if not str(data.get("region_code") or "").strip():
        problems.append(("region_code", "required"))
    check_all("signal_fields", problems)
    return Signal(
        region_code=str(data["region_code"]), location_code=str(data.get("location_code") or ""),
        sector=Sector(data["sector"]), blocked=str(data["blocked"]).strip(),
        since=since,  # type: ignore[arg-type]
        filed_at=at, filed_by=actor, updated_at=at,
        events=(SignalEvent(SignalStep.FILE, at, actor, dict(data)),),
    )  # fmt: skip


def _need(item: Signal, wanted: SignalState, rule: str, text: str) -> None:
    if item.state is wanted:
        return
    order = list(SignalState)
    if order.index(item.state) > order.index(wanted):
        raise StepConflict(f"the signal is already {item.state.value}; reload")
    raise RuleViolation(rule, text, "step")


def apply(item: Signal, event: SignalEvent) -> Signal:
    """The signal after one more step; RuleViolation (422) or StepConflict (409)."""
    if not item.is_open:
        raise StepConflict("the signal is closed")
    data, moved = event.data, {"updated_at": event.at, "events": (*item.events, event)}
    match event.step:
        case SignalStep.ESCALATE:
            _need(item, SignalState.FILED, "signal_order", "the signal is not filed")
            if data.get("umbrella") not in set(Umbrella):
                raise RuleViolation("signal_umbrella", "escalate to actiz or zn", "umbrella")
            return replace(item, state=SignalState.ESCALATED, umbrella=Umbrella(data["umbrella"]),
                           **moved)  # fmt: skip
        case SignalStep.CLASSIFY:
            _need(item, SignalState.ESCALATED, "classify_after_escalation",
                  "the umbrella body classifies a signal once the region escalated it")  # fmt: skip
            if data.get("classification") not in set(Classification):
                text = "recognisable, general or specific"
                raise RuleViolation("signal_classification", text, "classification")
            return replace(item, state=SignalState.CLASSIFIED,
                           classification=Classification(data["classification"]),
                           needs_action=bool(data.get("needs_action")), **moved)  # fmt: skip
        case SignalStep.ACT:
            _need(item, SignalState.CLASSIFIED, "act_after_classification",
                  "record the action once the signal is classified")  # fmt: skip
            action = str(data.get("action") or "").strip()
            if len(action) < 5:
                raise RuleViolation("signal_fields", "describe the action", "action")
            return replace(item, state=SignalState.ACTED, action=action, **moved)
        case SignalStep.CLOSE:
            if item.state not in (SignalState.CLASSIFIED, SignalState.ACTED):
                raise RuleViolation("close_after_classification",
                                    "a signal is closed once it is classified", "step")  # fmt: skip
            if item.needs_action and item.state is not SignalState.ACTED:
                raise RuleViolation("action_before_close",
                                    "the umbrella body said action is needed: record it first",
                                    "step")  # fmt: skip
            return replace(item, state=SignalState.CLOSED,
                           outcome=str(data.get("note") or "").strip(), **moved)  # fmt: skip
    raise RuleViolation("unknown_step", f"unknown step {event.step}", "step")


def replay(events: list[SignalEvent]) -> Signal:
    item = file(events[0].data, at=events[0].at, actor=events[0].actor)
    for event in events[1:]:
        item = apply(item, event)
    return item
