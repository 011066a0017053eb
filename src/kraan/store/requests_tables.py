"""Tables of help requests and the chain (issue 14, docs/requests.md).

Every item keeps a ``version`` for optimistic locking and an append-only event table,
so a step that lost a race changes nothing (409) and any ``as_of`` can be replayed
from the events at or before it.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
)

from kraan.store.tables import Id, metadata

# ---- staff-help requests and the ladder --------------------------------------------------

help_requests = Table(
    "help_requests",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("location_code", String(32), nullable=False),
    Column("region_code", String(16), nullable=False),
    Column("safety_region_code", String(8), nullable=False, default=""),
    Column("rung", SmallInteger, nullable=False),
    Column("state", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("updated_by", String(100), nullable=False),
    Index("ix_help_requests_region_state", "region_code", "state"),
)

help_request_events = Table(
    "help_request_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("request_id", Id, ForeignKey("help_requests.id"), nullable=False, index=True),
    Column("version", Integer, nullable=False),  # the request's version after this event
    Column("step", String(16), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("data", JSON, nullable=False),
)

help_deployments = Table(
    "help_deployments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("request_id", Id, ForeignKey("help_requests.id"), nullable=False, index=True),
    Column("kind", String(24), nullable=False),
    Column("count", Integer, nullable=False),
    Column("person_ref", String(100), nullable=False, default="", index=True),
    Column("source", String(100), nullable=False),
    Column("start_at", DateTime, nullable=False),
    Column("end_at", DateTime, nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    Column("recorded_by", String(100), nullable=False),
    CheckConstraint("count >= 1", name="deployment_count_positive"),
)

# ---- bottleneck signals -----------------------------------------------------------------

bottleneck_signals = Table(
    "bottleneck_signals",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("region_code", String(16), nullable=False, index=True),
    Column("location_code", String(32), nullable=False, default=""),
    Column("sector", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("updated_by", String(100), nullable=False),
)

signal_events = Table(
    "signal_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("signal_id", Id, ForeignKey("bottleneck_signals.id"), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("step", String(16), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("data", JSON, nullable=False),
)

# ---- ELV scale-up orders ----------------------------------------------------------------

elv_orders = Table(
    "elv_orders",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("region_code", String(16), nullable=False, index=True),
    Column("beds", Integer, nullable=False),
    Column("ordered_at", DateTime, nullable=False),
    Column("deadline", DateTime, nullable=False),
    Column("ordered_by", String(100), nullable=False),
    Column("note", Text, nullable=False, default=""),
    CheckConstraint("beds >= 1", name="elv_order_beds_positive"),
)

elv_order_beds = Table(
    "elv_order_beds",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("order_id", Id, ForeignKey("elv_orders.id"), nullable=False, index=True),
    Column("location_code", String(32), nullable=False),
    Column("beds", Integer, nullable=False),
    Column("reported_at", DateTime, nullable=False),
    Column("reported_by", String(100), nullable=False),
    CheckConstraint("beds >= 1", name="elv_beds_positive"),
)

# ---- stockpiles ---------------------------------------------------------------------------

ccv_medicines = Table(
    "ccv_medicines",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("code", String(32), nullable=False, index=True),  # append-only versions per code
    Column("name", String(200), nullable=False),
    Column("unit", String(32), nullable=False),
    Column("stock", Float, nullable=False),
    Column("regular_per_month", Float, nullable=False),
    Column("per_ic_patient_day", Float, nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    Column("recorded_by", String(100), nullable=False),
    CheckConstraint(
        "stock >= 0 AND regular_per_month >= 0 AND per_ic_patient_day >= 0", name="ccv_non_negative"
    ),  # fmt: skip
)

ventilator_pools = Table(
    "ventilator_pools",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("total", Integer, nullable=False),
    Column("reserved", Integer, nullable=False, default=0),
    Column("shipped", Integer, nullable=False, default=0),
    Column("version", Integer, nullable=False, default=1),
    Column("updated_at", DateTime, nullable=False),
    CheckConstraint(
        "reserved >= 0 AND shipped >= 0 AND reserved + shipped <= total", name="within_stock"
    ),
)

ventilator_applications = Table(
    "ventilator_applications",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("pool_id", Id, ForeignKey("ventilator_pools.id"), nullable=False),
    Column("location_code", String(32), nullable=False),
    Column("region_code", String(16), nullable=False),
    Column("units", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("units_granted", Integer, nullable=False, default=0),
    Column("assessment", Text, nullable=False, default=""),
    Column("version", Integer, nullable=False),
    Column("applied_at", DateTime, nullable=False),
    Column("applied_by", String(100), nullable=False),
    Column("assessed_at", DateTime),
    Column("assessed_by", String(100)),
    Column("shipped_at", DateTime),
    Column("shipped_by", String(100)),
    CheckConstraint(
        "units >= 1 AND units_granted >= 0 AND units_granted <= units", name="ventilator_units"
    ),  # fmt: skip
)

# ---- the chain outside the hospital (GRZ, care hotel, district nursing, GP) ---------------

chain_reports = Table(
    "chain_reports",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("reporter_code", String(32), nullable=False),
    Column("region_code", String(16), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("reported_at", DateTime, nullable=False),
    Column("version", Integer, nullable=False),  # a correction of the same moment: +1
    Column("beds", Integer),
    Column("occupied", Integer),
    Column("covid", Integer),
    Column("status", String(24)),
    Column("reason", Text, nullable=False, default=""),
    Column("staff_absence_pct", Float),
    Column("recorded_at", DateTime, nullable=False),
    Column("recorded_by", String(100), nullable=False),
    Index("ix_chain_reports_latest", "region_code", "kind", "reported_at"),
    Index("ix_chain_reports_reporter", "reporter_code", "kind", "reported_at"),
    Index("ix_chain_reports_time", "reported_at"),  # the national picture (0010)
)
