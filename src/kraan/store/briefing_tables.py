"""Tables of the weekly briefing: module readiness per region (seed 001, ch. 7).

Append-only like reports: a new state is a new row; the state at ``as_of`` is the
newest row whose ``valid_from`` lies at or before it.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, String, Table, Text

from kraan.store.tables import Id, metadata

module_readiness = Table(
    "module_readiness",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("region_code", String(16), nullable=False),
    Column("module", String(4), nullable=False),
    Column("state", String(16), nullable=False),
    Column("valid_from", DateTime, nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    Column("recorded_by", String(100), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Index("ix_module_readiness_region_module", "region_code", "module", "valid_from"),
)
