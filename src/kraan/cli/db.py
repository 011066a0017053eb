"""``kraan db upgrade``: create the database or bring it to the newest schema."""

from __future__ import annotations

import typer

from kraan.cli.common import DbOption, console, engine_for, settings_for

app = typer.Typer(help="The database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(db: DbOption = None) -> None:
    """Create the database if needed and migrate it to the newest schema (idempotent)."""
    settings = settings_for(db)
    engine_for(settings, create=True).dispose()
    console.print(f"[green]Database at the newest schema:[/] {settings.database_url}")
