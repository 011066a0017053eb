"""Aggregates of care at home: regional summary, module-1 parameters, the briefing block.

Nothing here returns patient-level data: counts, rates and bed-days per region and for the
country. Regional counts below ``settings.small_number_threshold`` are suppressed (None,
with ``suppressed`` listing the fields) wherever they leave the team.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from kraan.domain.care_at_home.bed_days import SignedOff, module1_from_summary, summarise
from kraan.settings import Settings, get_settings
from kraan.store import home_monitoring as store

COUNTS = (
    "enrolled",
    "post_clinical",
    "pre_clinical",
    "signed_off",
    "readmitted",
    "died",
    "recovered",
    "admissions_avoided",
    "active",
    "alerts_open",
    "alerts_overdue",
)


@contextmanager
def _connection(conn_or_engine: Connection | Engine) -> Iterator[Connection]:
    if isinstance(conn_or_engine, Engine):
        with conn_or_engine.connect() as conn:
            yield conn
    else:
        yield conn_or_engine


def _summary(conn: Connection, settings: Settings, as_of: datetime) -> dict[str, dict[str, Any]]:
    episodes = store.episode_rows(conn, as_of=as_of)
    table = summarise(
        SignedOff(
            e["region_code"],
            e["pathway"],
            e["outcome"],
            float(e["expected_remaining_days"]),
            float(e["readmission_days"] or 0.0),
        )
        for e in episodes
    )
    for e in episodes:
        if e["outcome"] is None:
            for key in (e["region_code"], "NL"):
                table[key]["active"] = int(table[key].get("active", 0)) + 1
    for alert in store.alert_rows(conn, as_of=as_of):
        for key in (alert["region_code"], "NL"):
            row = table.setdefault(key, {})
            row.setdefault("alerts_raised", 0)
            row["alerts_raised"] = int(row["alerts_raised"]) + 1
            if alert["open_then"]:
                row["alerts_open"] = int(row.get("alerts_open", 0)) + 1
                if alert["due_at"] < as_of:
                    row["alerts_overdue"] = int(row.get("alerts_overdue", 0)) + 1
    for row in table.values():
        for key in COUNTS:
            row.setdefault(key, 0)
    return table


def suppressed(row: Mapping[str, Any], threshold: int) -> dict[str, Any]:
    """Counts 1..threshold-1 become None; rates and bed-days go with a small signed-off count."""
    out = dict(row)
    hidden = [k for k in COUNTS if isinstance(out.get(k), int) and 0 < out[k] < threshold]
    for key in hidden:
        out[key] = None
    outcomes = ("active", "signed_off", "recovered", "readmitted", "died")
    if any(k in hidden for k in outcomes):  # no small count can be derived from the others
        for key in outcomes:
            if out.get(key):
                out[key] = None
                hidden.append(key)
    if "readmitted" in hidden or 0 < int(row.get("signed_off", 0)) < threshold:
        out["readmission_rate"] = None
        hidden.append("readmission_rate")
    if 0 < int(row.get("signed_off", 0)) < threshold:
        for key in ("bed_days_saved", "bed_days_saved_per_post_clinical_patient"):
            if key in out:
                out[key] = None
                hidden.append(key)
    out["suppressed"] = sorted(set(hidden))
    return out


def regional_summary(
    conn_or_engine: Connection | Engine, as_of: datetime, settings: Settings | None = None
) -> dict[str, Any]:
    settings = settings or get_settings()
    with _connection(conn_or_engine) as conn:
        table = _summary(conn, settings, as_of)
    national = table.pop("NL", None) or {k: 0 for k in COUNTS}
    threshold = settings.small_number_threshold
    return {
        "as_of": as_of.isoformat(),
        "national": national,
        "regions": {code: suppressed(row, threshold) for code, row in sorted(table.items())},
        "small_number_threshold": threshold,
    }


def module1_parameters(
    conn_or_engine: Connection | Engine, as_of: datetime, settings: Settings | None = None
) -> dict[str, Any]:
    """For the simulation's module 1 (home monitoring), per region and nationally.

    ``bed_days_saved_per_patient``: mean bed-days saved per signed-off post-clinical patient
    (expected remaining stay at early discharge minus days readmitted); ``readmission_rate``:
    readmitted / signed off. Where a region has no signed-off patients yet the report's
    figures are used (``basis: "default"``): 6 days (seed 001, module 1) and
    ``settings.home_default_readmission_rate`` (assumption).
    """
    settings = settings or get_settings()
    with _connection(conn_or_engine) as conn:
        table = _summary(conn, settings, as_of)
    params = module1_from_summary(
        table,
        default_saved=settings.home_default_bed_days_saved,
        default_rate=settings.home_default_readmission_rate,
    )
    national = params.pop("NL", None) or {
        "bed_days_saved_per_patient": settings.home_default_bed_days_saved,
        "readmission_rate": settings.home_default_readmission_rate,
        "patients": 0,
        "basis": "default",
    }
    return {
        "as_of": as_of.isoformat(),
        "national": national,
        "regions": params,
        "defaults": {
            "bed_days_saved_per_patient": settings.home_default_bed_days_saved,
            "readmission_rate": settings.home_default_readmission_rate,
        },
    }


def briefing_summary(
    conn_or_engine: Connection | Engine, as_of: datetime, settings: Settings | None = None
) -> dict[str, Any]:
    """Aggregates for the weekly briefing: home monitoring per region, vaccination progress.

    No patient-level data: counts (small regional numbers suppressed), rates, bed-days.
    """
    from kraan.services.care_at_home import early_warning
    from kraan.services.care_at_home.vaccination import default_document, progress_by_group

    settings = settings or get_settings()
    home = regional_summary(conn_or_engine, as_of, settings)
    year, week, _ = as_of.date().isocalendar()
    with _connection(conn_or_engine) as conn:
        gp = early_warning.regional_aggregates(conn, settings)
    return {
        "as_of": as_of.isoformat(),
        "home_monitoring": {
            "national": {
                k: home["national"].get(k)
                for k in (
                    "enrolled",
                    "active",
                    "alerts_open",
                    "alerts_overdue",
                    "signed_off",
                    "readmitted",
                    "readmission_rate",
                    "bed_days_saved",
                )
            },
            "regions": {
                code: {
                    k: row.get(k)
                    for k in (
                        "enrolled",
                        "active",
                        "alerts_open",
                        "alerts_overdue",
                        "readmitted",
                        "readmission_rate",
                        "bed_days_saved",
                    )
                }
                for code, row in home["regions"].items()
            },
        },
        "early_warning": gp,
        "vaccination": progress_by_group(default_document(), f"{year}-W{week:02d}"),
        "notes": [
            "home monitoring: regional counts below "
            f"{settings.small_number_threshold} are suppressed (null)",
            "vaccination: the LP schedule on the real 2021 delivery pattern (docs/vaccination.md)",
        ],
    }
