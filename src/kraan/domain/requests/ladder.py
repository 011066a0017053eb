"""The staff-help ladder: region -> national -> Defence (MSOB), as a fold over events.

Sources (docs/requests.md): the Security Council slides of 28 Dec 2020 (seed 004,
"Aanpak van druk op zorgcapaciteit" and "Procedure MSOB"), the briefing note of
21 Dec 2020 (seed 000, 2b "Defensie", "Rode Kruis", "Extra Handen") and the Omicron
letter (seed 003, the paragraph on Defence and the Nationale Zorgreserve).

A request is rebuilt from its events (oldest first) with :func:`replay`; every new
step is checked by :func:`apply` before the store writes it, so the API, the pages,
the CLI and an ``as_of`` replay all see the same rules. A broken rule raises
:class:`RuleViolation` (422, named); a step somebody else already made raises
:class:`StepConflict` (409).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import IntEnum, StrEnum
from typing import Any

from kraan.domain.requests.rules import RuleViolation, StepConflict, check_all


class WorkerKind(StrEnum):
    IC_NURSE = "ic_nurse"
    WARD_NURSE = "ward_nurse"
    CARE_ASSISTANT = "care_assistant"  # zorghulp
    DOCTOR = "doctor"
    SUPPORT = "support"  # non-care support (Nationale Zorgklas, volunteers)


#: "Medisch personeel is schaars en kan maar één keer worden ingezet" (seed 004, MSOB).
MEDICAL: frozenset[WorkerKind] = frozenset(
    {WorkerKind.IC_NURSE, WorkerKind.WARD_NURSE, WorkerKind.DOCTOR}
)


class Rung(IntEnum):
    REGION = 1  # other providers, care office / insurer, RO(N)AZ, under the DPG
    NATIONAL = 2  # Red Cross, Extra Handen voor de Zorg / Nationale Zorgklas, Zorgreserve
    MSOB = 3  # last resort: a military support request to Defence


#: Whom a rung usually asks (seed 004 slide 2; seed 000 2b). Free text is allowed too.
RESPONDERS: dict[Rung, tuple[str, ...]] = {
    Rung.REGION: ("other_providers", "care_office_insurer", "roaz", "dpg"),
    Rung.NATIONAL: ("red_cross", "extra_handen", "zorgreserve"),
    Rung.MSOB: ("defence",),
}
#: Seed 003: before Defence "moet er een beroep zijn gedaan op de Nationale Zorgreserve".
ZORGRESERVE = "zorgreserve"


class Answer(StrEnum):
    FILLED = "filled"
    PARTLY = "partly"
    CANNOT_FILL = "cannot_fill"


ESCALATES: frozenset[Answer] = frozenset({Answer.PARTLY, Answer.CANNOT_FILL})


class State(StrEnum):
    ASKED = "asked"  # the rung is asked; at rung 3: waiting for the chair's signature
    SIGNED = "signed"  # MSOB signed by the safety-region chair, sent to LOT-C
    INTAKE = "intake"  # LOT-C took it in and asked Defence for a fact-finding mission
    FACT_FINDING = "fact_finding"  # report on file; the three parties decide
    ANSWERED = "answered"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


OPEN: frozenset[State] = frozenset(set(State) - {State.CLOSED, State.WITHDRAWN})


class Party(StrEnum):
    """The joint MSOB decision: "Defensie-VWS-GHOR/LOCC" (seed 004)."""

    DEFENCE = "defence"
    VWS = "vws"
    GGD_GHOR_LOCC = "ggd_ghor_locc"


class Step(StrEnum):
    CREATE = "create"
    ANSWER = "answer"
    ESCALATE = "escalate"
    RECONFIRM = "reconfirm"
    SIGN = "sign"
    INTAKE = "intake"
    FACT_FINDING = "fact_finding"
    VOTE = "vote"
    CLOSE = "close"
    WITHDRAW = "withdraw"


@dataclass(frozen=True, slots=True)
class Event:
    step: Step
    at: datetime
    actor: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RungAnswer:
    rung: Rung
    answer: Answer
    asked: tuple[str, ...]
    provided: Mapping[str, int]
    at: datetime
    actor: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Vote:
    party: Party
    approve: bool
    granted: Mapping[str, int]
    at: datetime
    actor: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class HelpRequest:
    location_code: str
    region_code: str
    safety_region_code: str
    workers: Mapping[str, int]  # kind -> people asked for
    period_start: date
    period_end: date
    shifts: str
    reason: str
    measures: str
    capacity_ref: str | None  # reported_at of the location's latest capacity report
    absence_pct: float | None
    created_at: datetime
    created_by: str
    rung: Rung = Rung.REGION
    state: State = State.ASKED
    state_since: datetime | None = None
    updated_at: datetime | None = None
    updated_by: str = ""
    answers: tuple[RungAnswer, ...] = ()
    signature: tuple[str, datetime] | None = None
    intake: tuple[str, datetime, str] | None = None
    fact_finding: tuple[str, datetime, str] | None = None
    votes: tuple[Vote, ...] = ()
    events: tuple[Event, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.state in OPEN

    @property
    def last_answer(self) -> RungAnswer | None:
        return self.answers[-1] if self.answers else None

    @property
    def asked_total(self) -> int:
        return sum(self.workers.values())

    def age(self, as_of: datetime) -> timedelta:
        return as_of - (self.updated_at or self.created_at)

    def time_in_state(self, as_of: datetime) -> timedelta:
        return as_of - (self.state_since or self.created_at)


def is_stale(item: HelpRequest, *, as_of: datetime, stale_after: timedelta) -> bool:
    """Open and not updated for longer than ``stale_after`` (the slides' re-assessment)."""
    return item.is_open and item.age(as_of) > stale_after


# ---- creation -------------------------------------------------------------------------------


def _workers(
    raw: object, problems: list[tuple[str, str]], name: str = "workers", *, some: bool = True
) -> dict[str, int]:
    """Counts per kind of worker (zeros dropped); ``some``: at least one person."""
    if not some and (raw is None or raw == {}):
        return {}
    if not isinstance(raw, Mapping) or not raw:
        problems.append((name, "name at least one kind of care worker with a count"))
        return {}
    out: dict[str, int] = {}
    for kind, count in raw.items():
        if kind not in set(WorkerKind):
            kinds = ", ".join(WorkerKind)
            problems.append((f"{name}.{kind}", f"unknown kind of care worker; use {kinds}"))
        elif not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 500:
            problems.append((f"{name}.{kind}", "a whole number of people from 0 to 500"))
        elif count:
            out[str(kind)] = count
    if some and not out and not problems:
        problems.append((name, "ask for at least one person"))
    return out


def _day(value: object) -> object:
    """Dates arrive as dates (API) or ISO strings (events read back from JSON)."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value


def create(data: Mapping[str, Any], *, at: datetime, actor: str) -> HelpRequest:
    """A new request at rung 1; every missing or wrong field is named (rule request_fields)."""
    problems: list[tuple[str, str]] = []
    workers = _workers(data.get("workers"), problems)
    start, end = _day(data.get("period_start")), _day(data.get("period_end"))
    if not isinstance(start, date) or not isinstance(end, date):
        problems.append(("period_start", "give the period as two dates"))
    elif end < start:
        problems.append(("period_end", "the period ends before it starts"))
    elif (end - start).days > 92:
        problems.append(("period_end", "a request covers at most 3 months; file a new one"))
    for name, least in (("reason", 10), ("measures", 10), ("shifts", 1)):
        if len(str(data.get(name) or "").strip()) < least:
            what = "the measures already taken" if name == "measures" else name
            problems.append((name, f"give {what} (at least {least} characters)"))
    for name in ("location_code", "region_code"):
        if not str(data.get(name) or "").strip():
            problems.append((name, "required"))
    absence = data.get("absence_pct")
    if absence is not None and not (isinstance(absence, int | float) and 0 <= absence <= 100):
        problems.append(("absence_pct", "a percentage from 0 to 100"))
    check_all("request_fields", problems)
    event = Event(Step.CREATE, at, actor, dict(data))
    return HelpRequest(
        location_code=str(data["location_code"]),
        region_code=str(data["region_code"]),
        safety_region_code=str(data.get("safety_region_code") or ""),
        workers=workers,
        period_start=start,  # type: ignore[arg-type]
        period_end=end,  # type: ignore[arg-type]
        shifts=str(data["shifts"]).strip(),
        reason=str(data["reason"]).strip(),
        measures=str(data["measures"]).strip(),
        capacity_ref=data.get("capacity_ref"),
        absence_pct=None if absence is None else float(absence),
        created_at=at,
        created_by=actor,
        state_since=at,
        updated_at=at,
        updated_by=actor,
        events=(event,),
    )


# ---- steps ---------------------------------------------------------------------------------


def _moved(item: HelpRequest, event: Event, **changes: Any) -> HelpRequest:
    state = changes.get("state", item.state)
    since = event.at if state != item.state or "rung" in changes else item.state_since
    return replace(
        item, **changes, state_since=since, updated_at=event.at, updated_by=event.actor,
        events=(*item.events, event),
    )  # fmt: skip


def _need_open(item: HelpRequest) -> None:
    if not item.is_open:
        raise StepConflict(f"the request is {item.state.value}; nothing more can happen to it")


def _answer_from(item: HelpRequest, provided: Mapping[str, int]) -> Answer:
    if all(provided.get(k, 0) >= n for k, n in item.workers.items()):
        return Answer.FILLED
    return Answer.PARTLY if sum(provided.values()) else Answer.CANNOT_FILL


def _answer(item: HelpRequest, event: Event) -> HelpRequest:
    if item.rung is Rung.MSOB:
        raise RuleViolation(
            "msob_joint_decision",
            "rung 3 is answered by the joint decision of Defence, VWS and GGD-GHOR/LOCC "
            "(record their votes), not directly",
            "answer",
        )
    if item.state is State.ANSWERED:
        by = item.last_answer
        who = f" by {by.actor} at {by.at:%Y-%m-%d %H:%M}" if by else ""
        raise StepConflict(f"rung {int(item.rung)} was already answered{who}; reload")
    if item.state is not State.ASKED:
        raise StepConflict(f"the request is {item.state.value}, not waiting for an answer")
    problems: list[tuple[str, str]] = []
    provided = _workers(event.data.get("provided"), problems, "provided", some=False)
    for kind, n in provided.items():
        if n > item.workers.get(kind, 0):
            problems.append((f"provided.{kind}", f"more than the {item.workers.get(kind, 0)} "
                             "asked for"))  # fmt: skip
    asked = tuple(str(a).strip() for a in event.data.get("asked", ()) if str(a).strip())
    if not asked:
        problems.append(("asked", "say who was asked at this rung"))
    try:
        answer = Answer(event.data.get("answer"))
    except ValueError:
        problems.append(("answer", "one of filled, partly, cannot_fill"))
        answer = Answer.CANNOT_FILL
    check_all("request_fields", problems)
    implied = _answer_from(item, provided)
    if answer is not implied:
        raise RuleViolation(
            "answer_matches_numbers",
            f"the numbers provided mean '{implied.value}', not '{answer.value}'",
            "answer",
        )
    reply = RungAnswer(item.rung, answer, asked, provided, event.at, event.actor,
                       str(event.data.get("note", "")))  # fmt: skip
    return _moved(item, event, state=State.ANSWERED, answers=(*item.answers, reply))


def _escalate(item: HelpRequest, event: Event, stale_after: timedelta) -> HelpRequest:
    last = item.last_answer
    if item.state is not State.ANSWERED or last is None or last.rung != item.rung:
        raise RuleViolation(
            "escalate_only_after_cannot_fill_or_partly",
            f"rung {int(item.rung)} has not answered yet; a request goes up only after the "
            "rung below answered 'cannot fill' or 'partly'",
            "step",
        )
    if last.answer not in ESCALATES:
        raise RuleViolation(
            "escalate_only_after_cannot_fill_or_partly",
            f"rung {int(item.rung)} filled the request; there is nothing to escalate",
            "step",
        )
    if item.rung is Rung.MSOB:
        raise RuleViolation("top_rung", "Defence (MSOB) is the last resort; no rung above it")
    if is_stale(item, as_of=event.at, stale_after=stale_after):
        hours = stale_after.total_seconds() / 3600
        raise RuleViolation(
            "stale_must_reconfirm",
            f"not updated for more than {hours:.0f} h: the requester or the region re-confirms "
            "the need (and the numbers) before it can escalate",
            "step",
        )
    if item.rung is Rung.NATIONAL and not any(ZORGRESERVE in a for a in last.asked):
        raise RuleViolation(
            "msob_needs_zorgreserve",
            "Defence comes only after the Nationale Zorgreserve was asked (seed 003); "
            "record it among those asked at rung 2",
            "step",
        )
    return _moved(item, event, rung=Rung(int(item.rung) + 1), state=State.ASKED)


def _reconfirm(item: HelpRequest, event: Event) -> HelpRequest:
    changes: dict[str, Any] = {}
    if event.data.get("workers"):
        problems: list[tuple[str, str]] = []
        changes["workers"] = _workers(event.data["workers"], problems)
        check_all("request_fields", problems)
    return _moved(item, event, **changes)


def _msob_step(item: HelpRequest, event: Event) -> HelpRequest:
    if item.rung is not Rung.MSOB:
        raise RuleViolation("msob_only", "this step belongs to a rung-3 (MSOB) request", "step")
    order = (State.ASKED, State.SIGNED, State.INTAKE, State.FACT_FINDING)
    step_state = {Step.SIGN: State.SIGNED, Step.INTAKE: State.INTAKE,
                  Step.FACT_FINDING: State.FACT_FINDING}  # fmt: skip
    needs = {Step.SIGN: (State.ASKED, "", ""),
             Step.INTAKE: (State.SIGNED, "msob_needs_signature",
                           "the safety-region chair has not signed the request"),
             Step.FACT_FINDING: (State.INTAKE, "msob_needs_intake",
                                 "LOT-C has not taken the request in"),
             Step.VOTE: (State.FACT_FINDING, "msob_needs_fact_finding",
                         "Defence's fact-finding report is not on file")}  # fmt: skip
    wanted, rule, text = needs[event.step]
    if item.state is not wanted:
        if (
            item.state in order
            and order.index(item.state) > order.index(wanted)
            and (event.step is not Step.VOTE)
        ):
            raise StepConflict(f"'{event.step.value}' was already recorded; reload")
        if item.state is State.ANSWERED:
            raise StepConflict("the joint decision is already complete; reload")
        raise RuleViolation(rule or "msob_order", text or f"the request is {item.state}", "step")
    note = str(event.data.get("note", "")).strip()
    if event.step is Step.SIGN:
        return _moved(item, event, state=State.SIGNED, signature=(event.actor, event.at))
    if event.step is Step.INTAKE:
        return _moved(item, event, state=State.INTAKE, intake=(event.actor, event.at, note))
    if event.step is Step.FACT_FINDING:
        if len(note) < 10:
            raise RuleViolation("request_fields", "summarise the fact-finding report", "note")
        return _moved(item, event, state=step_state[event.step],
                      fact_finding=(event.actor, event.at, note))  # fmt: skip
    return _vote(item, event, note)


def _vote(item: HelpRequest, event: Event, note: str) -> HelpRequest:
    try:
        party = Party(event.data.get("party"))
    except ValueError:
        parties = ", ".join(Party)
        raise RuleViolation("msob_vote_party", f"party is one of {parties}", "party") from None
    if any(v.party is party for v in item.votes):
        raise StepConflict(f"{party.value} has already decided; reload")
    approve = bool(event.data.get("approve"))
    problems: list[tuple[str, str]] = []
    granted = _workers(event.data.get("granted"), problems, "granted", some=False)
    for kind, n in granted.items():
        if n > item.workers.get(kind, 0):
            problems.append((f"granted.{kind}", "more than asked for"))
    check_all("request_fields", problems)
    vote = Vote(party, approve, granted if approve else {}, event.at, event.actor, note)
    votes = (*item.votes, vote)
    if len(votes) < len(Party):
        return _moved(item, event, votes=votes)
    provided = {
        kind: min(v.granted.get(kind, 0) if v.approve else 0 for v in votes)
        for kind in item.workers
    }
    provided = {k: n for k, n in provided.items() if n}
    reply = RungAnswer(Rung.MSOB, _answer_from(item, provided), ("defence",), provided,
                       event.at, "joint decision", note)  # fmt: skip
    return _moved(item, event, votes=votes, state=State.ANSWERED, answers=(*item.answers, reply))


def apply(item: HelpRequest, event: Event, *, stale_after: timedelta) -> HelpRequest:
    """The request after one more step; raises RuleViolation or StepConflict."""
    if item.events and event.at < item.events[-1].at:
        raise RuleViolation("time_order", "a step cannot lie before the previous one", "at")
    _need_open(item)
    match event.step:
        case Step.ANSWER:
            return _answer(item, event)
        case Step.ESCALATE:
            return _escalate(item, event, stale_after)
        case Step.RECONFIRM:
            return _reconfirm(item, event)
        case Step.SIGN | Step.INTAKE | Step.FACT_FINDING | Step.VOTE:
            return _msob_step(item, event)
        case Step.CLOSE:
            if item.state is not State.ANSWERED:
                raise RuleViolation("close_after_answer", "close a request once it is "
                                    "answered; withdraw it otherwise", "step")  # fmt: skip
            return _moved(item, event, state=State.CLOSED)
        case Step.WITHDRAW:
            if len(str(event.data.get("note", "")).strip()) < 3:
                raise RuleViolation("request_fields", "give the reason for withdrawing", "note")
            return _moved(item, event, state=State.WITHDRAWN)
    raise RuleViolation("unknown_step", f"unknown step {event.step}", "step")


def replay(events: list[Event], *, stale_after: timedelta) -> HelpRequest:
    """The request as its events left it (the first event is the creation)."""
    item = create(events[0].data, at=events[0].at, actor=events[0].actor)
    for event in events[1:]:
        item = apply(item, event, stale_after=stale_after)
    return item


# ---- deployments ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Deployment:
    kind: str
    count: int
    person_ref: str  # who came (e.g. a BIG number or an organisation's staff number)
    source: str  # the organisation that sent them (red_cross, defence, a provider, ...)
    start: datetime
    end: datetime


def check_deployment(
    item: HelpRequest, new: Deployment, *, deployed: list[Deployment], elsewhere: list[Deployment]
) -> None:
    """Rules for one more deployment on ``item``; ``elsewhere`` = the same person's other
    deployments on any request. Raises RuleViolation naming the rule."""
    problems: list[tuple[str, str]] = []
    if new.kind not in item.workers:
        problems.append(("kind", f"the request does not ask for {new.kind}"))
    if new.count < 1:
        problems.append(("count", "at least one person"))
    if new.end <= new.start:
        problems.append(("end", "the deployment ends before it starts"))
    if not new.source.strip():
        problems.append(("source", "say who sent them"))
    check_all("request_fields", problems)
    if item.state is State.WITHDRAWN:
        raise StepConflict("the request was withdrawn")
    if WorkerKind(new.kind) in MEDICAL and (new.count != 1 or not new.person_ref.strip()):
        raise RuleViolation(
            "medical_deployed_once",
            "record medical staff one person at a time with a reference, so nobody is counted "
            "twice",
            "person_ref",
        )
    already = sum(d.count for d in deployed if d.kind == new.kind)
    if already + new.count > item.workers[new.kind]:
        raise RuleViolation(
            "deployment_above_request",
            f"{already} {new.kind} already deployed of {item.workers[new.kind]} asked for; "
            f"{new.count} more is above the request",
            "count",
        )
    if WorkerKind(new.kind) in MEDICAL:
        for other in elsewhere:
            if other.start < new.end and new.start < other.end:
                raise RuleViolation(
                    "medical_deployed_once",
                    f"{new.person_ref} is already deployed from {other.start:%Y-%m-%d} to "
                    f"{other.end:%Y-%m-%d}; medical staff can be deployed only once",
                    "person_ref",
                )
