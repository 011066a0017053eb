"""The audit log for coordinators: a national coordinator sees every row, a regional
coordinator the rows about its region; searchable by actor, kind and time."""

from __future__ import annotations

from datetime import UTC, datetime, time

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kraan.api.deps import EngineDep, OptionalPrincipalDep
from kraan.domain.access import Role, detail_scope
from kraan.domain.moments import AMSTERDAM
from kraan.store.audit_search import audit_kinds, search_audit
from kraan.web.common import read_as_of, render
from kraan.web.i18n import gettext as _

router = APIRouter(include_in_schema=False)
COORDINATORS = (Role.NATIONAL_COORDINATOR, Role.REGIONAL_COORDINATOR)


def _day(value: str, *, end: bool) -> datetime | None:
    """A Dutch calendar day -> naive UTC bound (start or end of that day)."""
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None
    moment = datetime.combine(day, time(23, 59, 59) if end else time(0), AMSTERDAM)
    return moment.astimezone(UTC).replace(tzinfo=None)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    engine: EngineDep,
    principal: OptionalPrincipalDep,
    actor: str = "",
    kind: str = "",
    since: str = "",
    until: str = "",
) -> HTMLResponse:
    as_of, carry, _error = read_as_of(request)
    if principal is None:
        return render(request, "login.html", None, status_code=401, as_of=as_of, carry=carry,
                      next="/audit",
                      error=_("Log in as a coordinator to read the audit log."))  # fmt: skip
    if principal.role not in COORDINATORS:
        return render(request, "error.html", principal, status_code=403, as_of=as_of,
                      carry=carry, title=_("Not allowed"),
                      message=_("Only coordinators read the audit log."))  # fmt: skip
    region = detail_scope(principal)  # the API's GET /api/v1/audit scopes by the same rule
    with engine.connect() as conn:
        rows = search_audit(conn, actor=actor.strip() or None, kind=kind.strip() or None,
                            since=_day(since, end=False), until=_day(until, end=True),
                            region=region)  # fmt: skip
        kinds = audit_kinds(conn)
    search = {"actor": actor, "kind": kind, "since": since, "until": until}
    return render(request, "audit.html", principal, as_of=as_of, carry=carry, rows=rows,
                  kinds=kinds, region=region, search=search)  # fmt: skip
