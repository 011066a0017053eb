"""Regions, safety regions, municipalities and care locations in the store."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update

from kraan.domain.model import CareLevel, Location, LocationKind, Region
from kraan.store.audit import write_audit
from kraan.store.tables import locations, municipalities, regions, safety_regions


@dataclass(frozen=True, slots=True)
class MunicipalityRow:
    code: str
    name: str
    safety_region_code: str
    population: int
    region_code: str = ""  # the ROAZ region; "": from the regions' safety regions, if one


def replace_reference(
    conn: Connection,
    *,
    region_list: Iterable[Region],
    safety_region_names: dict[str, str],
    municipality_list: Iterable[MunicipalityRow],
    location_list: Iterable[Location],
    actor: str,
    now: datetime,
) -> None:
    """Load reference data; locations are upserted by code so report history keeps its keys.

    A municipality's region is its ``region_code``, else the region that lists it in
    ``Region.municipalities``, else the one region whose ``safety_regions`` hold its safety
    region (small hand-made reference sets name regions by safety region only).
    """
    region_list = list(region_list)
    conn.execute(delete(safety_regions))
    conn.execute(delete(municipalities))
    conn.execute(delete(regions))
    conn.execute(
        insert(regions),
        [
            {"code": r.code, "name": r.name, "population": r.population, "approximation": False}
            for r in region_list
        ],
    )
    vr_codes = sorted(
        {vr for r in region_list for vr in r.safety_regions} | set(safety_region_names)
    )
    if vr_codes:
        conn.execute(
            insert(safety_regions),
            [{"code": vr, "name": safety_region_names.get(vr, vr)} for vr in vr_codes],
        )
    listed = {m: r.code for r in region_list for m in r.municipalities}
    by_vr: dict[str, set[str]] = {}
    for r in region_list:
        for vr in r.safety_regions:
            by_vr.setdefault(vr, set()).add(r.code)
    rows = []
    for m in municipality_list:
        only = by_vr.get(m.safety_region_code, set())
        region = (
            getattr(m, "region_code", "")
            or listed.get(m.code)
            or (min(only) if len(only) == 1 else None)
        )
        rows.append(
            {
                "code": m.code,
                "name": m.name,
                "safety_region_code": m.safety_region_code,
                "population": m.population,
                "region_code": region,
            }
        )
    if rows:
        conn.execute(insert(municipalities), rows)
    existing = {row.code: row.id for row in conn.execute(select(locations.c.code, locations.c.id))}
    count = 0
    for location in location_list:
        values = _location_values(location)
        if location.code in existing:
            conn.execute(update(locations).where(locations.c.code == location.code).values(values))
        else:
            conn.execute(insert(locations).values(values))
        count += 1
    write_audit(
        conn,
        at=now,
        actor=actor,
        action="reference.load",
        entity="reference",
        entity_key="all",
        before=None,
        after={"regions": len(region_list), "locations": count},
    )


def _location_values(location: Location) -> dict[str, object]:
    return {
        "code": location.code,
        "name": location.name,
        "kind": location.kind.value,
        "region_code": location.region_code,
        "safety_region_code": location.safety_region_code,
        "municipality_code": location.municipality_code,
        "lat": location.lat,
        "lon": location.lon,
        "planned_beds": json.dumps({k.value: v for k, v in location.planned_beds.items()}),
        "synthetic": location.synthetic,
        "active": True,
    }


def add_location(conn: Connection, *, location: Location, actor: str, now: datetime) -> int:
    location_id = conn.execute(
        insert(locations).values(_location_values(location)).returning(locations.c.id)
    ).scalar_one()
    write_audit(
        conn,
        at=now,
        actor=actor,
        action="location.create",
        entity="location",
        entity_key=location.code,
        before=None,
        after=_location_values(location),
    )
    return int(location_id)


def load_regions(conn: Connection) -> list[Region]:
    """Regions with their municipalities and the safety regions those lie in."""
    members: dict[str, list[tuple[str, str]]] = {}
    query = select(municipalities.c.code, municipalities.c.safety_region_code,
                   municipalities.c.region_code).order_by(municipalities.c.code)  # fmt: skip
    for row in conn.execute(query):
        if row.region_code is not None:
            members.setdefault(row.region_code, []).append((row.code, row.safety_region_code))
    return [
        Region(
            row.code,
            row.name,
            tuple(sorted({vr for _, vr in members.get(row.code, ())})),
            row.population,
            tuple(code for code, _ in members.get(row.code, ())),
        )
        for row in conn.execute(select(regions).order_by(regions.c.code))
    ]


def load_locations(conn: Connection, *, active_only: bool = True) -> list[tuple[int, Location]]:
    query = select(locations).order_by(locations.c.code)
    if active_only:
        query = query.where(locations.c.active == True)  # noqa: E712
    return [
        (
            int(row.id),
            Location(
                code=row.code,
                name=row.name,
                kind=LocationKind(row.kind),
                region_code=row.region_code,
                safety_region_code=row.safety_region_code,
                municipality_code=row.municipality_code,
                lat=row.lat,
                lon=row.lon,
                planned_beds={CareLevel(k): v for k, v in json.loads(row.planned_beds).items()},
                synthetic=row.synthetic,
            ),
        )
        for row in conn.execute(query)
    ]


def location_codes_by_id(conn: Connection) -> dict[int, str]:
    return {int(row.id): row.code for row in conn.execute(select(locations.c.id, locations.c.code))}


def location_ids_by_code(conn: Connection) -> dict[str, int]:
    return {row.code: int(row.id) for row in conn.execute(select(locations.c.id, locations.c.code))}


def municipality_count(conn: Connection) -> int:
    return len(conn.execute(select(municipalities.c.code)).all())
