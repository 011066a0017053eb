"""``kraan early-warning``: the points score for one patient, and the regional aggregates.

Registered in :mod:`kraan.cli` with one line (``app.add_typer(early_warning.app, ...)``).
The practice list itself is only for the practice's GPs (API and page); the CLI prints no
patient-level data from the database.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

app = typer.Typer(
    help="GP early warning (docs/early-warning.md): score and aggregates.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command("score")
def score(
    age: Annotated[int, typer.Option(help="Age in years.")],
    risk: Annotated[list[str], typer.Option(help="Risk group code; repeat.")] = [],  # noqa: B006
) -> None:
    """Points, whether the patient would be listed, and why (no database)."""
    from kraan.domain.care_at_home.risk_score import score as points
    from kraan.domain.care_at_home.risk_score import validate_patient
    from kraan.services.care_at_home.early_warning import model
    from kraan.settings import get_settings

    m = model(get_settings())
    problems = validate_patient(age, risk, m)
    if problems:
        for field, message in problems:
            typer.echo(f"{field}: {message}", err=True)
        raise typer.Exit(1)
    result = points(age, risk, m)
    out = {"points": result.points, "listed": result.listed, "why": list(result.why)}
    sys.stdout.write(json.dumps(out, indent=2) + "\n")


@app.command("aggregates")
def aggregates(
    db: Annotated[str | None, typer.Option("--db", help="Database URL.")] = None,
) -> None:
    """Per region: practices, listed patients, actions, workload (counts below 5 suppressed)."""
    from kraan.cli.home import _engine
    from kraan.services.care_at_home.early_warning import regional_aggregates

    engine, settings = _engine(db)
    with engine.connect() as conn:
        sys.stdout.write(json.dumps(regional_aggregates(conn, settings), indent=2) + "\n")
