"""``kraan status``: the national phase and the regional picture (JSON contract in docs/)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from kraan.cli.common import DbOption, console, engine_for, parse_as_of, settings_for

#: Words for the status codes, short enough for an 80-column terminal.
STATUS_SHORT = {
    "normal": "normal",
    "under_pressure": "under pressure",
    "no_critical_planned": "planned at risk",
    "no_acute": "acute at risk",
    "unknown": "unknown",
}


def status(
    db: DbOption = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="YYYY-MM-DD (end of that day) or ISO time.")
    ] = None,
    output: Annotated[str, typer.Option("--format", help="json or table.")] = "table",
) -> None:
    """The national phase and the regional picture at a moment (JSON contract: docs/)."""
    from kraan.services.contract import status_document
    from kraan.services.overview import build_overview

    settings = settings_for(db)
    moment = parse_as_of(as_of)
    engine = engine_for(settings)
    with engine.connect() as conn:
        document = status_document(build_overview(conn, as_of=moment, settings=settings))
    if output == "json":
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
        return
    if output != "table":
        console.print("[red]--format must be json or table[/]")
        raise typer.Exit(2)
    national = document["national"]
    out = Console(width=min(Console().width, 80))
    out.print(
        f"[bold]As of {document['as_of']}[/]  LNAZ phase [bold]{national['phase']}[/]: "
        f"{national['phase_explanation']}"
    )
    context = [c["text"] for c in national.get("phase_context", [])]
    if context:  # the chain outside the hospital: context, not a criterion of the phase
        out.print("Outside the hospital (context): " + "; ".join(context))
    ic, ward = national["ic"], national["ward"]
    out.print(
        f"IC  COVID {ic['covid']} (+{ic['ontlabeld']} ontlabeld), non-COVID {ic['non_covid']}, "
        f"staffed {ic['staffed']}, abroad {ic['abroad']}"
    )
    out.print(
        f"Ward COVID {ward['covid']} (+{ward['ontlabeld']} ontlabeld), "
        f"non-COVID {ward['non_covid']}, staffed {ward['staffed']}"
    )
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    table.caption = "c/s: COVID patients / staffed beds; cover: locations reporting"
    table.add_column("code", no_wrap=True, min_width=5)
    table.add_column("region", no_wrap=True, overflow="ellipsis", max_width=17)
    table.add_column("status", no_wrap=True, min_width=15)
    table.add_column("IC c/s", justify="right", no_wrap=True, min_width=7)
    table.add_column("ward c/s", justify="right", no_wrap=True, min_width=9)
    table.add_column("cover", justify="right", no_wrap=True, min_width=5)
    table.add_column("stale", justify="right", no_wrap=True, min_width=5)
    for region in document["regions"]:
        coverage = region["coverage"]
        table.add_row(
            region["code"],
            region["name"],
            STATUS_SHORT.get(region["status"], region["status"]),
            f"{region['ic']['covid']}/{region['ic']['staffed']}",
            f"{region['ward']['covid']}/{region['ward']['staffed']}",
            f"{coverage:.0%}" if coverage is not None else "-",
            str(len(region["stale"])),
        )
    out.print(table)
