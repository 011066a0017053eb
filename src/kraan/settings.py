"""One settings object for the whole application.

Every threshold lives here (or in the versioned phase-criteria file it points
to), with the figure it comes from. Read with ``KRAAN_`` environment variables,
e.g. ``KRAAN_DATABASE_URL=postgresql+psycopg://user@host/db``.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGE_DATA = PACKAGE_DIR / "data"


def _default_raw_data_dir() -> Path:
    """The bundled public data sits beside the checkout in ``../shared/data/raw``."""
    for base in (Path.cwd(), *Path.cwd().parents, PACKAGE_DIR, *PACKAGE_DIR.parents):
        candidate = base / "shared" / "data" / "raw"
        if candidate.is_dir():
            return candidate
        sibling = base.parent / "shared" / "data" / "raw"
        if sibling.is_dir():
            return sibling
    # the workplace keeps the shared folder at a fixed place; a clone elsewhere still finds it
    fixed = Path("/work/shared/data/raw")
    return fixed if fixed.is_dir() else Path("../shared/data/raw")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KRAAN_", frozen=True)

    database_url: str = Field(
        "sqlite:///var/kraan.db",
        description="SQLAlchemy URL. SQLite is the embedded default; PostgreSQL in production.",
    )
    raw_data_dir: Path = Field(default_factory=_default_raw_data_dir)
    host: str = "127.0.0.1"
    port: int = 8000

    # --- ingest validation (domain.md, "Reporting practice": DIVI rules) ---
    max_beds_per_level: int = Field(999, description="DIVI: integers 0..999 per care level.")
    max_admissions_24h: int = Field(999)
    clock_skew: timedelta = Field(
        timedelta(minutes=5), description="Tolerated clock skew for report times."
    )
    correction_window: timedelta = Field(
        timedelta(days=14), description="DIVI: corrections allowed up to 14 days back."
    )
    earliest_report: str = Field("2020-01-01", description="No report may predate this.")
    max_batch_size: int = Field(5000)

    # --- monitor ---
    stale_after: timedelta = Field(
        timedelta(hours=26),
        description=(
            "A location is stale when its latest report is older than this. LCPS pushed every "
            "5 minutes but published daily at a fixed time; 26 h tolerates one missed day-cut."
        ),
    )

    # --- phases ---
    phase_criteria_file: Path = Field(PACKAGE_DATA / "phase_criteria.json")

    # --- access ---
    session_cookie: str = "kraan_session"
    token_bytes: int = 32

    # --- spreading (issue 13: live plans look ahead) ---
    spread_forecast_quantile: float = Field(
        0.5,
        gt=0.0,
        lt=1.0,
        description=(
            "Quantile of Kraan's own occupancy forecast that live transfer plans "
            "(kraan spread --as-of, the spreading page, POST plans with as_of) plan "
            "against. The median: an upper quantile in every region at once would "
            "over-state the national total and leave no receiver (assumption; "
            "docs/spreading.md, section 4)."
        ),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
