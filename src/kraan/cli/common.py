"""What every ``kraan`` command shares: the ``--db`` option, settings, engine, dates.

Written once here so that the command modules only parse their own options and call
a service. Usage errors exit with code 2, bad input with code 1.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from kraan.domain.moments import parse_moment
from kraan.settings import Settings, get_settings

if TYPE_CHECKING:
    from kraan.store.db import Engine

#: Messages and progress go to stderr, so stdout stays clean for JSON and CSV.
console = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database URL (default: KRAAN_DATABASE_URL or sqlite:///var/kraan.db)."
    ),
]


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a (rich markup) message to stderr; ``raise fail(...)`` exits with ``code``."""
    console.print(message)
    return typer.Exit(code)


def settings_for(db: str | None) -> Settings:
    """The settings, with ``--db`` (when given) as the database URL."""
    base = get_settings()
    return base.model_copy(update={"database_url": db}) if db else base


def engine_for(settings: Settings, *, create: bool = False) -> Engine:
    """An engine on the settings' database. Only ``create=True`` (``kraan demo``,
    ``kraan db upgrade``) makes or migrates a database; every other command refuses a
    missing or outdated one instead of showing an empty picture."""
    from kraan.store.db import make_engine, migrate, schema_problem

    if not create:
        problem = schema_problem(settings.database_url)
        if problem:
            raise fail(
                f"[red]{problem}[/] ({settings.database_url}).\n"
                "Run `kraan demo` (bundled data) or `kraan db upgrade` (empty schema) first, "
                "or point --db / KRAAN_DATABASE_URL at your database.",
                code=1,
            )
    engine = make_engine(settings.database_url)
    if create:
        migrate(engine)
    return engine


def now() -> datetime:
    """The one place the CLI reads the clock (naive UTC, as stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


def parse_as_of(value: str | None, *, hint: str = "use YYYY-MM-DD or ISO 8601") -> datetime:
    """``--as-of``: a date means the end of that day; nothing means now."""
    if not value:
        return now()
    try:
        return parse_moment(value)
    except ValueError:
        raise fail(f"[red]--as-of '{value}' is not a date:[/] {hint}") from None


def parse_day(value: str | None, name: str) -> date | None:
    """An optional ``YYYY-MM-DD`` option; exit 2 naming the option when it is not one."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"[red]{name} '{value}' is not a date:[/] use YYYY-MM-DD") from None
