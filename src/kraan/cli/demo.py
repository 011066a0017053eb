"""``kraan demo`` and ``kraan serve``: load the bundled public data, serve the dashboard."""

from __future__ import annotations

from typing import Annotated

import typer

from kraan.cli.common import DbOption, console, engine_for, parse_day, settings_for
from kraan.store.db import Engine


def demo(
    db: DbOption = None,
    start: Annotated[str | None, typer.Option(help="First day to load (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option(help="Last day to load (YYYY-MM-DD).")] = None,
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve")] = True,
    forecasts: Annotated[
        bool,
        typer.Option(
            "--forecasts/--no-forecasts",
            help="Compute and store the raw forecasts of every day now, so that the first "
            "outlook of any date is quick (docs/forecasting.md, 'Speed').",
        ),
    ] = True,
) -> None:
    """Load the bundled public data into the database and serve the dashboard."""
    from kraan.cli.progress import progress_bar
    from kraan.services.demo import load_demo

    settings = settings_for(db)
    if not settings.raw_data_dir.is_dir():
        console.print(
            f"[red]The bundled data is not at {settings.raw_data_dir}.[/] "
            "Set KRAAN_RAW_DATA_DIR to a folder laid out like src/kraan/data/raw."
        )
        raise typer.Exit(2)
    engine = engine_for(settings, create=True)
    with progress_bar("[bold]loading reports", unit="days") as progress:
        result = load_demo(
            engine,
            settings,
            start=parse_day(start, "--start"),
            end=parse_day(end, "--end"),
            progress=progress,
        )
    console.print(
        f"[green]Demo data ready[/] in {settings.database_url}: {result['reports']} new reports "
        f"from {result['locations']} locations (synthetic split of the real LCPS figures)."
    )
    if forecasts:
        store_forecasts(engine)
    if "coordinator_password" in result:
        console.print(
            "Log in as [bold]coordinator[/] with password "
            f"[bold]{result['coordinator_password']}[/] (shown once; only a hash is stored).\n"
            f"API token: {result['coordinator_token']}"
        )
    for who in ("nurse", "gp"):  # care at home (issue 10): demo control-centre nurse and GP
        if f"{who}_password" in result:
            console.print(
                f"Log in as [bold]{who}[/] with password [bold]{result[f'{who}_password']}[/] "
                "(synthetic care-at-home demo user; shown once)"
            )
    if serve_after:
        serve(db=db)


def store_forecasts(engine: Engine) -> None:
    """Compute and store the raw forecast runs of every stored day (forecast_warmup.py)."""
    from kraan.cli.progress import progress_bar
    from kraan.services.forecast_warmup import warm_up

    with progress_bar("[bold]computing forecasts", unit="series") as progress:
        runs = warm_up(engine, progress=progress)
    console.print(f"Forecasts ready: {runs} raw model runs computed and stored.")


def serve(
    db: DbOption = None,
    host: Annotated[str | None, typer.Option(help="Interface to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port.")] = None,
) -> None:
    """Serve the API and the dashboard."""
    import uvicorn

    from kraan.api.app import create_app

    settings = settings_for(db)
    engine = engine_for(settings)  # refuses a missing or unmigrated database
    host = host or settings.host
    port = port or settings.port
    console.print(f"Dashboard on [bold]http://{host}:{port}/[/] (API docs at /docs). Ctrl+C stops.")
    if settings.forecast_warmup:  # background: the first outlook of a date is then quick
        from kraan.services.forecast_warmup import start_warm_up

        start_warm_up(engine)
    uvicorn.run(create_app(settings, engine), host=host, port=port, log_level="warning")
