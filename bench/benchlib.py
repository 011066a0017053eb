"""Shared by the benchmarks: a throw-away PostgreSQL schema, synthetic places, machine facts.

The benchmarks build their own reference data (150 hand-made locations in 10
regions) so that they measure the store and the API, not the demo loader.
"""

from __future__ import annotations

import os
import platform
import random
import statistics
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, create_engine, text

from kraan.domain.model import CareLevel, Location, LocationKind, Region
from kraan.store.db import make_engine, migrate
from kraan.store.reference import MunicipalityRow, replace_reference

DEFAULT_PG_URL = os.environ.get(
    "KRAAN_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@dataclass(frozen=True, slots=True)
class BenchSchema:
    """A schema of its own, so a benchmark never touches real data and cleans up fully."""

    base_url: str
    name: str

    @property
    def url(self) -> str:
        """The database URL with ``search_path`` set to this schema (as tests/conftest.py)."""
        joiner = "&" if "?" in self.base_url else "?"
        return f"{self.base_url}{joiner}options=-csearch_path%3D{self.name}"

    def engine(self) -> Engine:
        return make_engine(self.url)

    def drop(self) -> None:
        admin = create_engine(self.base_url)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE'))
        admin.dispose()


def create_schema(base_url: str, prefix: str, *, reuse: str | None = None) -> BenchSchema:
    """Create (or reuse) a schema and bring it to the newest migration."""
    schema = BenchSchema(base_url, reuse or f"{prefix}_{uuid.uuid4().hex[:8]}")
    admin = create_engine(base_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema.name}"'))
    admin.dispose()
    engine = schema.engine()
    migrate(engine)
    engine.dispose()
    return schema


def synthetic_reference(n_locations: int, seed: int = 7) -> tuple[list[Region], list[Location]]:
    """``n_locations`` hospitals spread over 10 regions with plausible IC and ward sizes."""
    rng = random.Random(seed)
    regions = [
        Region(f"B{r:02d}", f"Bench region {r}", (f"BV{r:02d}",), 1_700_000) for r in range(10)
    ]
    locations = []
    for i in range(n_locations):
        region = regions[i % len(regions)]
        ic = rng.choice((8, 12, 16, 20, 24, 30, 40, 60))
        locations.append(
            Location(
                code=f"BENCH{i:04d}",
                name=f"Bench hospital {i}",
                kind=LocationKind.HOSPITAL,
                region_code=region.code,
                safety_region_code=region.safety_regions[0],
                municipality_code="GM9999",
                lat=51.0 + rng.random() * 2.4,
                lon=3.6 + rng.random() * 3.4,
                planned_beds={CareLevel.IC: ic, CareLevel.WARD: ic * 10},
            )
        )
    return regions, locations


def seed_reference(engine: Engine, n_locations: int) -> list[Location]:
    regions, locations = synthetic_reference(n_locations)
    with engine.begin() as conn:
        replace_reference(
            conn,
            region_list=regions,
            safety_region_names={r.safety_regions[0]: r.name for r in regions},
            municipality_list=[MunicipalityRow("GM9999", "Bench town", "BV00", 10_000)],
            location_list=locations,
            actor="bench",
            now=datetime.now(UTC).replace(tzinfo=None),
        )
    return locations


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _ram_gib() -> float:
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return float("nan")


def machine_line(engine: Engine) -> str:
    """One line that says where the figures come from, to print beside them."""
    with engine.connect() as conn:
        version = str(conn.execute(text("show server_version")).scalar())
    return (
        f"{_cpu_model()}, {os.cpu_count()} cores, {_ram_gib():.0f} GiB RAM, "
        f"PostgreSQL {version.split()[0]}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, {datetime.now(UTC):%Y-%m-%d}, "
        f"1-min load average {os.getloadavg()[0]:.1f} before the run"
    )


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile; enough for a benchmark print-out."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary_ms(values: list[float]) -> str:
    """p50 / p95 / max of durations given in seconds, as milliseconds."""
    if not values:
        return "no samples"
    return (
        f"p50 {statistics.median(values) * 1000:.1f} ms, "
        f"p95 {percentile(values, 95) * 1000:.1f} ms, max {max(values) * 1000:.1f} ms"
    )
