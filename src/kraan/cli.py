"""The ``kraan`` command: demo, serve, import, status, token."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from kraan import cli_spread
from kraan.cli_forecast import backtest as backtest_command
from kraan.cli_forecast import forecast as forecast_command
from kraan.settings import Settings, get_settings

app = typer.Typer(
    help="Kraan: care-capacity coordination in an epidemic surge.",
    no_args_is_help=True,
    add_completion=False,
)
token_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.command("backtest")(backtest_command)
app.command("forecast")(forecast_command)
app.command("spread")(cli_spread.spread)
app.command("spread-eval")(cli_spread.evaluate)
console = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database URL (default: KRAAN_DATABASE_URL or sqlite:///var/kraan.db)."
    ),
]


def _settings(db: str | None) -> Settings:
    base = get_settings()
    return base.model_copy(update={"database_url": db}) if db else base


def _engine(settings: Settings):  # type: ignore[no-untyped-def]
    from kraan.store.db import make_engine, migrate

    engine = make_engine(settings.database_url)
    migrate(engine)
    return engine


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _parse_as_of(value: str | None) -> datetime:
    if not value:
        return _now()
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(23, 59, 59))
        moment = datetime.fromisoformat(value)
    except ValueError:
        console.print(f"[red]--as-of '{value}' is not a date:[/] use YYYY-MM-DD or ISO 8601")
        raise typer.Exit(2) from None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _day(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        console.print(f"[red]{name} '{value}' is not a date:[/] use YYYY-MM-DD")
        raise typer.Exit(2) from None


@app.command()
def demo(
    db: DbOption = None,
    start: Annotated[str | None, typer.Option(help="First day to load (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option(help="Last day to load (YYYY-MM-DD).")] = None,
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve")] = True,
) -> None:
    """Load the bundled public data into the database and serve the dashboard."""
    from kraan.services.demo import load_demo

    settings = _settings(db)
    if not settings.raw_data_dir.is_dir():
        console.print(
            f"[red]The bundled data is not at {settings.raw_data_dir}.[/] "
            "Set KRAAN_RAW_DATA_DIR to the shared/data/raw folder."
        )
        raise typer.Exit(2)
    engine = _engine(settings)
    result = load_demo(
        engine, settings, start=_day(start, "--start"), end=_day(end, "--end"), progress=True
    )
    console.print(
        f"[green]Demo data ready[/] in {settings.database_url}: {result['reports']} new reports "
        f"from {result['locations']} locations (synthetic split of the real LCPS figures)."
    )
    if "coordinator_password" in result:
        console.print(
            "Log in as [bold]coordinator[/] with password "
            f"[bold]{result['coordinator_password']}[/] (shown once; only a hash is stored).\n"
            f"API token: {result['coordinator_token']}"
        )
    if serve_after:
        serve(db=db)


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str | None, typer.Option(help="Interface to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port.")] = None,
) -> None:
    """Serve the API and the dashboard."""
    import uvicorn

    from kraan.api.app import create_app

    settings = _settings(db)
    host = host or settings.host
    port = port or settings.port
    console.print(f"Dashboard on [bold]http://{host}:{port}/[/] (API docs at /docs). Ctrl+C stops.")
    if settings.forecast_warmup:  # background: the first outlook of a date is then quick
        from kraan.services.forecast_warmup import start_warm_up
        from kraan.store.db import make_engine

        start_warm_up(make_engine(settings.database_url))
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="CSV of reports, or an LCPS datafeed CSV.")],
    db: DbOption = None,
    file_format: Annotated[
        str, typer.Option("--format", help="csv (documented columns), lcps, or auto.")
    ] = "auto",
    as_user: Annotated[
        str, typer.Option("--as", help="Who imports (recorded in the audit log).")
    ] = "cli",
) -> None:
    """Import reports from a file. Running the same import twice changes nothing."""
    from kraan.domain.access import Principal, Role
    from kraan.ingest.csv_reports import CsvFormatError
    from kraan.ingest.lcps import LcpsFormatError
    from kraan.services.demo import import_lcps_file
    from kraan.services.ingest import import_csv

    settings = _settings(db)
    if not path.is_file():
        console.print(f"[red]{path} does not exist.[/]")
        raise typer.Exit(2)
    text = path.read_text(encoding="utf-8-sig")
    head = text.split("\n", 1)[0].lower()
    kind = file_format
    if kind == "auto":
        kind = "lcps" if ("ic_bedden_covid" in head or "ic_bezetting_covid" in head) else "csv"
    engine = _engine(settings)
    if kind == "lcps":
        try:
            stored = import_lcps_file(
                engine, settings, path, actor=f"cli:{as_user}", now=_now(), progress=True
            )
        except LcpsFormatError as error:
            console.print(f"[red]{error}[/]")
            raise typer.Exit(1) from None
        console.print(f"[green]{stored} new reports[/] from {path} (days already held skipped).")
        return
    principal = Principal(username=f"cli:{as_user}", role=Role.NATIONAL_COORDINATOR)
    try:
        rows = import_csv(engine, text, principal=principal, settings=settings, now=_now())
    except CsvFormatError as error:
        console.print(f"[red]{path}: {error}[/]")
        raise typer.Exit(1) from None
    table = Table(title=f"Import of {path.name}")
    for column in ("line", "outcome", "version", "message"):
        table.add_column(column)
    for row in rows:
        messages = [f"{e['field']}: {e['message']}" for e in row["errors"]]  # type: ignore[attr-defined]
        messages += [f"warning {w['field']}: {w['message']}" for w in row["warnings"]]  # type: ignore[attr-defined]
        style = "red" if row["outcome"] == "rejected" else None
        table.add_row(
            str(row["line"]),
            str(row["outcome"]),
            str(row["version"] or ""),
            "\n".join(messages),
            style=style,
        )
    Console().print(table)
    rejected = sum(1 for r in rows if r["outcome"] == "rejected")
    if rejected:
        console.print(f"[yellow]{rejected} rows rejected[/]; fix them and import the file again.")
        raise typer.Exit(1)


@app.command()
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

    settings = _settings(db)
    moment = _parse_as_of(as_of)
    engine = _engine(settings)
    with engine.connect() as conn:
        document = status_document(build_overview(conn, as_of=moment, settings=settings))
    if output == "json":
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
        return
    if output != "table":
        console.print("[red]--format must be json or table[/]")
        raise typer.Exit(2)
    national = document["national"]
    out = Console()
    out.print(
        f"[bold]As of {document['as_of']}[/]  LNAZ phase [bold]{national['phase']}[/]: "
        f"{national['phase_explanation']}"
    )
    ic, ward = national["ic"], national["ward"]
    out.print(
        f"IC  COVID {ic['covid']} (+{ic['ontlabeld']} ontlabeld), non-COVID {ic['non_covid']}, "
        f"staffed {ic['staffed']}, abroad {ic['abroad']}"
    )
    out.print(
        f"Ward COVID {ward['covid']} (+{ward['ontlabeld']} ontlabeld), "
        f"non-COVID {ward['non_covid']}, staffed {ward['staffed']}"
    )
    table = Table()
    for column in (
        "code",
        "region",
        "status",
        "IC covid/staffed",
        "ward covid/staffed",
        "coverage",
        "stale",
    ):
        table.add_column(column)
    for region in document["regions"]:
        coverage = region["coverage"]
        table.add_row(
            region["code"],
            region["name"],
            region["status"],
            f"{region['ic']['covid']}/{region['ic']['staffed']}",
            f"{region['ward']['covid']}/{region['ward']['staffed']}",
            f"{coverage:.0%}" if coverage is not None else "-",
            str(len(region["stale"])),
        )
    out.print(table)


@token_app.command("create")
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
    from kraan.domain.access import Role
    from kraan.store.access import create_user, issue_token, user_id

    try:
        chosen = Role(role)
    except ValueError:
        console.print(
            f"[red]unknown role '{role}'[/]: use one of {', '.join(r.value for r in Role)}"
        )
        raise typer.Exit(2) from None
    engine = _engine(_settings(db))
    now = _now()
    with engine.begin() as conn:
        uid = user_id(conn, username)
        if uid is None:
            uid = create_user(
                conn,
                username=username,
                role=chosen,
                now=now,
                actor="cli",
                region_code=region,
                location_codes=location or [],
            )
        token = issue_token(conn, user_id=uid, now=now, actor="cli", label="cli")
    sys.stdout.write(token + "\n")


def main(argv: list[str] | None = None) -> None:
    app(args=argv, prog_name="kraan")


if __name__ == "__main__":
    main()
