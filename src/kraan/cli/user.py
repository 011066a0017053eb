"""``kraan user create|reset-password|disable``: web logins, checked against the database."""

from __future__ import annotations

import secrets
import sys
from typing import Annotated

import typer

from kraan.cli.common import DbOption, console, engine_for, fail, now, settings_for

app = typer.Typer(help="Web logins: create, reset a password, disable.", no_args_is_help=True)

RoleOption = Annotated[
    str,
    typer.Option(
        "--role",
        metavar="ROLE",
        help="viewer, reporter, regional_coordinator or national_coordinator.",
    ),
]
RegionOption = Annotated[
    str | None,
    typer.Option("--region", metavar="CODE", help="ROAZ region (regional coordinators)."),
]
LocationOption = Annotated[
    list[str] | None,
    typer.Option("--location", metavar="CODE", help="Location code (reporters); repeat."),
]


def check_access(conn: object, role: str, region: str | None, location: list[str]) -> object:
    """The role, with its region and locations checked against the database."""
    from kraan.domain.access import Role
    from kraan.store.user_admin import unknown_locations, unknown_regions

    try:
        chosen = Role(role)
    except ValueError:
        raise fail(
            f"[red]unknown role '{role}'[/]: use one of {', '.join(r.value for r in Role)}"
        ) from None
    if chosen is Role.REGIONAL_COORDINATOR and not region:
        raise fail("[red]a regional coordinator needs --region[/] (a ROAZ region code)")
    if chosen is Role.REPORTER and not location:
        raise fail("[red]a reporter needs at least one --location[/]")
    if region and (missing := unknown_regions(conn, [region])):  # type: ignore[arg-type]
        raise fail(f"[red]unknown region {', '.join(missing)}[/]: see `kraan status`")
    if location and (missing := unknown_locations(conn, location)):  # type: ignore[arg-type]
        raise fail(f"[red]unknown location {', '.join(missing)}[/]")
    return chosen


def _new_password() -> str:
    return secrets.token_urlsafe(12)


@app.command("create")
def create(
    username: Annotated[str, typer.Argument(metavar="NAME", help="The login name.")],
    role: RoleOption,
    db: DbOption = None,
    region: RegionOption = None,
    location: LocationOption = None,
) -> None:
    """Create a web login and print its password once (only a hash is stored)."""
    from kraan.store.access import create_user, user_id

    engine = engine_for(settings_for(db))
    password = _new_password()
    with engine.begin() as conn:
        chosen = check_access(conn, role, region, location or [])
        if user_id(conn, username) is not None:
            raise fail(f"[red]user '{username}' exists[/]: use `kraan user reset-password`")
        create_user(
            conn,
            username=username,
            role=chosen,  # type: ignore[arg-type]
            now=now(),
            actor="cli",
            password=password,
            region_code=region,
            location_codes=location or [],
        )
    console.print(f"User [bold]{username}[/] created; password (shown once):")
    sys.stdout.write(password + "\n")


@app.command("reset-password")
def reset_password(
    username: Annotated[str, typer.Argument(metavar="NAME", help="The login name.")],
    db: DbOption = None,
) -> None:
    """Give a user a new password, printed once (also re-enables a disabled user)."""
    from kraan.store.user_admin import set_password

    engine = engine_for(settings_for(db))
    password = _new_password()
    with engine.begin() as conn:
        if not set_password(conn, username=username, password=password, now=now(), actor="cli"):
            raise fail(f"[red]no user '{username}'[/]", code=1)
    console.print(f"New password for [bold]{username}[/] (shown once):")
    sys.stdout.write(password + "\n")


@app.command("disable")
def disable(
    username: Annotated[str, typer.Argument(metavar="NAME", help="The login name.")],
    db: DbOption = None,
) -> None:
    """Stop a user's logins and revoke its API tokens."""
    from kraan.store.user_admin import disable_user

    engine = engine_for(settings_for(db))
    with engine.begin() as conn:
        if not disable_user(conn, username=username, now=now(), actor="cli"):
            raise fail(f"[red]no user '{username}'[/]", code=1)
    console.print(f"User [bold]{username}[/] disabled; its tokens are revoked.")
