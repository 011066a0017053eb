"""Writes by coordinators: status declarations, access tokens; the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status

from kraan.api.bounds import limit_query
from kraan.api.deps import EngineDep, PrincipalDep, utc_now
from kraan.api.schemas import DeclarationCreate, TokenCreate
from kraan.domain.access import (
    Role,
    can_declare_status,
    can_manage_access,
    can_read_details,
    detail_scope,
    token_conflict,
)
from kraan.store.access import create_user, issue_token, user_principal
from kraan.store.audit import audit_entries
from kraan.store.declarations import declare_status
from kraan.store.reference import load_locations, load_regions

router = APIRouter(prefix="/api/v1", tags=["coordination"])


@router.post("/regions/{region_code}/status", status_code=201, summary="Declare a regional status")
def declare(
    region_code: str, body: DeclarationCreate, engine: EngineDep, principal: PrincipalDep
) -> dict[str, Any]:
    if not can_declare_status(principal, region_code=region_code):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"only the coordinators of {region_code} or a national coordinator may declare",
        )
    now = utc_now()
    valid_from = body.valid_from or now  # naive UTC: Moment converted any offset
    valid_until = body.valid_until
    if valid_until is not None and valid_until <= valid_from:
        raise HTTPException(
            422, detail=[{"field": "valid_until", "message": "must lie after valid_from"}]
        )
    with engine.begin() as conn:
        if region_code not in {r.code for r in load_regions(conn)}:
            raise HTTPException(404, detail=f"unknown region '{region_code}'")
        declaration_id = declare_status(
            conn,
            region_code=region_code,
            status=body.status,
            reason=body.reason,
            actor=principal.username,
            now=now,
            valid_from=valid_from,
            valid_until=valid_until,
        )
    return {
        "id": declaration_id,
        "region_code": region_code,
        "status": body.status,
        "valid_from": valid_from.isoformat(),
        "valid_until": valid_until.isoformat() if valid_until else None,
    }


@router.post(
    "/tokens", status_code=201, summary="Create a user with a token (national coordinator)"
)
def create_token(body: TokenCreate, engine: EngineDep, principal: PrincipalDep) -> dict[str, Any]:
    if not can_manage_access(principal):
        raise HTTPException(403, detail="only a national coordinator manages access")
    role = Role(body.role)
    now = utc_now()
    with engine.begin() as conn:
        regions = {r.code for r in load_regions(conn)}
        known = {loc.code for _, loc in load_locations(conn, active_only=False)}
        errors = []
        if role is Role.REGIONAL_COORDINATOR and body.region_code not in regions:
            errors.append(
                {"field": "region_code", "message": "a regional coordinator needs a known region"}
            )
        if role is Role.REPORTER:
            unknown = sorted(set(body.location_codes) - known)
            if unknown or not body.location_codes:
                errors.append(
                    {
                        "field": "location_codes",
                        "message": f"a reporter needs known locations; unknown: {unknown}",
                    }
                )
        if role in (Role.CONTROL_CENTRE_NURSE, Role.GP) and not body.location_codes:
            errors.append(
                {"field": "location_codes", "message": "give the team or practice code(s)"}
            )
        if errors:
            raise HTTPException(422, detail=errors)
        found = user_principal(conn, body.username)
        if found is not None:
            existing, holder = found
            conflict = token_conflict(
                holder,
                role=role,
                region_code=body.region_code,
                location_codes=frozenset(body.location_codes),
            )
            if conflict:
                raise HTTPException(409, detail=conflict)
        else:
            existing = create_user(
                conn,
                username=body.username,
                role=role,
                now=now,
                actor=principal.username,
                password=body.password,
                region_code=body.region_code,
                location_codes=body.location_codes,
            )
        token = issue_token(
            conn, user_id=existing, now=now, actor=principal.username, label=body.label
        )
    return {
        "username": body.username,
        "role": role.value,
        "token": token,
        "note": "store this token now: only its hash is kept",
    }


@router.get("/audit", summary="The audit log (coordinators)")
def audit(
    engine: EngineDep,
    principal: PrincipalDep,
    entity: Annotated[str | None, Query(min_length=1, max_length=40, pattern=r"^[a-z_.]+$")] = None,
    limit: Annotated[int, limit_query(2000)] = 200,
) -> list[dict[str, Any]]:
    """National coordinators see everything; regional ones their region's rows only."""
    if not can_read_details(principal):
        raise HTTPException(403, detail="coordinators only")
    with engine.connect() as conn:
        rows = audit_entries(conn, entity=entity, limit=limit, region=detail_scope(principal))
    return [{**r, "at": r["at"].isoformat()} for r in rows]  # type: ignore[attr-defined]
