"""Home monitoring rows: teams, patients, measurements, alerts, interventions, sign-off.

Audit rows name the internal patient id only, never the pseudonym or values, so the audit
log (readable by coordinators) carries no patient data. Changes to alerts and patients use
optimistic locking (:func:`~kraan.store.home_monitoring.common.compare_and_set`).
Callers use the package (``from kraan.store import home_monitoring as store``); the
modules split it by what the rows are about.
"""

from __future__ import annotations

from kraan.store.home_monitoring.aggregates import (
    alert_rows,
    episode_rows,
)
from kraan.store.home_monitoring.alerts import (
    acknowledge,
    add_intervention,
    alerts_for,
    audit_read,
    get_alert,
    interventions,
    latest_alert_time,
    raise_alert,
)
from kraan.store.home_monitoring.common import VALUE_COLUMNS, HomeError, compare_and_set
from kraan.store.home_monitoring.measurements import (
    find_duplicate,
    insert_measurement,
    last_measurements,
    measurements,
)
from kraan.store.home_monitoring.patients import (
    active_patients,
    enrol_patient,
    get_patient,
    get_team,
    has_synthetic_patients,
    list_teams,
    patients_by_pseudonym,
    sign_off,
    upsert_team,
)

__all__ = [
    "HomeError",
    "VALUE_COLUMNS",
    "acknowledge",
    "active_patients",
    "add_intervention",
    "alert_rows",
    "alerts_for",
    "audit_read",
    "compare_and_set",
    "enrol_patient",
    "episode_rows",
    "find_duplicate",
    "get_alert",
    "get_patient",
    "get_team",
    "has_synthetic_patients",
    "insert_measurement",
    "interventions",
    "last_measurements",
    "latest_alert_time",
    "list_teams",
    "measurements",
    "patients_by_pseudonym",
    "raise_alert",
    "sign_off",
    "upsert_team",
]
