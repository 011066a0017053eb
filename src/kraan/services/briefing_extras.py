"""Briefing sections that draw on the staff-help, stock, care-at-home and simulation parts.

Each part contributes through the same service function its public API calls, so the
figures link to that API's answer. Where a part keeps no data yet, its section says
so ("no data kept") rather than being dropped (issue 11).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from kraan.domain.briefing.model import Cell, Figure, Note, Section, Source, Table
from kraan.domain.briefing.rules import StockShortfall
from kraan.services import requests as help_requests
from kraan.services.briefing_sections import api_path, pointer
from kraan.settings import Settings

WORKER_KINDS = ("ic_nurse", "ward_nurse", "care_assistant", "doctor", "support")
RUNGS = ("1", "2", "3")


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


def _staff_help(
    conn: Connection, *, as_of: datetime, as_of_param: str, settings: Settings
) -> tuple[Section, int, Source]:
    """Open requests per rung and kind of worker, stale ones, MSOB, deployments (issue 14)."""
    views = help_requests.request_views(conn, as_of=as_of, stale_after=settings.request_stale_after)
    doc: dict[str, Any] = {"region": None, **help_requests.summarise(views, as_of=as_of)}
    path = api_path("/api/v1/requests/summary", as_of=as_of_param)

    def fig(key: str, unit: str, *parts: str) -> Figure:
        value: Any = doc
        found = True
        for part in parts:
            found = found and isinstance(value, dict) and part in value
            value = value.get(part, 0) if isinstance(value, dict) else 0
        # a kind nobody was deployed as is absent from the answer: 0, linked to the whole list
        return Figure(key, value, unit, Source(path, pointer(*parts) if found else ""))

    figures = [fig("requests.open", "count", "open")]
    figures += [fig(f"requests.open.rung{r}", "count", "open_by_rung", r) for r in RUNGS]
    figures += [
        fig("requests.stale", "count", "stale"),
        fig("requests.msob_pending", "count", "msob_pending"),
    ]
    wanted = Table(
        "people_wanted",
        ("kind", "rung1", "rung2", "rung3"),
        tuple(
            (Cell(label=kind),)
            + tuple(
                Cell(figure=fig(f"requests.wanted.rung{r}.{kind}", "people",
                                "people_wanted_by_rung", r, kind))
                for r in RUNGS
            )
            for kind in WORKER_KINDS
        ),
    )  # fmt: skip
    deployed = Table(
        "deployments",
        ("kind", "people"),
        tuple(
            (Cell(label=kind),
             Cell(figure=fig(f"requests.deployed.{kind}", "people", "deployed_people", kind)))
            for kind in WORKER_KINDS
        ),
    )  # fmt: skip
    notes = [] if views else [Note("no_requests")]
    section = Section("staff_help", True, tuple(figures), (wanted, deployed), tuple(notes))
    return section, int(doc.get("msob_pending", 0)), Source(path, "/msob_pending")


def extra_sections(
    conn: Connection, *, as_of: datetime, as_of_param: str, settings: Settings
) -> ExtraSections:
    """The sections from the other parts at ``as_of`` (placeholders until they keep data)."""
    staff, msob, msob_source = _staff_help(
        conn, as_of=as_of, as_of_param=as_of_param, settings=settings
    )
    return ExtraSections(
        staff_help=staff,
        stock=missing("stock"),
        care_at_home=missing("care_at_home"),
        scenarios=missing("scenarios"),
        outside_hospital_notes=[Note("signals_no_data")],
        msob_pending=msob,
        msob_source=msob_source,
    )
