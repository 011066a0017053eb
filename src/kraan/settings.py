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

from kraan.figures import public_figures

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
    max_beds_per_level: int = Field(
        default_factory=lambda: public_figures().divi_max_count.value,
        description="DIVI: integers 0..999 per care level (data/public_figures.json).",
    )
    max_admissions_24h: int = Field(
        default_factory=lambda: public_figures().divi_max_count.value,
        description="DIVI: integers 0..999 (data/public_figures.json).",
    )
    clock_skew: timedelta = Field(
        timedelta(minutes=5), description="Tolerated clock skew for report times."
    )
    correction_window: timedelta = Field(
        default_factory=lambda: timedelta(days=public_figures().divi_correction_days.value),
        description="DIVI: corrections allowed up to 14 days back (data/public_figures.json).",
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

    # --- help requests and the chain (issue 14, docs/requests.md) ---
    request_stale_after: timedelta = Field(
        timedelta(hours=72),
        description=(
            "A help request not updated for this long is stale and must be re-confirmed before "
            "it may escalate. The 28 Dec 2020 slides (seed 004) re-assessed 'recent requests' "
            "within days and asked for requests 'zo actueel en concreet mogelijk'; 72 h is the "
            "same horizon as the ELV scale-up guarantee (seed 002, item 3). An assumption."
        ),
    )
    elv_scale_up: timedelta = Field(
        timedelta(hours=72),
        description="ELV beds come up from standby within 72 hours (seed 002, item 3).",
    )
    ccv_norm_file: Path = Field(
        PACKAGE_DATA / "ccv_norm.json",
        description="The CCV norm: 5 months regular + 3 months peak use (seed 002, item 10).",
    )

    # --- access ---
    session_cookie: str = "kraan_session"
    token_bytes: int = 32


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
