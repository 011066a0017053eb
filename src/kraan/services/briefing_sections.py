"""The sections of the briefing, each read out of an API document (see :mod:`.briefing`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from sqlalchemy import Connection

from kraan.domain.briefing.model import Cell, Figure, Note, Section, Source, Table
from kraan.domain.briefing.readiness import READINESS_MODULES, mandatory_gaps, matrix
from kraan.domain.briefing.rules import Crossing
from kraan.services.live_forecast import (
    IC_MAX_BEDS,
    IC_SCALE_UP_BEDS,
    WARD_2B_COVID_BEDS,
    ForecastError,
)
from kraan.services.overview import playbooks
from kraan.store.readiness import current_readiness
from kraan.store.transfers import latest_plan, list_offers, list_transfers

if TYPE_CHECKING:
    from kraan.services.briefing_extras import ExtraSections

#: LNAZ scale-up plan (domain.md "Public figures"): 1,150 IC beds normally,
#: 1,350 guaranteed in a surge, 1,700 at most.
IC_NORMAL_BEDS = 1_150
FORECAST_HORIZONS = (7, 14)


def api_path(path: str, **query: str | None) -> str:
    params = {k: v for k, v in query.items() if v is not None}
    return f"{path}?{urlencode(params)}" if params else path


@dataclass(frozen=True, slots=True)
class Docs:
    """The API documents one briefing is read from."""

    as_of_param: str
    status: dict[str, Any]
    status_before: dict[str, Any]
    before_param: str
    forecasts: dict[str, dict[str, Any] | ForecastError]


def pointer(*parts: object) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _get(doc: dict[str, Any], pointer: str) -> Any:
    value: Any = doc
    for part in pointer.strip("/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def _status_figure(
    docs: Docs, key: str, unit: str, *parts: object, before: bool = False
) -> Figure:
    doc = docs.status_before if before else docs.status
    param = docs.before_param if before else docs.as_of_param
    where = pointer(*parts)
    provenance = tuple(doc["national"].get("provenance", ())) if parts[0] == "national" else ()
    return Figure(
        key,
        _get(doc, where),
        unit,
        Source(api_path("/api/v1/status", as_of=param), where),
        provenance,
    )


def summary_section(docs: Docs) -> tuple[Section, list[Crossing]]:
    figures = [
        _status_figure(docs, "phase.now", "phase", "national", "phase"),
        _status_figure(docs, "phase.week_before", "phase", "national", "phase", before=True),
    ]
    for level in ("ic", "ward"):
        figures += [
            _status_figure(docs, f"{level}.covid.now", "patients", "national", level, "covid"),
            _status_figure(
                docs, f"{level}.covid.week_before", "patients", "national", level, "covid",
                before=True,
            ),
            _status_figure(docs, f"{level}.ontlabeld.now", "patients", "national", level,
                           "ontlabeld"),
            _status_figure(docs, f"{level}.staffed.now", "beds", "national", level, "staffed"),
            _status_figure(docs, f"{level}.occupancy.now", "share", "national", level,
                           "occupancy"),
        ]  # fmt: skip
    figures.append(_status_figure(docs, "ic.abroad.now", "patients", "national", "ic", "abroad"))
    notes: list[Note] = []
    if not docs.status["national"].get("coverage"):
        notes.append(Note("no_reports"))  # nothing reported yet at as_of: say so, show zeros
    crossings: list[Crossing] = []
    for level in ("ic", "ward"):
        doc = docs.forecasts[level]
        if isinstance(doc, ForecastError):
            notes.append(Note("forecast_unavailable", {"level": level, "reason": str(doc)}))
            continue
        path = api_path(f"/api/v1/forecast/{level}", as_of=docs.as_of_param)
        unreliable = doc.get("reliable") is False
        if unreliable:
            notes.append(
                Note("forecast_unreliable", {"level": level, "reason": doc.get("reason", "")})
            )
        for horizon in FORECAST_HORIZONS:
            row = horizon - 1
            if row >= len(doc["occupancy"]):
                continue
            for name, where in (
                ("median", pointer("occupancy", row, "median")),
                ("q05", pointer("occupancy", row, "quantiles", "0.05")),
                ("q95", pointer("occupancy", row, "quantiles", "0.95")),
            ):
                figures.append(
                    Figure(
                        f"{level}.forecast.{horizon}d.{name}",
                        _get(doc, where),
                        "patients",
                        Source(path, where),
                    )
                )
        for index, check in enumerate(doc.get("capacities", [])):
            if check["kind"] != "scale_up_plan":
                continue
            crossings.append(
                Crossing(
                    target=level,
                    label=check["label"],
                    beds=float(check["beds"]),
                    median_days=check["median_crossing_days"],
                    upper90_days=check["upper90_crossing_days"],
                    above_now=bool(check["above_now"]),
                    reliable=not unreliable,
                    source=Source(path, pointer("capacities", index)),
                )
            )
    scale_up = Table(
        "scale_up_path",
        ("step", "ic_beds"),
        tuple(
            (Cell(label=step), Cell(figure=Figure(f"scale_up.{step}", beds, "beds",
                                                  provenance=("public",))))
            for step, beds in (
                ("normal", IC_NORMAL_BEDS),
                ("surge_guaranteed", IC_SCALE_UP_BEDS),
                ("surge_maximum", IC_MAX_BEDS),
            )
        )
        + ((Cell(label="ward_2b_covid"),
            Cell(figure=Figure("scale_up.ward_2b_covid", WARD_2B_COVID_BEDS, "beds",
                               provenance=("public",)))),),
    )  # fmt: skip
    regions = Table(
        "regional_status",
        ("region", "status", "status_week_before", "ic_covid", "ic_occupancy", "ward_covid"),
        tuple(_region_row(docs, i, region) for i, region in enumerate(docs.status["regions"])),
    )
    section = Section("summary", True, tuple(figures), (regions, scale_up), tuple(notes))
    return section, crossings


def _region_row(docs: Docs, index: int, region: dict[str, Any]) -> tuple[Cell, ...]:
    code = region["code"]
    before_index = next(
        (i for i, r in enumerate(docs.status_before["regions"]) if r["code"] == code), None
    )
    before = (
        Cell(figure=_status_figure(docs, f"region.{code}.status.week_before", "status",
                                   "regions", before_index, "status", before=True))
        if before_index is not None
        else Cell(label="")
    )  # fmt: skip
    flag = "declared" if region.get("declared") else None
    return (
        Cell(label=code),
        Cell(figure=_status_figure(docs, f"region.{code}.status", "status", "regions", index,
                                   "status"), flag=flag),
        before,
        Cell(figure=_status_figure(docs, f"region.{code}.ic.covid", "patients", "regions", index,
                                   "ic", "covid")),
        Cell(figure=_status_figure(docs, f"region.{code}.ic.occupancy", "share", "regions",
                                   index, "ic", "occupancy")),
        Cell(figure=_status_figure(docs, f"region.{code}.ward.covid", "patients", "regions",
                                   index, "ward", "covid")),
    )  # fmt: skip


def spreading_section(conn: Connection, docs: Docs, as_of: datetime) -> Section:
    end = as_of.date()
    start = end - timedelta(days=6)
    week = [t for t in list_transfers(conn, start=start, end=end) if t.state != "cancelled"]
    path = api_path("/api/v1/spreading/transfers", start=start.isoformat(), end=end.isoformat())
    src = Source(path, "")
    pairs = Counter((t.from_area, t.to_area) for t in week)
    figures = [
        Figure("transfers.week.count", len(week), "count", src),
        Figure("transfers.week.patients", sum(t.patients for t in week), "patients", src),
        _status_figure(docs, "transfers.abroad.ic", "patients", "national", "ic", "abroad"),
    ]
    pair_table = Table(
        "transfers_between",
        ("from", "to", "patients"),
        tuple(
            (Cell(label=a), Cell(label=b),
             Cell(figure=Figure(f"transfers.week.{a}.{b}", sum(
                 t.patients for t in week if (t.from_area, t.to_area) == (a, b)), "patients",
                 src)))
            for (a, b), _ in sorted(pairs.items())
        ),
    )  # fmt: skip
    plan = latest_plan(conn, as_of=as_of)
    notes: list[Note] = []
    if plan is None:
        notes.append(Note("no_plan"))
    else:
        planned = [t for t in plan.get("transfers", []) if str(t.get("day", "")) > end.isoformat()]
        figures.append(
            Figure(
                "plan.coming.patients",
                sum(int(t["patients"]) for t in planned),
                "patients",
                Source(f"/api/v1/spreading/plans/{plan['id']}", ""),
            )
        )
        notes.append(Note("plan_made", {"plan_id": plan["id"], "as_of": str(plan["as_of"])}))
    until = end + timedelta(days=7)
    offers = list_offers(conn, start=start, end=until)
    offers_src = Source(
        api_path("/api/v1/spreading/offers", start=start.isoformat(), end=until.isoformat()), ""
    )
    figures += [
        Figure("offers.beds_offered", sum(o.beds_offered for o in offers), "beds", offers_src),
        Figure("offers.beds_taken", sum(o.beds_taken for o in offers), "beds", offers_src),
        Figure(
            "transfers.requested.patients",
            sum(t.patients for t in week if t.state == "requested"),
            "patients",
            src,
        ),
    ]
    return Section("spreading", True, tuple(figures), (pair_table,), tuple(notes))


def outside_hospital_section(docs: Docs, extras: ExtraSections) -> Section:
    figures = [
        _status_figure(docs, "elv_vvt.covid.now", "patients", "national", "elv_vvt", "covid"),
        _status_figure(docs, "elv_vvt.staffed.now", "beds", "national", "elv_vvt", "staffed"),
        _status_figure(docs, "elv_vvt.occupancy.now", "share", "national", "elv_vvt",
                       "occupancy"),
    ]  # fmt: skip
    rows = tuple(
        (
            Cell(label=r["code"]),
            Cell(figure=_status_figure(docs, f"region.{r['code']}.elv_vvt.covid", "patients",
                                       "regions", i, "elv_vvt", "covid")),
            Cell(figure=_status_figure(docs, f"region.{r['code']}.elv_vvt.occupancy", "share",
                                       "regions", i, "elv_vvt", "occupancy")),
        )
        for i, r in enumerate(docs.status["regions"])
    )  # fmt: skip
    tables = [Table("elv_vvt_regions", ("region", "elv_covid", "elv_occupancy"), rows)]
    notes = list(extras.outside_hospital_notes)
    figures += extras.outside_hospital_figures
    tables += extras.outside_hospital_tables
    return Section("outside_hospital", True, tuple(figures), tuple(tables), tuple(notes))


def readiness_section(
    conn: Connection, docs: Docs, as_of: datetime
) -> tuple[Section, list[tuple[str, str]]]:
    codes = [r["code"] for r in docs.status["regions"]]
    states = matrix(codes, current_readiness(conn, as_of=as_of))
    phase = docs.status["national"]["phase"]
    book = playbooks().get(phase)
    mandatory = {m.code for m in book.modules if m.mandatory} if book else set()
    gaps = mandatory_gaps(states, mandatory)
    gap_set = set(gaps)
    path = api_path("/api/v1/modules/readiness", as_of=docs.as_of_param)
    rows = tuple(
        (Cell(label=code),)
        + tuple(
            Cell(
                figure=Figure(f"readiness.{code}.{m}", states[code][m].value, "state",
                              Source(path, pointer("regions", code, m))),
                flag="mandatory_not_ready" if (code, m) in gap_set else
                ("mandatory" if m in mandatory else None),
            )
            for m in READINESS_MODULES
        )
        for code in codes
    )  # fmt: skip
    recorded = any(s.value != "unknown" for row in states.values() for s in row.values())
    notes = [Note("readiness_mandatory", {"phase": phase, "modules": ", ".join(
        m for m in READINESS_MODULES if m in mandatory) or "-"})]  # fmt: skip
    if not recorded:
        notes.append(Note("readiness_none_recorded"))
    table = Table("module_readiness", ("region", *READINESS_MODULES), rows)
    return Section("module_readiness", True, (), (table,), tuple(notes)), gaps



def provenance_notes(status: dict[str, Any]) -> list[Note]:
    notes = []
    national = status["national"]
    if national.get("synthetic_locations"):
        notes.append(Note("provenance_synthetic"))
    for flag in national.get("provenance", []):
        if flag in ("estimated", "imputed"):
            notes.append(Note(f"provenance_{flag}"))
    if national.get("stale"):
        notes.append(Note("provenance_stale", {"count": national["stale"]}))
    return notes


