"""Request dependencies: the engine, the settings, and who is asking."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request, status

from kraan.domain.access import Principal
from kraan.domain.bounds import RANGE_TEXT
from kraan.domain.moments import parse_moment
from kraan.settings import Settings
from kraan.store.access import principal_for_token
from kraan.store.db import Engine


def get_engine(request: Request) -> Engine:
    return request.app.state.engine  # type: ignore[no-any-return]


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def utc_now() -> datetime:
    """The one place the API reads the clock; everything below takes ``now`` explicitly."""
    return datetime.now(UTC).replace(tzinfo=None)


EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def _token_from(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    cookie_name = request.app.state.settings.session_cookie
    return request.cookies.get(cookie_name)


def optional_principal(request: Request, engine: EngineDep) -> Principal | None:
    token = _token_from(request)
    if not token:
        return None
    with engine.connect() as conn:
        return principal_for_token(conn, token=token, now=utc_now())


def require_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="send a valid token: 'Authorization: Bearer <token>' (ask a national "
            "coordinator for one, or run 'kraan token create')",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


PrincipalDep = Annotated[Principal, Depends(require_principal)]
OptionalPrincipalDep = Annotated[Principal | None, Depends(optional_principal)]


def parse_as_of(value: str | None) -> datetime | None:
    """A date alone means the end of that day in the Netherlands (Europe/Amsterdam):
    the picture as it stood that day. Returned as naive UTC, as stored."""
    if value is None or value == "":
        return None
    try:
        return parse_moment(value)
    except ValueError as error:
        message = (
            str(error) if str(error) == RANGE_TEXT else ("use YYYY-MM-DD or an ISO 8601 date-time")
        )
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=[{"field": "as_of", "message": message, "type": "value_error"}],
        ) from error


AsOfQuery = Annotated[
    str | None,
    Query(max_length=40, description="YYYY-MM-DD (end of day) or ISO time, 2020..2100"),
]


def as_of_dep(as_of: AsOfQuery = None) -> datetime:
    return parse_as_of(as_of) or utc_now()


AsOfDep = Annotated[datetime, Depends(as_of_dep)]
