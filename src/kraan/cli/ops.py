"""Operations commands: ``kraan audit verify``, ``kraan backup``, ``kraan restore``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console(stderr=True, soft_wrap=True)
audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: KRAAN_DATABASE_URL)."),
]


def _url(db: str | None) -> str:
    from kraan.settings import get_settings

    return db or get_settings().database_url


@audit_app.command("verify")
def verify(db: DbOption = None) -> None:
    """Recompute the audit log's hash chain; exit 1 at the first row that does not hold."""
    from kraan.cli.common import engine_for, settings_for
    from kraan.store.audit import verify_chain

    engine = engine_for(settings_for(db))  # refuses a missing or unmigrated database
    with engine.connect() as conn:
        check = verify_chain(conn)
    engine.dispose()
    if not check.ok:
        console.print(f"[red]audit chain broken at row id {check.broken_at}[/]: {check.reason}")
        raise typer.Exit(1)
    console.print(f"audit chain holds over {check.rows} rows")


def backup(
    target: Annotated[Path, typer.Argument(help="File to write (pg_dump custom format).")],
    db: DbOption = None,
) -> None:
    """Back the database up: pg_dump on PostgreSQL, the online backup API on SQLite."""
    from kraan.cli.common import engine_for, settings_for
    from kraan.store.backup import BackupError
    from kraan.store.backup import backup as run_backup

    engine_for(settings_for(db)).dispose()  # a missing database is an error, not a crash
    try:
        written = run_backup(_url(db), target)
    except BackupError as error:
        console.print(f"[red]backup failed[/]: {error}")
        raise typer.Exit(1) from None
    console.print(f"backup written to {written} ({written.stat().st_size} bytes)")


def restore(
    source: Annotated[Path, typer.Argument(help="A file written by 'kraan backup'.")],
    db: DbOption = None,
) -> None:
    """Restore a backup into an empty database (pg_restore, or the SQLite backup API)."""
    from kraan.store.backup import BackupError
    from kraan.store.backup import restore as run_restore

    try:
        run_restore(_url(db), source)
    except BackupError as error:
        console.print(f"[red]restore failed[/]: {error}")
        raise typer.Exit(1) from None
    console.print(f"restored {source}")


def register(app: typer.Typer) -> None:
    """Called once by the CLI entry point."""
    app.add_typer(audit_app, name="audit")
    app.command("backup")(backup)
    app.command("restore")(restore)
