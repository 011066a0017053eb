"""``kraan requests list``: the staff-help requests as they stood at a moment.

Registered on the main app with one line (``app.add_typer(requests.app, ...)``).
Figures only by default (rung, state, people asked and deployed); ``--detail`` adds the
reasons and who came, for the operator who runs the database anyway.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from kraan.cli.common import console, engine_for, parse_as_of, settings_for

app = typer.Typer(help="Staff-help requests and the escalation ladder.", no_args_is_help=True)


@app.command("list")
def list_requests(
    db: Annotated[str | None, typer.Option("--db", help="Database URL.")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="YYYY-MM-DD (end of that day) or ISO time.")
    ] = None,
    region: Annotated[str | None, typer.Option("--region", help="A ROAZ region code.")] = None,
    output: Annotated[str, typer.Option("--format", help="json or table.")] = "table",
    detail: Annotated[bool, typer.Option("--detail", help="Reasons and people too.")] = False,
) -> None:
    """Open and closed requests at --as-of, with the open ones per rung and kind of worker."""
    from kraan.domain.access import Principal, Role
    from kraan.services.requests import request_views, summarise

    if output not in ("json", "table"):
        console.print("[red]--format must be json or table[/]")
        raise typer.Exit(2)
    settings = settings_for(db)
    moment = parse_as_of(as_of)
    engine = engine_for(settings)
    reader = Principal("cli", Role.NATIONAL_COORDINATOR) if detail else None
    with engine.connect() as conn:
        views = request_views(
            conn, as_of=moment, stale_after=settings.request_stale_after, region=region,
            principal=reader,
        )  # fmt: skip
    summary = summarise(views, as_of=moment)
    if output == "json":
        document = {"region": region, "summary": summary, "requests": views}
        sys.stdout.write(json.dumps(document, indent=2, default=str) + "\n")
        return
    out = Console() if sys.stdout.isatty() else Console(width=160)  # pipes: no wrapping
    rungs = summary["open_by_rung"]
    out.print(
        f"[bold]As of {moment:%Y-%m-%d %H:%M} UTC[/]{' ' + region if region else ''}: "
        f"{summary['open']} open (rung 1: {rungs['1']}, rung 2: {rungs['2']}, rung 3: "
        f"{rungs['3']}), {summary['stale']} stale, {summary['msob_pending']} MSOB pending"
    )
    table = Table()
    for column in ("id", "location", "region", "rung", "state", "asked for", "deployed",
                   "h in state", "stale"):  # fmt: skip
        table.add_column(column)
    for v in views:
        table.add_row(
            str(v["id"]), v["location_code"], v["region_code"], str(v["rung"]), v["state"],
            ", ".join(f"{n} {k}" for k, n in v["workers"].items()),
            ", ".join(f"{n} {k}" for k, n in v["deployed"].items()) or "-",
            f"{v['hours_in_state']:.0f}", "yes" if v["stale"] else "",
        )  # fmt: skip
    out.print(table)
