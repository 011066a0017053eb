"""``kraan token create``: users and API tokens."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from kraan.cli.common import DbOption, engine_for, fail, now, settings_for

app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)


@app.command("create")
def token_create(
    username: Annotated[str, typer.Argument(help="Who the token is for.")],
    role: Annotated[
        str, typer.Option(help="viewer, reporter, regional_coordinator, national_coordinator")
    ],
    db: DbOption = None,
    region: Annotated[str | None, typer.Option(help="Region code (regional coordinators).")] = None,
    location: Annotated[
        list[str] | None, typer.Option(help="Location code (reporters); repeat.")
    ] = None,
) -> None:
    """Create a user (if new) and print a new API token once."""
    from kraan.cli.user import check_access
    from kraan.domain.access import Role, token_conflict
    from kraan.store.access import create_user, issue_token, user_principal

    engine = engine_for(settings_for(db))
    moment = now()
    with engine.begin() as conn:
        found = user_principal(conn, username)
        if found is not None:
            uid, holder = found
            conflict = token_conflict(
                holder, role=Role(role) if role in {r.value for r in Role} else holder.role,
                region_code=region, location_codes=frozenset(location or ()),
            )  # fmt: skip
            if conflict or role not in {r.value for r in Role}:  # never more than its user
                raise fail(f"[red]{conflict or f'unknown role {role!r}'}[/]")
        else:
            chosen = check_access(conn, role, region, location or [])
            uid = create_user(
                conn,
                username=username,
                role=chosen,  # type: ignore[arg-type]
                now=moment,
                actor="cli",
                region_code=region,
                location_codes=location or [],
            )
        token = issue_token(conn, user_id=uid, now=moment, actor="cli", label="cli")
    sys.stdout.write(token + "\n")
