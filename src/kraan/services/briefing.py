"""Build the weekly briefing at ``as_of`` from the same documents the API serves.

Every figure is read out of an API document (``/api/v1/status``, ``/api/v1/forecast``,
...) computed by the same service function the API calls, and carries that query and
the JSON pointer of the value, so the note and the API can never disagree and each
number can be traced back to the reports behind it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from kraan.domain.bounds import RANGE_TEXT
from kraan.domain.briefing.model import Briefing, Source
from kraan.domain.briefing.readiness import READINESS_MODULES, matrix
from kraan.domain.briefing.rules import DecisionInputs, decisions, next_meeting
from kraan.domain.model import Region
from kraan.domain.moments import parse_moment
from kraan.services.briefing_extras import extra_sections
from kraan.services.briefing_sections import (
    Docs,
    api_path,
    outside_hospital_section,
    provenance_notes,
    readiness_section,
    spreading_section,
    summary_section,
)
from kraan.services.contract import status_document
from kraan.services.live_forecast import ForecastError, ForecastSource
from kraan.services.live_forecast import forecast_document as live_document
from kraan.services.overview import build_overview
from kraan.settings import Settings
from kraan.store.readiness import current_readiness
from kraan.store.reference import load_regions
from kraan.store.report_queries import newest_report_at

__all__ = [
    "BriefingBundle",
    "BriefingInputError",
    "briefing_bundle",
    "build_briefing",
    "readiness_document",
    "resolve_as_of",
]


class BriefingInputError(ValueError):
    """A query value the briefing cannot use; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def resolve_as_of(raw: str | None, *, now: datetime, field: str = "as_of") -> tuple[datetime, str]:
    """(moment in naive UTC, the value the figure sources repeat).

    A date alone is the end of that day (as everywhere in Kraan); no value means ``now``.
    """
    if raw is None or not raw.strip():
        moment = now.replace(microsecond=0)
        return moment, moment.isoformat()
    raw = raw.strip()
    try:
        moment = parse_moment(raw)  # a date alone: the end of that Dutch day
    except ValueError as error:
        if str(error) == RANGE_TEXT:  # parse_moment refuses moments outside 2020..2100
            raise BriefingInputError(field, RANGE_TEXT) from None
        raise BriefingInputError(field, "use YYYY-MM-DD or an ISO 8601 date-time") from None
    return moment, raw


def readiness_document(conn: Connection, *, as_of: datetime) -> dict[str, Any]:
    """``GET /api/v1/modules/readiness``: region -> module -> state at ``as_of``."""
    codes = [r.code for r in load_regions(conn)]
    states = matrix(codes, current_readiness(conn, as_of=as_of))
    return {
        "as_of": as_of.isoformat(),
        "modules": list(READINESS_MODULES),
        "regions": {code: {m: s.value for m, s in row.items()} for code, row in states.items()},
    }


@dataclass(frozen=True, slots=True)
class BriefingBundle:
    """The document plus the API documents it was read from (for the charts)."""

    document: Briefing
    status: dict[str, Any]
    forecasts: dict[str, dict[str, Any] | ForecastError]
    regions: tuple[Region, ...] = ()


def build_briefing(
    conn: Connection,
    *,
    as_of: datetime,
    as_of_param: str,
    settings: Settings,
    engine_key: str,
    generated_at: datetime,
) -> Briefing:
    """The note at ``as_of``; ``as_of_param`` is the query value the sources repeat."""
    return briefing_bundle(
        conn,
        as_of=as_of,
        as_of_param=as_of_param,
        settings=settings,
        engine_key=engine_key,
        generated_at=generated_at,
    ).document


def briefing_bundle(
    conn: Connection,
    *,
    as_of: datetime,
    as_of_param: str,
    settings: Settings,
    engine_key: str,
    generated_at: datetime,
    forecasts: Callable[[str], dict[str, Any]] | None = None,
) -> BriefingBundle:
    week_before = as_of - timedelta(days=7)
    before_param = (
        week_before.date().isoformat() if len(as_of_param) == 10 else week_before.isoformat()
    )
    overview = build_overview(conn, as_of=as_of, settings=settings)
    before = build_overview(conn, as_of=week_before, settings=settings)
    source = ForecastSource(conn, as_of=as_of, engine=engine_key)
    docs_forecasts: dict[str, dict[str, Any] | ForecastError] = {}
    for level in ("ic", "ward"):
        try:
            docs_forecasts[level] = (
                forecasts(level) if forecasts else live_document(source.get(level), as_of=as_of)
            )
        except ForecastError as error:
            docs_forecasts[level] = error
    docs = Docs(
        as_of_param=as_of_param,
        status=status_document(overview),
        status_before=status_document(before),
        before_param=before_param,
        forecasts=docs_forecasts,
    )
    summary, crossings = summary_section(docs)
    extras = extra_sections(conn, as_of=as_of, as_of_param=as_of_param, settings=settings)
    readiness, gaps = readiness_section(conn, docs, as_of)
    sections = [
        summary,
        spreading_section(conn, docs, as_of),
        outside_hospital_section(docs, extras),
        extras.staff_help,
        extras.stock,
        extras.care_at_home,
        readiness,
        extras.scenarios,
    ]
    asked = decisions(
        DecisionInputs(
            phase_now=docs.status["national"]["phase"],
            phase_week_before=docs.status_before["national"]["phase"],
            crossings=crossings,
            msob_pending=extras.msob_pending,
            stock_below_norm=extras.stock_below_norm,
            module_gaps=gaps,
            horizon_days=settings.briefing_crossing_days,
            phase_source=Source(api_path("/api/v1/status", as_of=as_of_param), "/national/phase"),
            msob_source=extras.msob_source,
        )
    )
    cutoff = newest_report_at(conn, as_of=as_of)
    meeting = next_meeting(
        as_of,
        weekday=settings.briefing_weekday,
        hour=settings.briefing_hour,
        minute=settings.briefing_minute,
        zone=settings.display_timezone,
    )
    document = Briefing(
        as_of=as_of.isoformat(),
        data_cutoff=None if cutoff is None else cutoff.isoformat(),
        generated_at=generated_at.replace(microsecond=0).isoformat(),
        next_meeting=meeting.isoformat(),
        sections=tuple(sections),
        decisions=tuple(asked),
        provenance_notes=tuple(provenance_notes(docs.status)),
    )
    return BriefingBundle(document, docs.status, docs_forecasts, tuple(overview.regions))
