"""Staff-help requests in the store: events, the current row, deployments, audit.

The domain ladder (kraan.domain.requests.ladder) decides every step; this module only
reads the events, lets the domain fold them and check the new one, and writes it.

Concurrency as in the transfer workflow (store/transfers.py): the request row is read
``FOR UPDATE`` (PostgreSQL; SQLite serialises writers anyway) and then changed with
``WHERE id = :id AND version = :seen``; two coordinators answering at once: the second
waits, then finds the rung answered and gets a StepConflict (409), or the version moved
and gets a VersionConflict (409). Nothing of the loser is stored.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from kraan.domain.requests.ladder import (
    Deployment,
    Event,
    HelpRequest,
    Step,
    apply,
    check_deployment,
    create,
    replay,
)
from kraan.domain.requests.rules import Missing, StepConflict
from kraan.store.audit import write_audit
from kraan.store.requests_tables import help_deployments, help_request_events, help_requests


class NotFound(Missing):
    pass


class VersionConflict(StepConflict):
    """Somebody else changed the request since the caller read it."""


def _jsonable(data: Any) -> Any:
    if isinstance(data, dict):
        return {str(k): _jsonable(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_jsonable(v) for v in data]
    if isinstance(data, date | datetime):
        return data.isoformat()
    return data


def _events(conn: Connection, request_id: int, as_of: datetime | None = None) -> list[Event]:
    query = (
        select(help_request_events)
        .where(help_request_events.c.request_id == request_id)
        .order_by(help_request_events.c.id)
    )
    if as_of is not None:
        query = query.where(help_request_events.c.at <= as_of)
    return [Event(Step(r.step), r.at, r.actor, r.data) for r in conn.execute(query)]


def _write_event(conn: Connection, request_id: int, version: int, event: Event) -> None:
    conn.execute(
        insert(help_request_events).values(
            request_id=request_id,
            version=version,
            step=event.step.value,
            at=event.at,
            actor=event.actor,
            data=_jsonable(dict(event.data)),
        )  # fmt: skip
    )


def create_request(
    conn: Connection, *, data: dict[str, Any], actor: str, now: datetime
) -> tuple[int, HelpRequest]:
    """Check with the domain, then store the request at rung 1 with its first event."""
    item = create(data, at=now, actor=actor)
    request_id = int(
        conn.execute(
            insert(help_requests)
            .values(
                location_code=item.location_code,
                region_code=item.region_code,
                safety_region_code=item.safety_region_code,
                rung=int(item.rung),
                state=item.state.value,
                version=1,
                created_at=now,
                created_by=actor,
                updated_at=now,
                updated_by=actor,
            )  # fmt: skip
            .returning(help_requests.c.id)
        ).scalar_one()
    )
    _write_event(conn, request_id, 1, item.events[0])
    write_audit(
        conn, at=now, actor=actor, action="help_request.create", entity="help_request",
        entity_key=str(request_id), before=None, after=_jsonable(dict(data)),
    )  # fmt: skip
    return request_id, item


def _row(conn: Connection, request_id: int, *, lock: bool = False) -> Any:
    query = select(help_requests).where(help_requests.c.id == request_id)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"no help request {request_id}")
    return row


def load_request(
    conn: Connection, *, request_id: int, stale_after: timedelta, as_of: datetime | None = None
) -> HelpRequest:
    events = _events(conn, request_id, as_of)
    if not events:
        raise NotFound(f"no help request {request_id}" + (f" on {as_of}" if as_of else ""))
    return replay(events, stale_after=stale_after)


def request_header(conn: Connection, *, request_id: int) -> dict[str, Any]:
    """Where and who (for the role check) and the current version, without replaying."""
    return dict(_row(conn, request_id)._mapping)


def take_step(
    conn: Connection,
    *,
    request_id: int,
    step: Step,
    data: dict[str, Any],
    actor: str,
    now: datetime,
    stale_after: timedelta,
    expected_version: int | None = None,
) -> HelpRequest:
    """One ladder step in the caller's transaction; raises RuleViolation / StepConflict."""
    row = _row(conn, request_id, lock=True)
    if expected_version is not None and expected_version != row.version:
        raise VersionConflict(
            f"help request {request_id} changed meanwhile (version {row.version}, you saw "
            f"{expected_version}; now {row.state} at rung {row.rung}): reload and decide again"
        )
    before = replay(_events(conn, request_id), stale_after=stale_after)
    if before.events and now < before.events[-1].at:
        # the caller read the clock, then waited for the row lock while somebody else took
        # a step: the request moved on under them, a race (409), not the time_order rule
        last = before.events[-1]
        raise VersionConflict(
            f"help request {request_id} changed meanwhile ({last.actor}: {last.step.value}; "
            f"now {row.state} at rung {row.rung}): reload and decide again"
        )
    event = Event(step, now, actor, data)
    after = apply(before, event, stale_after=stale_after)
    changed = conn.execute(
        update(help_requests)
        .where(help_requests.c.id == request_id, help_requests.c.version == row.version)
        .values(
            rung=int(after.rung),
            state=after.state.value,
            version=row.version + 1,
            updated_at=now,
            updated_by=actor,
        )  # fmt: skip
    ).rowcount
    if changed != 1:
        raise VersionConflict(
            f"help request {request_id} was changed by someone else at the same moment; reload"
        )
    _write_event(conn, request_id, row.version + 1, event)
    write_audit(
        conn, at=now, actor=actor, action=f"help_request.{step.value}", entity="help_request",
        entity_key=str(request_id),
        before={"rung": int(before.rung), "state": before.state.value, "version": row.version},
        after={"rung": int(after.rung), "state": after.state.value, "version": row.version + 1,
               "data": _jsonable(data)},
    )  # fmt: skip
    return after


