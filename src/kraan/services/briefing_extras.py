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


class _Doc:
    """An API answer and its query: figures read by pointer, linked to the query."""

    def __init__(self, doc: dict[str, Any], path: str) -> None:
        self.doc, self.path = doc, path

    def fig(self, key: str, unit: str, *parts: str) -> Figure:
        value: Any = self.doc
        found = True
        for part in parts:
            if isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
                continue
            found = found and isinstance(value, dict) and part in value
            value = value.get(part) if isinstance(value, dict) else None
        if not found:  # absent from the answer (e.g. nobody in that state): 0, linked to it all
            return Figure(key, 0, unit, Source(self.path, ""))
        return Figure(key, value, unit, Source(self.path, pointer(*parts)))


CHAIN_BEDS = ("grz", "care_hotel")
CHAIN_PRESSURE = ("district_nursing", "gp_practice", "gp_post")
CLASSIFICATIONS = ("recognisable", "general", "specific", "unclassified")
APPLICATION_STATES = ("requested", "granted", "partly", "refused", "shipped")


def _counts(doc: _Doc, key: str, column: str, field: str, prefix: str, codes: tuple[str, ...]
            ) -> Table:  # fmt: skip
    """A two-column table: each code with its count in ``doc[field]``."""
    return Table(
        key,
        (column, "count"),
        tuple(
            (Cell(label=c), Cell(figure=doc.fig(f"{prefix}.{c}", "count", field, c)))
            for c in codes
        ),
    )


def _chain(conn: Connection, *, as_of: datetime, as_of_param: str, settings: Settings
           ) -> tuple[list[Figure], list[Table], Section, list[StockShortfall]]:  # fmt: skip
    """Signals, ELV orders, GRZ/care hotels/district nursing/GPs, and the stock (issue 14)."""
    doc = _Doc(
        help_requests.briefing_summary(conn, as_of, settings=settings).as_dict(),
        api_path("/api/v1/chain/briefing", as_of=as_of_param),
    )
    figures = [
        doc.fig(f"chain.{kind}.{field}", unit, "chain_outside_hospital", kind, field)
        for kind in CHAIN_BEDS
        for field, unit in (("covid", "patients"), ("beds", "beds"), ("occupancy", "share"))
    ] + [
        doc.fig(f"chain.{kind}.{field}", "count", "chain_outside_hospital", kind, field)
        for kind in CHAIN_PRESSURE
        for field in ("under_pressure", "no_new_patients")
    ]
    signals = _counts(doc, "signals_open", "classification", "signals_open_by_classification",
                      "signals.open", CLASSIFICATIONS)  # fmt: skip
    elv = Table(
        "elv_orders",
        ("region", "ordered", "available", "overdue"),
        tuple(
            (Cell(label=region),)
            + tuple(
                Cell(figure=doc.fig(f"elv_orders.{region}.{k}", "beds", "elv_by_region", region,
                                    k))
                for k in ("ordered", "available", "overdue")
            )
            for region in sorted(doc.doc.get("elv_by_region", {}))
        ),
    )  # fmt: skip
    below = doc.doc.get("medicines_below_norm", [])
    medicines = Table(
        "medicines_below_norm",
        ("medicine", "coverage_months", "share_of_norm"),
        tuple(
            (Cell(label=m["name"]),
             Cell(figure=doc.fig(f"stock.{m['code']}.months", "months", "medicines_below_norm",
                                 str(i), "coverage_months")),
             Cell(figure=doc.fig(f"stock.{m['code']}.share", "share", "medicines_below_norm",
                                 str(i), "share_of_norm")))
            for i, m in enumerate(below)
        ),
    )  # fmt: skip
    ventilators = _counts(doc, "ventilator_applications", "state", "ventilator_applications",
                          "ventilators", APPLICATION_STATES)  # fmt: skip
    shortfalls = [
        StockShortfall(
            m["name"], float(m["coverage_months"]),
            float(m["coverage_months"]) / float(m["share_of_norm"]) if m["share_of_norm"] else 0.0,
            Source(doc.path, pointer("medicines_below_norm", str(i))),
        )
        for i, m in enumerate(below)
    ]  # fmt: skip
    notes = [] if below else [Note("stock_all_at_norm")]
    stock = Section("stock", True, (), (medicines, ventilators), tuple(notes))
    return figures, [signals, elv], stock, shortfalls


