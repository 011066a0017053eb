"""Sweeps of quadrants x module combinations x members on ``dask.distributed``.

Every (quadrant, combination, member block) is one task; a ``LocalCluster`` (2 workers
by default: the machine has 2 cores) runs them unless ``--scheduler tcp://host:port``
names a real cluster. All cells share the scenario's seed, so module combinations are
compared on common random numbers, and a block gives the same numbers on any worker.

Results go to Parquet (pyarrow): one row per member and cell with every total, plus the
scenario, the defaults version and a hash of the simulation code in the file's metadata
(and as columns). Parquet because the results are a flat table that any tool reads
(pandas, DuckDB, R, Spark) with its schema and metadata; Zarr would pay off for full
member x day x region trajectories, which a sweep does not keep.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from kraan import __version__
from kraan.domain.simulation.engine import FlowInputs
from kraan.domain.simulation.ensemble import blocks, run_block
from kraan.domain.simulation.modules import Module
from kraan.domain.simulation.params import SimParams
from kraan.domain.simulation.scenario import Scenario, Sweep
from kraan.services.simulation import (
    load_params,
    load_regions,
    scenario_inputs,
    scenario_modules,
)

TABLE_COLUMNS = (
    "peak_ic", "peak_ward", "peak_elv", "ic_days_over_capacity", "ic_excess_bed_days",
    "ward_bed_days",
    "blocked_bed_days", "postponed_U3", "postponed_U4", "postponed_U5", "transfers",
)


def code_version() -> str:
    """Package version plus a hash of the simulation's source (domain and services)."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    files = sorted((root / "domain" / "simulation").glob("*.py")) + [
        root / "services" / "simulation.py", Path(__file__).resolve(),
        root / "data" / "simulation_defaults.json",
    ]
    for path in files:
        digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def combo_name(combo: Sequence[str]) -> str:
    return "+".join(combo) if combo else "none"


def _cell_block(packed: tuple[FlowInputs, SimParams, list[Module]], block: int, members: int,
                seed: int, protect_u3: bool) -> dict[str, np.ndarray]:
    """One member block of one cell (runs on a Dask worker)."""
    inputs, params, modules = packed
    return run_block(inputs, params, modules, seed, block, members, protect_u3).totals


def _client(scheduler: str | None, workers: int, processes: bool) -> Any:
    from distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler), None
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                           dashboard_address=None, silence_logs=40)
    return Client(cluster), cluster


def run_sweep(
    spec: Sweep, raw_dir: Path | None, *, scheduler: str | None = None, workers: int = 2,
    out: Path | None = None, progress: bool = True, processes: bool = True,
) -> dict[str, Any]:
    """Run every cell on Dask; return the effect table (and write Parquet to ``out``)."""
    from distributed import as_completed

    params0 = load_params()
    setup = load_regions(raw_dir)
    tasks: list[tuple[str, str, int, int, Scenario]] = []
    prepared: dict[tuple[str, str], tuple[FlowInputs, SimParams, list[Module], Scenario]] = {}
    for quadrant, combo in spec.cells():
        scenario = spec.base.model_copy(update={"quadrant": quadrant, "modules": [
            m for m in Scenario(modules=list(combo)).modules]})  # type: ignore[arg-type]
        inputs, params = scenario_inputs(scenario, params0, setup)
        prepared[(quadrant, combo_name(combo))] = (
            inputs, params, scenario_modules(scenario, params), scenario)
        for block, n in blocks(scenario.members):
            tasks.append((quadrant, combo_name(combo), block, n, scenario))
    client, cluster = _client(scheduler, workers, processes)
    results: dict[tuple[str, str], list[tuple[int, dict[str, np.ndarray]]]] = {}
    try:
        scattered = {key: client.scatter([val[:3]], broadcast=True)[0]
                     for key, val in prepared.items()}
        futures = {}
        for quadrant, name, block, n, scenario in tasks:
            fut = client.submit(_cell_block, scattered[(quadrant, name)], block, n,
                                scenario.seed, scenario.protect_u3, pure=False)
            futures[fut] = (quadrant, name, block)
        if progress:
            from rich.progress import Progress

            with Progress(transient=True) as bar:
                job = bar.add_task(f"{len(prepared)} cells, {len(tasks)} blocks",
                                   total=len(tasks))
                for fut in as_completed(futures):
                    q, name, block = futures[fut]
                    results.setdefault((q, name), []).append((block, fut.result()))
                    bar.advance(job)
        else:
            for fut in as_completed(futures):
                q, name, block = futures[fut]
                results.setdefault((q, name), []).append((block, fut.result()))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

    merged = {
        key: {k: np.concatenate([t[k] for _, t in sorted(parts, key=lambda x: x[0])])
              for k in parts[0][1]}
        for key, parts in results.items()
    }
    table = effect_table(spec, merged)
    if out is not None:
        write_parquet(Path(out), spec, merged)
        table["stored"] = str(out)
    return table


