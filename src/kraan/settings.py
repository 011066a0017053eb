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


#: The public data the code and tests read travels with the package (see raw/SOURCES.md).
BUNDLED_RAW_DATA = PACKAGE_DATA / "raw"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KRAAN_", frozen=True)

    database_url: str = Field(
        "sqlite:///var/kraan.db",
        description="SQLAlchemy URL. SQLite is the embedded default; PostgreSQL in production.",
    )
    raw_data_dir: Path = Field(
        BUNDLED_RAW_DATA,
        description="Public source data; the copy bundled in the package unless set.",
    )
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
    simulation_max_waiting: int = Field(
        4,
        ge=1,
        description="What-if runs queued or running at once; more get HTTP 429. The runs are "
        "public (nothing is stored), so this bound, not a token, keeps one caller from "
        "filling the single worker thread (a default-sized run takes seconds to a minute).",
    )

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

    # --- weekly briefing (issue 11; seed 000) ---
    display_timezone: str = Field(
        "Europe/Amsterdam", description="Times are stored in UTC and shown in this zone."
    )
    briefing_weekday: int = Field(
        0, ge=0, le=6, description="Seed 000: the Hand aan de Kraan consultation met on Mondays."
    )
    briefing_hour: int = Field(16, ge=0, le=23, description="Seed 000: at 16:00.")
    briefing_minute: int = Field(0, ge=0, le=59)
    briefing_crossing_days: int = Field(
        7, ge=1, le=14, description="A crossing expected within this many days asks a decision."
    )
    chromium_path: str = Field(
        "/usr/bin/chromium", description="Chromium for PDF output (Debian's chromium package)."
    )

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

    # --- care at home and prevention (issue 10; docs/home-monitoring.md, docs/early-warning.md) ---
    home_triage_protocol_file: Path = Field(
        PACKAGE_DATA / "care_at_home" / "home_triage_protocol.json",
        description="Versioned triage protocol: bands, actions, response times, sources.",
    )
    home_patients_per_nurse: int = Field(
        25,
        description="Control-centre capacity: patients one nurse can follow (assumption; set per "
        "region). A team's capacity is nurses x this.",
    )
    home_default_bed_days_saved: float = Field(
        6.0,
        description="Seed 001, module 1: 'a potential saving of on average 6 or more days per "
        "patient' (anchors.md: about 5, 6.5 with home oxygen, in the Dutch early-discharge "
        "programmes); used for the simulation where a region has no signed-off patients.",
    )
    home_default_readmission_rate: float = Field(
        0.065,
        description="Seed 001, module 1: 'only a limited share' is readmitted; 6.5 % after a "
        "hospital stay in the Dutch early-discharge programmes (shared docs/anchors.md). Used "
        "where a region has no signed-off patients.",
    )
    home_fallback_stay_mean_days: float = Field(
        9.0,
        description="Ward stay (Weibull mean, days) when no LCPS series is at hand to fit one "
        "(assumption, near the forecast's fitted ward stays of late 2020).",
    )
    gp_risk_score_file: Path = Field(
        PACKAGE_DATA / "care_at_home" / "gp_risk_score.json",
        description="Versioned early-warning points score with its sources.",
    )
    small_number_threshold: int = Field(
        5, description="Aggregates outside a practice or team show counts below this as '<5'."
    )

    # --- forecasts (docs/forecasting.md, "Speed") ---
    forecast_warmup: bool = Field(
        True,
        description="kraan serve computes and stores the raw forecasts of every stored day "
        "not stored yet in a background thread, so the first outlook of any date is quick "
        "(docs/forecasting.md, 'Speed').",
    )

    # --- access ---
    session_cookie: str = "kraan_session"
    token_bytes: int = 32

    # --- hardening (issue 8) ---
    cookie_secure: bool = Field(
        False,
        description="Send the session cookie only over HTTPS and add HSTS (set behind TLS).",
    )
    max_csv_bytes: int = Field(
        5_000_000, description="Largest CSV upload (assumption: a day of a big hospital group)."
    )
    max_csv_rows: int = Field(20_000, description="Most data rows in one CSV upload.")
    max_rejections_per_hour: int = Field(
        1_000, description="Rejections logged per actor per hour; beyond, one note (assumption)."
    )
    login_max_failures: int = Field(
        5, description="Failed logins per user name, or 4x this per IP, before a lockout."
    )
    login_window: timedelta = Field(
        timedelta(minutes=15), description="Window over which failed logins are counted."
    )
    login_lockout: timedelta = Field(timedelta(minutes=15), description="Lockout length.")
    status_cache: bool = Field(
        True, description="Cache the computed status per (as_of, data version)."
    )
    status_cache_size: int = Field(256, description="Status documents kept in memory.")
    status_now_seconds: int = Field(
        10, description="'Now' (no as_of) is floored to this many seconds: one cache key."
    )
    status_version_seconds: float = Field(
        1.0, description="How long a read data version is trusted (other processes' writes)."
    )
    status_max_age_seconds: int = Field(
        10, description="Cache-Control max-age of the status and the public pages."
    )
    db_retry_after_seconds: int = Field(
        5, description="Retry-After of the 503 sent when the database is unreachable."
    )

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
