"""``kraan home``: missed-measurement scan and the aggregates (no patient-level output).

Registered in :mod:`kraan.cli` with one line (``app.add_typer(home.app, name="home")``).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime, time
from typing import Annotated

import typer

app = typer.Typer(
    help="Home monitoring (docs/home-monitoring.md): scan for missed measurements, aggregates.",
    no_args_is_help=True,
    add_completion=False,
)

DbOption = Annotated[str | None, typer.Option("--db", help="Database URL.")]


def _engine(db: str | None):  # type: ignore[no-untyped-def]
    """The database, which must exist and be migrated (``kraan demo`` / ``kraan db upgrade``
    make one); never created here."""
    from kraan.cli.common import engine_for, settings_for

    settings = settings_for(db)
    return engine_for(settings), settings


def _moment(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC).replace(tzinfo=None)
    if len(value) == 10:
        return datetime.combine(date.fromisoformat(value), time(23, 59, 59))
    return datetime.fromisoformat(value)


@app.command("scan")
def scan(db: DbOption = None, now: Annotated[str | None, typer.Option()] = None) -> None:
    """Raise an alert for every active patient whose measurement is overdue."""
    from kraan.services.care_at_home.home import scan_missed

    engine, settings = _engine(db)
    with engine.begin() as conn:
        raised = scan_missed(conn, settings, now=_moment(now))
    sys.stdout.write(json.dumps({"missed_alerts_raised": raised}) + "\n")


@app.command("summary")
def summary(db: DbOption = None, as_of: Annotated[str | None, typer.Option()] = None) -> None:
    """Per region and national aggregates (small regional counts suppressed), as JSON."""
    from kraan.services.care_at_home import regional_summary

    engine, settings = _engine(db)
    sys.stdout.write(
        json.dumps(regional_summary(engine, _moment(as_of), settings), indent=2) + "\n"
    )


@app.command("module1")
def module1(db: DbOption = None, as_of: Annotated[str | None, typer.Option()] = None) -> None:
    """Bed-days saved per patient and readmission rate for the simulation, as JSON."""
    from kraan.services.care_at_home import module1_parameters

    engine, settings = _engine(db)
    sys.stdout.write(
        json.dumps(module1_parameters(engine, _moment(as_of), settings), indent=2) + "\n"
    )
