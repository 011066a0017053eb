"""Tables. Reports are append-only: a correction is a new version, the old one stays.

The reference time (``reported_at``: when the beds were counted) is kept apart
from the insertion time (``recorded_at``), as icubam's BedCount and the
Coronadashboard's ``date_unix`` / ``date_of_insertion_unix`` do.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Id = BigInteger().with_variant(Integer(), "sqlite")

regions = Table(
    "regions",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("population", Integer, nullable=False, default=0),
    # False since the regions are made of municipalities (municipality_roaz.csv, issue 12);
    # kept for the API field of the same name.
    Column("approximation", Boolean, nullable=False, default=False),
)

#: Safety regions by code. They are not part of a ROAZ region: a safety region can span two
#: or three, so membership goes through the municipalities (0008).
safety_regions = Table(
    "safety_regions",
    metadata,
    Column("code", String(8), primary_key=True),
    Column("name", String(200), nullable=False),
)

municipalities = Table(
    "municipalities",
    metadata,
    Column("code", String(8), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("safety_region_code", String(8), nullable=False),
    Column("population", Integer, nullable=False),
    # the municipality's ROAZ region; NULL: in none (loaded before 0008, or not mapped)
    Column("region_code", String(16), ForeignKey("regions.code"), nullable=True),
)

locations = Table(
    "locations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("region_code", String(16), nullable=False, index=True),
    Column("safety_region_code", String(8), nullable=False, default=""),
    Column("municipality_code", String(8), nullable=False, default=""),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("planned_beds", Text, nullable=False, default="{}"),
    Column("synthetic", Boolean, nullable=False, default=True),
    Column("active", Boolean, nullable=False, default=True),
)

submissions = Table(
    "submissions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("location_id", Integer, ForeignKey("locations.id"), nullable=False),
    Column("reported_at", DateTime, nullable=False),
    Column("version", SmallInteger, nullable=False, default=1),
    Column("is_current", Boolean, nullable=False, default=True),
    Column("recorded_at", DateTime, nullable=False),
    Column("recorded_by", String(100), nullable=False),
    Column("source", String(16), nullable=False),
    Column("staff_absence_pct", Float),
    Column("critical_planned_care_ok", Boolean),
    Column("acute_care_ok", Boolean),
    Column("provenance", String(16), nullable=False, default="actual"),
    Column("warnings", Text, nullable=False, default=""),
    UniqueConstraint("location_id", "reported_at", "version", name="uq_submission_version"),
    Index("ix_submissions_latest", "location_id", "is_current", "reported_at"),
)

submission_levels = Table(
    "submission_levels",
    metadata,
    Column(
        "submission_id",
        Id,
        ForeignKey("submissions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("care_level", String(8), primary_key=True),
    Column("staffed_beds", SmallInteger, nullable=False),
    Column("covid_occupied", SmallInteger, nullable=False),
    Column("ontlabeld_occupied", SmallInteger, nullable=False, default=0),
    Column("non_covid_occupied", SmallInteger, nullable=False, default=0),
    Column("covid_admissions_24h", SmallInteger),
    Column("status", String(16)),
    Column("restrictions", String(64), nullable=False, default=""),
    Column("emergency_reserve_7d", SmallInteger),
    Column("overflow", Boolean, nullable=False, default=False),
)

rejections = Table(
    "rejections",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("received_at", DateTime, nullable=False, index=True),
    Column("actor", String(100), nullable=False),
    Column("source", String(16), nullable=False),
    Column("location_code", String(64)),
    Column("reference", String(200), nullable=False, default=""),
    Column("errors", Text, nullable=False),
    Column("payload", Text, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("actor", String(100), nullable=False),
    Column("action", String(40), nullable=False),
    Column("entity", String(40), nullable=False),
    Column("entity_key", String(200), nullable=False),
    Column("before", Text),
    Column("after", Text),
    # hash chain (issue 8): sha256 over the previous row's hash and this row's content
    Column("prev_hash", String(64)),
    Column("row_hash", String(64)),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("password_hash", String(200)),
    Column("role", String(24), nullable=False),
    Column("region_code", String(16)),
    Column("location_codes", Text, nullable=False, default=""),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String(128), nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("label", String(100), nullable=False, default=""),
    Column("kind", String(16), nullable=False, default="api"),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime),
    Column("revoked_at", DateTime),
)

status_declarations = Table(
    "status_declarations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("region_code", String(16), nullable=False, index=True),
    Column("status", String(24), nullable=False),
    Column("reason", Text, nullable=False),
    Column("declared_by", String(100), nullable=False),
    Column("declared_at", DateTime, nullable=False),
    Column("valid_from", DateTime, nullable=False),
    Column("valid_until", DateTime),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("actor", String(100), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("response", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
)

# ---- spreading workflow (docs/spreading.md, section 3) -----------------------------------

transfer_plans = Table(
    "transfer_plans",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("as_of", DateTime, nullable=False, index=True),
    Column("created_by", String(100), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("settings", JSON, nullable=False),
    Column("result", JSON, nullable=False),
)

transfers = Table(
    "transfers",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("plan_id", Id, ForeignKey("transfer_plans.id"), nullable=True, index=True),
    Column("day", Date, nullable=False, index=True),
    Column("from_area", String(16), nullable=False),
    Column("to_area", String(16), nullable=False),
    Column("patients", Integer, nullable=False),
    Column("care_level", String(8), nullable=False),
    Column("state", String(16), nullable=False),
    #: optimistic locking: every change is ``... WHERE id = :id AND version = :seen``
    Column("version", Integer, nullable=False, default=1),
    #: the bed offer this transfer took its beds from (set on accept, released on cancel)
    Column("offer_id", Id, ForeignKey("bed_offers.id"), nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("updated_by", String(100), nullable=False),
    Column("reason", Text, nullable=False, default=""),
)

transfer_events = Table(
    "transfer_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "transfer_id",
        Id,
        ForeignKey("transfers.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("at", DateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("from_state", String(16)),
    Column("to_state", String(16), nullable=False),
    Column("note", Text, nullable=False, default=""),
)

bed_offers = Table(
    "bed_offers",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("region_code", String(16), nullable=False),
    Column("day", Date, nullable=False),
    Column("care_level", String(8), nullable=False),
    Column("beds_offered", Integer, nullable=False),
    Column("beds_taken", Integer, nullable=False, default=0),
    Column("offered_by", String(100), nullable=False),
    Column("offered_at", DateTime, nullable=False),
    Column("version", Integer, nullable=False, default=1),
    CheckConstraint("beds_taken >= 0 AND beds_taken <= beds_offered", name="beds_within_offer"),
    Index("ix_bed_offers_region_day", "region_code", "day"),
)

from kraan.store import briefing_tables as _briefing_tables  # noqa: E402,F401  (registers its tables)

# care at home and prevention (issue 10): its tables join the same metadata
from kraan.store import care_at_home_tables as _care_at_home_tables  # noqa: E402, F401
from kraan.store import forecast_tables as _forecast_tables  # noqa: E402,F401  (issue 13)
from kraan.store import hardening_tables as _hardening_tables  # noqa: E402,F401  (issue 8)
from kraan.store import requests_tables as _requests_tables  # noqa: E402,F401  help requests (issue 14)
