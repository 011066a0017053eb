"""Tables for care at home and prevention (issue 10): home monitoring and GP early warning.

Patients are pseudonymous: a ``pseudonym`` chosen by the team or practice that holds the
key; no names, dates of birth or national ID numbers (BSN) are stored. Imported at the
bottom of :mod:`kraan.store.tables` so ``metadata`` holds every table.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
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
    UniqueConstraint,
)

from kraan.store.tables import Id, metadata

home_teams = Table(
    "home_teams",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),  # hospital | control_centre
    Column("region_code", String(16), nullable=False, index=True),
    Column("nurses", Integer, nullable=False, default=1),
    Column("synthetic", Boolean, nullable=False, default=True),
)

home_patients = Table(
    "home_patients",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("pseudonym", String(64), nullable=False),
    Column("team_code", String(32), ForeignKey("home_teams.code"), nullable=False),
    Column("region_code", String(16), nullable=False),
    Column("pathway", String(16), nullable=False),  # pre_clinical | post_clinical
    Column("referrer", String(16), nullable=False),  # gp | home_care | ed | ward
    Column("oxygen", Boolean, nullable=False),
    Column("high_care", Boolean, nullable=False, default=False),  # module B: 24/7
    Column("enrolled_at", DateTime, nullable=False),
    Column("days_in_hospital", Float, nullable=False, default=0.0),
    Column("expected_remaining_days", Float, nullable=False, default=0.0),
    Column("status", String(16), nullable=False, default="active"),
    Column("outcome", String(16)),
    Column("readmission_days", Float, nullable=False, default=0.0),
    Column("signed_off_at", DateTime),
    Column("signed_off_by", String(100)),
    Column("synthetic", Boolean, nullable=False, default=False),
    Column("created_by", String(100), nullable=False),
    Column("version", Integer, nullable=False, default=1),
    UniqueConstraint("team_code", "pseudonym", name="uq_home_patient_pseudonym"),
    Index("ix_home_patients_team_status", "team_code", "status"),
)

home_measurements = Table(
    "home_measurements",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("patient_id", Id, ForeignKey("home_patients.id"), nullable=False),
    Column("measured_at", DateTime, nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    Column("source", String(16), nullable=False),  # form | device
    #: device submissions: device + effective time; a resubmission is a no-op
    Column("dedupe_key", String(200)),
    Column("spo2", Float),
    Column("resp_rate", Float),
    Column("heart_rate", Float),
    Column("temperature", Float),
    Column("o2_flow", Float),
    Column("band", String(8), nullable=False),
    Column("reasons", Text, nullable=False),
    Column("protocol_version", String(32), nullable=False),
    Column("recorded_by", String(100), nullable=False),
    UniqueConstraint("patient_id", "dedupe_key", name="uq_home_measurement_dedupe"),
    Index("ix_home_measurements_patient_time", "patient_id", "measured_at"),
)

home_alerts = Table(
    "home_alerts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("patient_id", Id, ForeignKey("home_patients.id"), nullable=False),
    Column("team_code", String(32), nullable=False),
    Column("kind", String(8), nullable=False),  # red | missed
    Column("measurement_id", Id, ForeignKey("home_measurements.id")),
    Column("raised_at", DateTime, nullable=False),
    Column("due_at", DateTime, nullable=False),
    Column("state", String(16), nullable=False, default="open"),  # open | acknowledged | closed
    Column("acknowledged_at", DateTime),
    Column("acknowledged_by", String(100)),
    Column("note", Text, nullable=False, default=""),
    Column("version", Integer, nullable=False, default=1),
    Index("ix_home_alerts_team_state", "team_code", "state"),
)

home_interventions = Table(
    "home_interventions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("patient_id", Id, ForeignKey("home_patients.id"), nullable=False, index=True),
    Column("at", DateTime, nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("alert_id", Id, ForeignKey("home_alerts.id")),
)

gp_practices = Table(
    "gp_practices",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("region_code", String(16), nullable=False, index=True),
    Column("synthetic", Boolean, nullable=False, default=True),
)

gp_patients = Table(
    "gp_patients",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("practice_code", String(32), ForeignKey("gp_practices.code"), nullable=False),
    Column("pseudonym", String(64), nullable=False),
    Column("age", SmallInteger, nullable=False),
    Column("risk_groups", Text, nullable=False, default=""),
    Column("points", SmallInteger, nullable=False),
    Column("listed", Boolean, nullable=False),
    Column("model_version", String(32), nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("synthetic", Boolean, nullable=False, default=False),
    UniqueConstraint("practice_code", "pseudonym", name="uq_gp_patient_pseudonym"),
    CheckConstraint("age >= 0 AND age <= 120", name="gp_age_range"),
)

gp_actions = Table(
    "gp_actions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("patient_id", Id, ForeignKey("gp_patients.id"), nullable=False, index=True),
    Column("action", String(24), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("note", Text, nullable=False, default=""),
)
