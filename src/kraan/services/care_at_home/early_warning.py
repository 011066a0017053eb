"""GP early warning (module 7): the practice's risk list, follow-up actions, workload.

The list never leaves the practice's role (the API checks :func:`can_read_practice_list`);
regions and the nation get :func:`regional_aggregates`, with small numbers suppressed.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from kraan.domain.care_at_home.risk_score import score, suppress, validate_patient, workload_minutes
from kraan.settings import Settings
from kraan.store import early_warning as store
from kraan.store.home_monitoring import HomeError


@lru_cache(maxsize=4)
def _model(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def model(settings: Settings) -> dict[str, Any]:
    return _model(settings.gp_risk_score_file)


def register(
    conn: Connection,
    settings: Settings,
    *,
    practice_code: str,
    pseudonym: str,
    age: int,
    risk_groups: list[str],
    actor: str,
    now: datetime,
    synthetic: bool = False,
) -> dict[str, Any]:
    m = model(settings)
    problems = validate_patient(age, risk_groups, m)
    if problems:
        raise HomeError(422, "; ".join(msg for _, msg in problems), problems[0][0])
    if store.get_practice(conn, practice_code) is None:
        raise HomeError(422, "unknown practice", "practice_code")
    result = score(age, risk_groups, m)
    patient_id, changed = store.upsert_patient(
        conn,
        practice_code=practice_code,
        pseudonym=pseudonym,
        age=age,
        risk_groups=risk_groups,
        points=result.points,
        listed=result.listed,
        model_version=str(m["version"]),
        actor=actor,
        now=now,
        synthetic=synthetic,
    )
    return {
        "id": patient_id,
        "changed": changed,
        "points": result.points,
        "listed": result.listed,
        "why": list(result.why),
    }


def practice_list(
    conn: Connection, settings: Settings, *, practice_code: str, listed_only: bool = True
) -> dict[str, Any]:
    """The risk list with why each patient is on it and the actions so far (patient-level)."""
    m = model(settings)
    patients = store.practice_patients(conn, practice_code, listed_only=listed_only)
    actions: dict[int, list[dict[str, Any]]] = {}
    for a in store.actions_for(conn, [p["id"] for p in patients]):
        actions.setdefault(int(a["patient_id"]), []).append(
            {
                "action": a["action"],
                "at": a["at"].isoformat(),
                "actor": a["actor"],
                "note": a["note"],
            }
        )
    rows = []
    for p in patients:
        groups = [g for g in p["risk_groups"].split(",") if g]
        result = score(int(p["age"]), groups, m)
        rows.append(
            {
                "id": p["id"],
                "pseudonym": p["pseudonym"],
                "age": p["age"],
                "risk_groups": groups,
                "points": result.points,
                "listed": result.listed,
                "why": list(result.why),
                "actions": actions.get(p["id"], []),
                "open": not actions.get(p["id"]),
            }
        )
    done = [a["action"] for acts in actions.values() for a in acts]
    return {
        "practice_code": practice_code,
        "model_version": m["version"],
        "list_threshold": m["list_threshold"],
        "patients": rows,
        "workload": {
            "listed": len(rows),
            "without_action": sum(1 for r in rows if r["open"]),
            "actions": {a: done.count(a) for a in m["actions"]},
            "minutes_done": workload_minutes(done, m),
            "minutes_open": sum(1 for r in rows if r["open"])
            * int(m["minutes_per_action"]["called"]),
        },
    }


def record_action(
    conn: Connection,
    settings: Settings,
    *,
    patient: dict[str, Any],
    action: str,
    at: datetime,
    note: str,
    actor: str,
    now: datetime,
) -> int:
    if action not in model(settings)["actions"]:
        raise HomeError(422, f"use one of {', '.join(model(settings)['actions'])}", "action")
    return store.add_action(
        conn, patient_id=patient["id"], action=action, at=at, note=note, actor=actor, now=now
    )


def regional_aggregates(conn: Connection, settings: Settings) -> dict[str, Any]:
    """Per region and nationally: practices, listed patients, actions, workload hours.

    Counts below ``small_number_threshold`` are suppressed (None) per region.
    """
    m = model(settings)
    threshold = settings.small_number_threshold
    regions: dict[str, dict[str, Any]] = {}
    national = {"practices": 0, "patients": 0, "listed": 0, "actions": 0, "workload_hours": 0.0}
    for row in store.region_counts(conn):
        r = regions.setdefault(
            row["region_code"],
            {"practices": 0, "patients": 0, "listed": 0, "actions": 0, "minutes": 0},
        )
        n_actions = sum(row["actions"].values())
        minutes = sum(int(m["minutes_per_action"].get(a, 0)) * n for a, n in row["actions"].items())
        for target in (r, national):
            target["practices"] += 1
            target["patients"] += row["patients"]
            target["listed"] += row["listed"]
            target["actions"] += n_actions
        r["minutes"] += minutes
        national["workload_hours"] += minutes / 60.0
    out = {}
    for code, r in sorted(regions.items()):
        out[code] = {
            "practices": r["practices"],
            "patients": suppress(r["patients"], threshold),
            "listed": suppress(r["listed"], threshold),
            "actions": suppress(r["actions"], threshold),
            "workload_hours": round(r["minutes"] / 60.0, 1)
            if r["actions"] >= threshold or r["actions"] == 0
            else None,
        }
    national["workload_hours"] = round(float(national["workload_hours"]), 1)
    return {"national": national, "regions": out, "small_number_threshold": threshold}
