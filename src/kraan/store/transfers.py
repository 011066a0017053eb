"""Transfer plans, transfers and bed offers: the spreading workflow in the store.

Safe under concurrency without long locks (docs/spreading.md, section 3):

- taking beds is one conditional UPDATE, ``beds_taken + n <= beds_offered``; PostgreSQL
  re-checks the condition on the newest row after waiting for a concurrent writer, so two
  coordinators can never take the same free bed (a CHECK constraint backs it up);
- a transfer changes with ``WHERE id = :id AND version = :seen``; no row updated means
  somebody else moved it first, and the whole transaction (beds included) rolls back.

Every step writes a transfer_event and an audit row. All functions take ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from kraan.domain.spreading.workflow import HOLDS_BEDS, TAKES_BEDS, TransferState, check_move
from kraan.store.audit import write_audit
from kraan.store.tables import bed_offers, transfer_events, transfer_plans, transfers


class TransferError(Exception):
    """A step that cannot be made; ``status`` is the HTTP status the API answers with."""

    status = 409


class NotFound(TransferError):
    status = 404


class VersionConflict(TransferError):
    """Somebody else changed the transfer since it was read."""


class OfferExhausted(TransferError):
    """The offer has fewer free beds left than the transfer needs."""


class OfferMismatch(TransferError):
    """The offer is for another region, day or care level, or none was given."""

    status = 422


@dataclass(frozen=True, slots=True)
class StoredTransfer:
    id: int
    plan_id: int | None
    day: date
    from_area: str
    to_area: str
    patients: int
    care_level: str
    state: str
    version: int
    offer_id: int | None
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {f.name: _json(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class BedOffer:
    id: int
    region_code: str
    day: date
    care_level: str
    beds_offered: int
    beds_taken: int
    offered_by: str
    offered_at: datetime
    version: int

    @property
    def beds_free(self) -> int:
        return self.beds_offered - self.beds_taken

    def as_dict(self) -> dict[str, Any]:
        out = {f.name: _json(getattr(self, f.name)) for f in fields(self)}
        return {**out, "beds_free": self.beds_free}


def _json(value: object) -> object:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _transfer(row: Any) -> StoredTransfer:
    values = {f.name: getattr(row, f.name) for f in fields(StoredTransfer)}
    for name in ("id", "plan_id", "offer_id"):
        values[name] = None if values[name] is None else int(values[name])
    return StoredTransfer(**values)


def _offer(row: Any) -> BedOffer:
    values = {f.name: getattr(row, f.name) for f in fields(BedOffer)}
    return BedOffer(**{**values, "id": int(values["id"])})


def care_level_of(patient_class: str) -> str:
    """Plan rows name a patient class (ic, hfno, ward); beds are offered per care level."""
    return "ic" if patient_class == "ic" else "ward"


# ---- plans and transfers ------------------------------------------------------------------


def create_plan(
    conn: Connection,
    *,
    as_of: datetime,
    settings: dict[str, Any],
    result: dict[str, Any],
    actor: str,
    now: datetime,
) -> tuple[int, list[int]]:
    """Store a solved plan and one ``requested`` transfer per plan row (day 0 = as_of)."""
    plan_id = int(
        conn.execute(
            insert(transfer_plans)
            .values(as_of=as_of, created_by=actor, created_at=now, settings=settings, result=result)
            .returning(transfer_plans.c.id)
        ).scalar_one()
    )
    write_audit(
        conn,
        at=now,
        actor=actor,
        action="plan.create",
        entity="transfer_plan",
        entity_key=str(plan_id),
        before=None,
        after={"as_of": as_of, "rows": len(result.get("plan", [])), "settings": settings},
    )
    ids = [
        create_transfer(
            conn,
            day=as_of.date() + timedelta(days=int(row["day"])),
            from_area=str(row["from"]),
            to_area=str(row["to"]),
            patients=int(row["patients"]),
            care_level=care_level_of(str(row.get("patient_class", "ic"))),
            actor=actor,
            now=now,
            plan_id=plan_id,
        )
        for row in result.get("plan", [])
    ]
    return plan_id, ids


def create_transfer(
    conn: Connection,
    *,
    day: date,
    from_area: str,
    to_area: str,
    patients: int,
    care_level: str,
    actor: str,
    now: datetime,
    plan_id: int | None = None,
) -> int:
    """A new transfer in state ``requested``, with its first event and audit row."""
    transfer_id = int(
        conn.execute(
            insert(transfers)
            .values(
                plan_id=plan_id,
                day=day,
                from_area=from_area,
                to_area=to_area,
                patients=patients,
                care_level=care_level,
                state=TransferState.REQUESTED.value,
                version=1,
                created_at=now,
                created_by=actor,
                updated_at=now,
                updated_by=actor,
                reason="",
            )  # fmt: skip
            .returning(transfers.c.id)
        ).scalar_one()
    )
    _event(conn, transfer_id=transfer_id, at=now, actor=actor, before=None, after="requested")
    write_audit(
        conn,
        at=now,
        actor=actor,
        action="transfer.request",
        entity="transfer",
        entity_key=str(transfer_id),
        before=None,
        after={"state": "requested", "day": day, "from": from_area, "to": to_area,
               "patients": patients, "care_level": care_level, "plan_id": plan_id},
    )  # fmt: skip
    return transfer_id


def _event(
    conn: Connection, *, transfer_id: int, at: datetime, actor: str, before: str | None,
    after: str, note: str = "",
) -> None:  # fmt: skip
    conn.execute(
        insert(transfer_events).values(
            transfer_id=transfer_id,
            at=at,
            actor=actor,
            from_state=before,
            to_state=after,
            note=note,
        )  # fmt: skip
    )


def get_transfer(conn: Connection, *, transfer_id: int) -> StoredTransfer:
    row = conn.execute(select(transfers).where(transfers.c.id == transfer_id)).first()
    if row is None:
        raise NotFound(f"no transfer {transfer_id}")
    return _transfer(row)


def list_transfers(
    conn: Connection,
    *,
    day: date | None = None,
    region: str | None = None,
    state: str | None = None,
    plan_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> list[StoredTransfer]:
    """Transfers by day, then id; ``region`` matches the sending or the receiving side."""
    query = select(transfers).order_by(transfers.c.day, transfers.c.id)
    if day is not None:
        query = query.where(transfers.c.day == day)
    if start is not None:
        query = query.where(transfers.c.day >= start)
    if end is not None:
        query = query.where(transfers.c.day <= end)
    if region:
        query = query.where((transfers.c.from_area == region) | (transfers.c.to_area == region))
    if state:
        query = query.where(transfers.c.state == state)
    if plan_id is not None:
        query = query.where(transfers.c.plan_id == plan_id)
    return [_transfer(row) for row in conn.execute(query)]


def transfer_history(conn: Connection, *, transfer_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(transfer_events)
        .where(transfer_events.c.transfer_id == transfer_id)
        .order_by(transfer_events.c.id)
    ).mappings()
    return [{k: _json(v) for k, v in row.items() if k != "transfer_id"} for row in rows]


def get_plan(conn: Connection, *, plan_id: int) -> dict[str, Any]:
    row = conn.execute(select(transfer_plans).where(transfer_plans.c.id == plan_id)).first()
    if row is None:
        raise NotFound(f"no plan {plan_id}")
    return {k: _json(v) for k, v in row._mapping.items()}


def latest_plan(conn: Connection, *, as_of: datetime) -> dict[str, Any] | None:
    """The newest plan made for a moment on the day of ``as_of`` or before it."""
    end = datetime.combine(as_of.date() + timedelta(days=1), datetime.min.time())
    row = conn.execute(
        select(transfer_plans.c.id)
        .where(transfer_plans.c.as_of < end)
        .order_by(transfer_plans.c.as_of.desc(), transfer_plans.c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else get_plan(conn, plan_id=int(row.id))


# ---- bed offers ---------------------------------------------------------------------------


def create_offer(
    conn: Connection,
    *,
    region_code: str,
    day: date,
    care_level: str,
    beds: int,
    actor: str,
    now: datetime,
) -> int:
    """A receiving region offers free beds for one day; audited."""
    if beds < 1:
        raise OfferMismatch("offer at least one bed")
    offer_id = int(
        conn.execute(
            insert(bed_offers)
            .values(
                region_code=region_code,
                day=day,
                care_level=care_level,
                beds_offered=beds,
                beds_taken=0,
                offered_by=actor,
                offered_at=now,
                version=1,
            )  # fmt: skip
            .returning(bed_offers.c.id)
        ).scalar_one()
    )
    write_audit(
        conn, at=now, actor=actor, action="offer.create", entity="bed_offer",
        entity_key=str(offer_id), before=None,
        after={"region": region_code, "day": day, "care_level": care_level, "beds": beds},
    )  # fmt: skip
    return offer_id


def get_offer(conn: Connection, *, offer_id: int) -> BedOffer:
    row = conn.execute(select(bed_offers).where(bed_offers.c.id == offer_id)).first()
    if row is None:
        raise NotFound(f"no bed offer {offer_id}")
    return _offer(row)


def list_offers(
    conn: Connection, *, day: date | None = None, region: str | None = None,
    start: date | None = None, end: date | None = None,
) -> list[BedOffer]:  # fmt: skip
    query = select(bed_offers).order_by(bed_offers.c.day, bed_offers.c.id)
    if day is not None:
        query = query.where(bed_offers.c.day == day)
    if start is not None:
        query = query.where(bed_offers.c.day >= start)
    if end is not None:
        query = query.where(bed_offers.c.day <= end)
    if region:
        query = query.where(bed_offers.c.region_code == region)
    return [_offer(row) for row in conn.execute(query)]


def _take_beds(conn: Connection, *, offer: BedOffer, item: StoredTransfer) -> None:
    """One conditional UPDATE: the database, not this process, decides who gets the bed."""
    if (offer.region_code, offer.day, offer.care_level) != (
        item.to_area,
        item.day,
        item.care_level,
    ):
        raise OfferMismatch(
            f"offer {offer.id} is for {offer.region_code} on {offer.day} ({offer.care_level}); "
            f"transfer {item.id} goes to {item.to_area} on {item.day} ({item.care_level})"
        )
    taken = conn.execute(
        update(bed_offers)
        .where(
            bed_offers.c.id == offer.id,
            bed_offers.c.beds_taken + item.patients <= bed_offers.c.beds_offered,
        )
        .values(
            beds_taken=bed_offers.c.beds_taken + item.patients, version=bed_offers.c.version + 1
        )
    ).rowcount
    if taken != 1:
        raise OfferExhausted(
            f"offer {offer.id} has fewer than {item.patients} free beds left; "
            "another transfer took them"
        )


def _release_beds(conn: Connection, *, offer_id: int, patients: int) -> None:
    conn.execute(
        update(bed_offers)
        .where(bed_offers.c.id == offer_id, bed_offers.c.beds_taken >= patients)
        .values(beds_taken=bed_offers.c.beds_taken - patients, version=bed_offers.c.version + 1)
    )


# ---- the one write path of a transfer -------------------------------------------------------

RELEASES = frozenset({TransferState.REQUESTED, TransferState.CANCELLED})


def advance_transfer(
    conn: Connection,
    *,
    transfer_id: int,
    to_state: str,
    actor: str,
    now: datetime,
    note: str = "",
    offer_id: int | None = None,
    expected_version: int | None = None,
) -> StoredTransfer:
    """Move a transfer one step; raises InvalidTransition or a TransferError.

    Run it in its own transaction: on any error the caller's rollback undoes the beds
    taken as well. ``expected_version`` (the version the caller saw) makes a stale
    screen fail instead of overwriting a newer step.
    """
    item = get_transfer(conn, transfer_id=transfer_id)
    if expected_version is not None and expected_version != item.version:
        raise VersionConflict(
            f"transfer {transfer_id} changed meanwhile (version {item.version}, you saw "
            f"{expected_version}; now {item.state}): reload and decide again"
        )
    target = check_move(item.state, to_state)
    if target is TransferState.CANCELLED and not note.strip():
        raise OfferMismatch("cancelling needs a reason in 'note'")
    new_offer = item.offer_id
    if target in TAKES_BEDS:
        chosen = offer_id if offer_id is not None else item.offer_id
        if chosen is None:
            raise OfferMismatch("accepting needs the id of a bed offer of the receiving region")
        _take_beds(conn, offer=get_offer(conn, offer_id=chosen), item=item)
        new_offer = chosen
    elif target is TransferState.OFFERED and offer_id is not None:
        offer = get_offer(conn, offer_id=offer_id)
        if offer.region_code != item.to_area or offer.day != item.day:
            raise OfferMismatch(f"offer {offer_id} is not for {item.to_area} on {item.day}")
        new_offer = offer_id
    elif target in RELEASES and TransferState(item.state) in HOLDS_BEDS and item.offer_id:
        _release_beds(conn, offer_id=item.offer_id, patients=item.patients)
    if target is TransferState.REQUESTED:
        new_offer = None  # declined: the next offer may come from anywhere
    changed = conn.execute(
        update(transfers)
        .where(transfers.c.id == transfer_id, transfers.c.version == item.version)
        .values(
            state=target.value,
            version=item.version + 1,
            offer_id=new_offer,
            updated_at=now,
            updated_by=actor,
            reason=note if target is TransferState.CANCELLED else item.reason,
        )  # fmt: skip
    ).rowcount
    if changed != 1:
        raise VersionConflict(
            f"transfer {transfer_id} was moved by someone else at the same moment; "
            "reload and decide again"
        )
    _event(
        conn, transfer_id=transfer_id, at=now, actor=actor, before=item.state,
        after=target.value, note=note,
    )  # fmt: skip
    write_audit(
        conn, at=now, actor=actor, action=f"transfer.{target.value}", entity="transfer",
        entity_key=str(transfer_id),
        before={"state": item.state, "version": item.version, "offer_id": item.offer_id},
        after={"state": target.value, "version": item.version + 1, "offer_id": new_offer,
               "note": note},
    )  # fmt: skip
    return get_transfer(conn, transfer_id=transfer_id)


def withdraw_offer(conn: Connection, *, offer_id: int, actor: str, now: datetime) -> int:
    """Withdraw the beds of an offer that are not taken yet; returns how many. Beds
    already promised to a transfer stay (that transfer holds them). Audited."""
    offer = get_offer(conn, offer_id=offer_id)
    free = offer.beds_offered - offer.beds_taken
    if free <= 0:
        return 0
    conn.execute(
        update(bed_offers)
        .where(bed_offers.c.id == offer_id, bed_offers.c.beds_taken == offer.beds_taken)
        .values(beds_offered=offer.beds_taken, version=bed_offers.c.version + 1)
    )
    write_audit(
        conn, at=now, actor=actor, action="offer.withdraw", entity="bed_offer",
        entity_key=str(offer_id), before={"beds_offered": offer.beds_offered},
        after={"beds_offered": offer.beds_taken, "withdrawn": free},
    )  # fmt: skip
    return free