def list_request_ids(conn: Connection, *, as_of: datetime, region: str | None = None) -> list[int]:
    query = select(help_requests.c.id).where(help_requests.c.created_at <= as_of)
    if region:
        query = query.where(help_requests.c.region_code == region)
    return [int(r.id) for r in conn.execute(query.order_by(help_requests.c.id))]


def requests_as_of(
    conn: Connection, *, as_of: datetime, stale_after: timedelta, region: str | None = None
) -> list[tuple[int, HelpRequest]]:
    """Every request as it stood at ``as_of`` (replayed from its events up to then)."""
    ids = list_request_ids(conn, as_of=as_of, region=region)
    if not ids:
        return []
    grouped: dict[int, list[Event]] = {i: [] for i in ids}
    query = (
        select(help_request_events)
        .where(help_request_events.c.request_id.in_(ids), help_request_events.c.at <= as_of)
        .order_by(help_request_events.c.id)
    )
    for r in conn.execute(query):
        grouped[int(r.request_id)].append(Event(Step(r.step), r.at, r.actor, r.data))
    return [(i, replay(ev, stale_after=stale_after)) for i, ev in grouped.items() if ev]


def count_requests(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(help_requests)).scalar_one())


def request_versions(conn: Connection, *, request_id: int) -> int:
    return int(
        conn.execute(
            select(func.max(help_request_events.c.version)).where(
                help_request_events.c.request_id == request_id
            )
        ).scalar_one()
        or 0
    )


# ---- deployments ---------------------------------------------------------------------------


def _deployment(row: Any) -> Deployment:
    return Deployment(row.kind, int(row.count), row.person_ref, row.source, row.start_at,
                      row.end_at)  # fmt: skip


def deployments(
    conn: Connection, *, request_id: int | None = None, as_of: datetime | None = None
) -> list[tuple[int, int, Deployment]]:
    """(deployment id, request id, deployment) recorded at or before ``as_of``."""
    query = select(help_deployments).order_by(help_deployments.c.id)
    if request_id is not None:
        query = query.where(help_deployments.c.request_id == request_id)
    if as_of is not None:
        query = query.where(help_deployments.c.recorded_at <= as_of)
    return [(int(r.id), int(r.request_id), _deployment(r)) for r in conn.execute(query)]


def add_deployment(
    conn: Connection,
    *,
    request_id: int,
    deployment: Deployment,
    actor: str,
    now: datetime,
    stale_after: timedelta,
) -> int:
    """Record who came; the request row is locked so two recorders cannot both overfill it."""
    _row(conn, request_id, lock=True)
    item = replay(_events(conn, request_id), stale_after=stale_after)
    here = [d for _, _, d in deployments(conn, request_id=request_id)]
    elsewhere: list[Deployment] = []
    if deployment.person_ref.strip() and conn.dialect.name == "postgresql":
        # one person, one writer at a time, across requests: no double counting in a race
        conn.execute(select(func.pg_advisory_xact_lock(func.hashtext(deployment.person_ref))))
    if deployment.person_ref.strip():
        query = select(help_deployments).where(
            help_deployments.c.person_ref == deployment.person_ref.strip()
        )
        elsewhere = [_deployment(r) for r in conn.execute(query)]
    check_deployment(item, deployment, deployed=here, elsewhere=elsewhere)
    new_id = int(
        conn.execute(
            insert(help_deployments)
            .values(
                request_id=request_id,
                kind=deployment.kind,
                count=deployment.count,
                person_ref=deployment.person_ref.strip(),
                source=deployment.source.strip(),
                start_at=deployment.start,
                end_at=deployment.end,
                recorded_at=now,
                recorded_by=actor,
            )  # fmt: skip
            .returning(help_deployments.c.id)
        ).scalar_one()
    )
    write_audit(
        conn, at=now, actor=actor, action="help_request.deploy", entity="help_deployment",
        entity_key=str(new_id), before=None,
        after={"request_id": request_id, **_jsonable(asdict(deployment))},
    )  # fmt: skip
    return new_id
