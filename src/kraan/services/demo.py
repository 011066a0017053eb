"""Load the demo: reference data, synthetic locations, and reports that replay the real waves."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path

from sqlalchemy import Engine

from kraan.domain.access import Role
from kraan.domain.model import CapacityReport
from kraan.ingest.demo import build_demo_reports
from kraan.ingest.lcps import NationalSeries, combined_national_series, parse_lcps
from kraan.ingest.reference import Reference, load_reference
from kraan.services.care_at_home.demo import seed_care_at_home
from kraan.services.demo_requests import load_demo_requests
from kraan.services.progress import Progress
from kraan.settings import Settings
from kraan.store.access import create_user, issue_token, user_id
from kraan.store.reference import MunicipalityRow, location_ids_by_code, replace_reference
from kraan.store.reports import bulk_audit, bulk_insert_reports, reported_days

CHUNK = 2_000


def load_reference_data(engine: Engine, reference: Reference, *, actor: str, now: datetime) -> None:
    with engine.begin() as conn:
        replace_reference(
            conn,
            region_list=reference.regions,
            safety_region_names=reference.safety_regions,
            municipality_list=[
                MunicipalityRow(m.code, m.name, m.safety_region_code, m.population, m.region_code)
                for m in reference.municipalities
            ],
            location_list=reference.locations,
            actor=actor,
            now=now,
        )


def _chunks(items: Iterable[CapacityReport], size: int) -> Iterator[list[CapacityReport]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def load_series_reports(
    engine: Engine,
    reference: Reference,
    series: NationalSeries,
    raw_dir: Path,
    *,
    start: date | None,
    end: date | None,
    actor: str,
    source: str,
    now: datetime,
    progress: Progress | None,
) -> int:
    """Split a national LCPS series over the locations and store it, skipping days already held.

    Days already stored are skipped, so running the same import twice changes nothing.
    """
    start = max(start or series.start, series.start)
    end = min(end or series.end, series.end)
    with engine.connect() as conn:
        held_days = reported_days(conn)
    total_days = (end - start).days + 1
    with engine.connect() as conn:
        ids = location_ids_by_code(conn)
    stored = 0
    reports = build_demo_reports(reference, series, raw_dir, start=start, end=end)
    seen_days: set[date] = set()
    for chunk in _chunks(reports, CHUNK):
        fresh = [r for r in chunk if r.reported_at.date() not in held_days]
        with engine.begin() as conn:
            stored += bulk_insert_reports(
                conn, fresh, location_ids=ids, actor=actor, source=source, now=now
            )
        seen_days |= {r.reported_at.date() for r in chunk}
        if progress is not None:
            progress(len(seen_days), total_days)
    with engine.begin() as conn:
        bulk_audit(
            conn,
            actor=actor,
            now=now,
            what={"source": source, "reports": stored, "start": start, "end": end},
        )
    return stored


def ensure_demo_users(engine: Engine, *, now: datetime) -> dict[str, str]:
    """A national coordinator with a fresh random password (printed once, never stored)."""
    created: dict[str, str] = {}
    with engine.begin() as conn:
        if user_id(conn, "coordinator") is None:
            password = secrets.token_urlsafe(12)
            uid = create_user(
                conn,
                username="coordinator",
                role=Role.NATIONAL_COORDINATOR,
                now=now,
                actor="kraan demo",
                password=password,
            )
            created["coordinator_password"] = password
            created["coordinator_token"] = issue_token(
                conn, user_id=uid, now=now, actor="kraan demo", label="demo"
            )
    return created


def load_demo(
    engine: Engine,
    settings: Settings,
    *,
    start: date | None = None,
    end: date | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> dict[str, object]:
    """Reference data + the LCPS waves split over synthetic locations (idempotent)."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    raw_dir = settings.raw_data_dir
    reference = load_reference(raw_dir)
    load_reference_data(engine, reference, actor="kraan demo", now=now)
    series = combined_national_series(raw_dir)
    stored = load_series_reports(
        engine,
        reference,
        series,
        raw_dir,
        start=start,
        end=end,
        actor="kraan demo",
        source="demo",
        now=now,
        progress=progress,
    )
    users = ensure_demo_users(engine, now=now)
    chain = load_demo_requests(engine, settings)  # SYNTHETIC help requests, signals, stock
    care = seed_care_at_home(engine, settings, now=now)  # issue 10: synthetic, labelled
    return {"reports": stored, "locations": len(reference.locations), **chain, **users, **care}


def import_lcps_file(
    engine: Engine,
    settings: Settings,
    path: Path,
    *,
    actor: str,
    now: datetime,
    progress: Progress | None = None,
) -> int:
    """Import an LCPS datafeed CSV (either format): national figures split over locations."""
    series = parse_lcps(path)
    reference = load_reference(settings.raw_data_dir)
    with engine.connect() as conn:
        has_locations = bool(location_ids_by_code(conn))
    if not has_locations:
        load_reference_data(engine, reference, actor=actor, now=now)
    return load_series_reports(
        engine,
        reference,
        series,
        settings.raw_data_dir,
        start=None,
        end=None,
        actor=actor,
        source="lcps",
        now=now,
        progress=progress,
    )
