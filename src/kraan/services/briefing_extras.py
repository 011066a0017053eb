"""Briefing sections that draw on the staff-help, stock, care-at-home and simulation parts.

Each part contributes through one summary function. Where a part keeps no data yet,
its section says so ("no data kept") rather than being dropped (issue 11).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection

from kraan.domain.briefing.model import Figure, Note, Section, Source, Table
from kraan.domain.briefing.rules import StockShortfall


def missing(key: str, reason: str = "no_data_kept") -> Section:
    return Section(key, False, missing=reason)


@dataclass(frozen=True, slots=True)
class ExtraSections:
    staff_help: Section
    stock: Section
    care_at_home: Section
    scenarios: Section
    outside_hospital_figures: list[Figure] = field(default_factory=list)
    outside_hospital_tables: list[Table] = field(default_factory=list)
    outside_hospital_notes: list[Note] = field(default_factory=list)
    msob_pending: int | None = None
    msob_source: Source | None = None
    stock_below_norm: list[StockShortfall] = field(default_factory=list)


def extra_sections(conn: Connection, *, as_of: datetime, as_of_param: str) -> ExtraSections:
    """The sections from the other parts at ``as_of`` (placeholders until they keep data)."""
    del conn, as_of, as_of_param
    return ExtraSections(
        staff_help=missing("staff_help"),
        stock=missing("stock"),
        care_at_home=missing("care_at_home"),
        scenarios=missing("scenarios"),
        outside_hospital_notes=[Note("signals_no_data")],
    )
