"""``kraan simulate``: replay an LCPS file, run a scenario file, or sweep on Dask."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

console = Console(stderr=True, soft_wrap=True)


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]{message}[/]")
    return typer.Exit(2)


def read_document(path: Path) -> dict[str, Any]:
    """A scenario or sweep file: JSON, or YAML when PyYAML is installed (the ``sim`` extra)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:  # pragma: no cover - the sim extra brings PyYAML
            raise _fail("YAML needs PyYAML: pip install 'kraan[sim]', or use JSON") from None
        data = yaml.safe_load(text)
    else:
        data = json.loads(text)
    if not isinstance(data, dict):
        raise _fail(f"{path}: expected a mapping at the top level")
    return data


def _date(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(f"{name} '{value}' is not a date: use YYYY-MM-DD") from None


def simulate(
    input: Annotated[Path | None, typer.Option("--input", help="LCPS feed (either format).")]
    = None,
    start: Annotated[str | None, typer.Option("--start", help="First day, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option("--end", help="Last day, YYYY-MM-DD.")] = None,
    members: Annotated[int, typer.Option("--members", min=1, max=100_000)] = 100,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    modules: Annotated[str, typer.Option("--modules", help="e.g. 1,4A,ELV,FS")] = "",
    fmt: Annotated[str, typer.Option("--format", help="json or table")] = "table",
    scenario: Annotated[Path | None, typer.Option("--scenario", help="Scenario file.")] = None,
    sweep: Annotated[Path | None, typer.Option("--sweep", help="Sweep file.")] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="tcp://host:port (default: LocalCluster)")
    ] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, max=16)] = 2,
    threads: Annotated[
        bool, typer.Option("--threads", help="LocalCluster workers as threads, not processes.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Directory for the sweep's Parquet results.")
    ] = None,
) -> None:
    """What-if simulation of the care chain (docs/simulation.md)."""
    from pydantic import ValidationError

    from kraan.domain.simulation.scenario import Replay, Scenario, Sweep
    from kraan.ingest.lcps import LcpsFormatError
    from kraan.services.simulation import scenario_document
    from kraan.settings import get_settings

    if fmt not in ("json", "table"):
        raise _fail("--format must be json or table")
    raw_dir = get_settings().raw_data_dir
    raw = raw_dir if Path(raw_dir).is_dir() else None
    try:
        if sweep is not None:
            from kraan.services.simulation_sweep import render_table, run_sweep

            spec = Sweep.model_validate(read_document(sweep))
            table = run_sweep(spec, raw, scheduler=scheduler, workers=workers, out=out,
                              progress=fmt == "table", processes=not threads)
            if fmt == "json":
                sys.stdout.write(json.dumps(table, indent=None) + "\n")
            else:
                render_table(table, Console())
            return
        if scenario is not None:
            spec_s = Scenario.model_validate(read_document(scenario))
        else:
            first, last = _date(start, "--start"), _date(end, "--end")
            if input is None or first is None or last is None:
                raise _fail("give --input, --start and --end (or --scenario / --sweep)")
            spec_s = Scenario(
                name=f"replay {input.name}", replay=Replay(input=input, start=first, end=last),
                members=members, seed=seed, modules=modules,  # type: ignore[arg-type]
            )
        document = scenario_document(spec_s, raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise _fail(f"invalid scenario: {problems}") from None
    except (LcpsFormatError, ValueError, KeyError, OSError) as exc:
        raise _fail(str(exc)) from None
    if fmt == "json":
        sys.stdout.write(json.dumps(document) + "\n")
        return
    summary = document["summary"]
    assert isinstance(summary, dict)
    console.print(f"[bold]{spec_s.name}[/] {len(document['days'])} days, "  # type: ignore[arg-type]
                  f"{spec_s.members} members, seed {spec_s.seed}")
    for key, value in summary.items():
        Console().print(f"{key}: {value}")