def _care_at_home(conn: Connection, *, as_of: datetime, as_of_param: str, settings: Settings
                  ) -> Section:  # fmt: skip
    """Home monitoring, GP early warning and vaccination: aggregates only (issue 10)."""
    from kraan.services.care_at_home import early_warning
    from kraan.services.care_at_home.aggregates import regional_summary
    from kraan.services.care_at_home.vaccination import default_document, progress_by_group

    home = _Doc(regional_summary(conn, as_of, settings),
                api_path("/api/v1/home/summary", as_of=as_of_param))  # fmt: skip
    gp = _Doc(early_warning.regional_aggregates(conn, settings), "/api/v1/early-warning/aggregates")
    figures = [
        home.fig(f"home.{k}", unit, "national", k)
        for k, unit in (
            ("enrolled", "count"), ("active", "count"), ("alerts_open", "count"),
            ("alerts_overdue", "count"), ("readmission_rate", "share"),
            ("bed_days_saved", "bed_days"),
        )
    ] + [
        gp.fig(f"early_warning.{k}", unit, "national", k)
        for k, unit in (("practices", "count"), ("listed", "count"), ("actions", "count"),
                        ("workload_hours", "hours"))
    ]  # fmt: skip
    year, week, _ = as_of.date().isocalendar()
    progress = progress_by_group(default_document(), f"{year}-W{week:02d}")
    labels = {g["code"]: g["label"] for g in _priority_groups()}
    source = Source("/api/v1/vaccination/schedule.json", "")
    vaccination = Table(
        "vaccination_progress",
        ("group", "first_dose", "fully_vaccinated", "first_dose_share"),
        tuple(
            (Cell(label=labels.get(code, code)),
             Cell(figure=Figure(f"vaccination.{code}.first_dose", g["first_dose"], "people",
                                source, ("modelled",))),
             Cell(figure=Figure(f"vaccination.{code}.fully", g["fully_vaccinated"], "people",
                                source, ("modelled",))),
             Cell(figure=Figure(f"vaccination.{code}.share", g["first_dose_share"], "share",
                                source, ("modelled",))))
            for code, g in progress["groups"].items()
        ),
    )  # fmt: skip
    notes = [Note("vaccination_modelled", {"week": progress["week"]}), Note("small_numbers")]
    return Section("care_at_home", True, tuple(figures), (vaccination,), tuple(notes))


def _priority_groups() -> list[dict[str, Any]]:
    from kraan.services.care_at_home.vaccination import priority_data

    return list(priority_data()["groups"])


def extra_sections(
    conn: Connection, *, as_of: datetime, as_of_param: str, settings: Settings
) -> ExtraSections:
    """The sections from the other parts at ``as_of``."""
    staff, msob, msob_source = _staff_help(
        conn, as_of=as_of, as_of_param=as_of_param, settings=settings
    )
    chain_figures, chain_tables, stock, shortfalls = _chain(
        conn, as_of=as_of, as_of_param=as_of_param, settings=settings
    )
    return ExtraSections(
        staff_help=staff,
        stock=stock,
        care_at_home=_care_at_home(conn, as_of=as_of, as_of_param=as_of_param,
                                   settings=settings),
        scenarios=missing("scenarios", "scenarios_on_page"),
        outside_hospital_figures=chain_figures,
        outside_hospital_tables=chain_tables,
        msob_pending=msob,
        msob_source=msob_source,
        stock_below_norm=shortfalls,
    )