def effect_table(spec: Sweep, merged: dict[tuple[str, str], dict[str, np.ndarray]]
                 ) -> dict[str, Any]:
    rows = []
    for quadrant, combo in spec.cells():
        name = combo_name(combo)
        totals = merged[(quadrant, name)]
        base = merged.get((quadrant, "none"))
        row: dict[str, Any] = {"quadrant": quadrant, "modules": name,
                               "members": int(totals["peak_ic"].shape[0])}
        for col in TABLE_COLUMNS:
            value = float(np.median(totals[col]))
            row[col] = round(value, 1)
            if base is not None:
                row[f"d_{col}"] = round(value - float(np.median(base[col])), 1)
        rows.append(row)
    return {"code_version": code_version(), "defaults_version": load_params().version,
            "seed": spec.base.seed, "rows": rows}


def write_parquet(out: Path, spec: Sweep, merged: dict[tuple[str, str], dict[str, np.ndarray]]
                  ) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    out.mkdir(parents=True, exist_ok=True)
    columns: dict[str, list[Any]] = {"quadrant": [], "modules": [], "member": []}
    for (quadrant, name), totals in sorted(merged.items()):
        n = totals["peak_ic"].shape[0]
        columns["quadrant"] += [quadrant] * n
        columns["modules"] += [name] * n
        columns["member"] += list(range(n))
        for key, values in totals.items():
            columns.setdefault(key, []).extend(float(v) for v in values)
    version = code_version()
    columns["code_version"] = [version] * len(columns["member"])
    table = pa.table(columns)
    meta = {
        b"kraan.sweep": spec.model_dump_json().encode(),
        b"kraan.code_version": version.encode(),
        b"kraan.defaults_version": load_params().version.encode(),
        b"kraan.created": datetime.now(UTC).isoformat().encode(),
    }
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **meta})
    stamp = hashlib.sha256(spec.model_dump_json().encode()).hexdigest()[:10]
    path = out / f"sweep-{stamp}-{version.split('+')[-1]}.parquet"
    pq.write_table(table, path)
    return path


def render_table(table: dict[str, Any], console: Any) -> None:
    from rich.table import Table

    view = Table(title=f"Module effects (median over members; code {table['code_version']})")
    cols = ["quadrant", "modules", "peak_ic", "peak_ward", "ic_days_over_capacity",
            "ic_excess_bed_days", "ward_bed_days", "blocked_bed_days", "postponed_U3",
            "postponed_U4", "postponed_U5"]
    for col in cols:
        view.add_column(col, justify="left" if col in ("quadrant", "modules") else "right")
    for row in table["rows"]:
        view.add_row(*[str(row.get(c, "")) for c in cols])
    console.print(view)
    if "stored" in table:
        console.print(f"results stored in {table['stored']}")


def sweep_from_json(text: str) -> Sweep:
    return Sweep.model_validate(json.loads(text))
