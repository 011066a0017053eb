"""Every cell of the role matrix (tests/e2e/role_matrix.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kraan.api.app import create_app
from kraan.api.guard import csrf_token
from kraan.domain.access import Role
from kraan.settings import get_settings
from kraan.store.access import create_user, issue_token
from tests.conftest import T0
from tests.e2e.role_matrix import MATRIX, PUBLIC_COMPUTATIONS, ROLES, Cell
from tests.e2e.test_spreading_api import snapshot

NOW = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
AT = (NOW - timedelta(hours=3)).isoformat()
USERS = {
    "viewer": (Role.VIEWER, None, ()),
    "reporter": (Role.REPORTER, None, ("H1",)),
    "coord-r1": (Role.REGIONAL_COORDINATOR, "R1", ()),
    "coord-r2": (Role.REGIONAL_COORDINATOR, "R2", ()),
    "national": (Role.NATIONAL_COORDINATOR, None, ()),
}


def _report(role: str) -> dict[str, Any]:
    minutes = ROLES.index(role)
    moment = (NOW - timedelta(hours=2, minutes=minutes)).isoformat()
    level = {"care_level": "ic", "staffed_beds": 20, "covid_occupied": 6}
    return {"location_code": "H1", "reported_at": moment, "levels": [level]}


def _body(name: str, role: str, csrf: str) -> dict[str, Any]:
    """Request keyword arguments for one cell and role."""
    day = T0.date().isoformat()
    bodies: dict[str, dict[str, Any]] = {
        "report": {"json": _report(role)},
        "batch": {"json": {"reports": [_report(role)]}},
        "csv": {
            "files": {
                "file": (
                    "r.csv",
                    "location_code,reported_at,care_level,staffed_beds,covid_occupied\n"
                    f"H1,{_report(role)['reported_at']},ic,21,6\n",
                    "text/csv",
                )
            }
        },
        "declare": {"json": {"status": "under_pressure", "reason": f"matrix {role}"}},
        "token": {"json": {"username": f"new-{role}", "role": "viewer"}},
        "plan": {"json": snapshot()},
        "offer_r1": {"json": {"region_code": "R1", "day": day, "beds": 1}},
        "offer_r2": {"json": {"region_code": "R2", "day": day, "beds": 1}},
        "advance_offered": {"json": {"to_state": "offered"}},
        "advance_transport": {"json": {"to_state": "in_transport"}},
        "declare_form": {
            "data": {
                "status": "under_pressure",
                "reason": "matrix form",
                "hours": "24",
                "csrf": csrf,
            }
        },  # fmt: skip
        "offer_form": {
            "data": {"region_code": "R2", "day": day, "care_level": "ic", "beds": "2", "csrf": csrf}
        },  # fmt: skip
        "advance_form": {"data": {"to_state": "in_transport", "csrf": csrf}},
    }
    return bodies[name] if name else {}


def _outcome(cell: Cell, response: Any) -> str:
    code = response.status_code
    if cell.body == "csv" and code == 200:
        rows = response.json()["rows"]
        refused = [r for r in rows if r["outcome"] == "rejected"]
        return "422!" if refused and "may not report" in str(refused) else "ok"
    if code == 422 and cell.body in ("report", "batch"):
        fields = [d["field"] for d in response.json()["detail"]]
        return "422!" if any(f.endswith("location_code") for f in fields) else "422"
    if code < 400 or code == 409:
        return "ok"
    return str(code)


def test_every_cell_of_the_role_matrix(seeded_engine: Engine) -> None:
    bearer: dict[str, dict[str, str]] = {"anonymous": {}}
    sessions: dict[str, str] = {}
    with seeded_engine.begin() as conn:
        for name, (role, region, codes) in USERS.items():
            uid = create_user(
                conn, username=name, role=role, now=T0, actor="test", region_code=region,
                location_codes=codes,
            )  # fmt: skip
            bearer[name] = {
                "Authorization": f"Bearer {issue_token(conn, user_id=uid, now=T0, actor='t')}"
            }
            sessions[name] = issue_token(
                conn, user_id=uid, now=NOW, actor="t", kind="session", lifetime=timedelta(hours=1)
            )
    app = create_app(get_settings(), engine=seeded_engine)
    setup = TestClient(app, follow_redirects=False)
    plan = setup.post("/api/v1/spreading/plans", json=snapshot(), headers=bearer["national"])
    assert plan.status_code == 201, plan.text
    again = setup.post("/api/v1/spreading/plans", json=snapshot(), headers=bearer["national"])
    transfers = plan.json()["transfer_ids"] + again.json()["transfer_ids"]
    assert len(transfers) >= 3
    ids = {
        "plan": plan.json()["id"], "transfer": transfers[0], "transfer2": transfers[1],
        "transfer3": transfers[2], "at": _report("national")["reported_at"],
    }  # fmt: skip
    made = setup.post("/api/v1/reports", json=_report("national"), headers=bearer["national"])
    assert made.status_code in (200, 201)
    wrong: list[str] = []
    for cell in MATRIX:
        for role in ROLES:
            client = TestClient(app, follow_redirects=False)
            headers: dict[str, str] = {}
            csrf = ""
            if cell.web and role != "anonymous":
                client.cookies.set(get_settings().session_cookie, sessions[role])
                csrf = csrf_token(sessions[role])
            else:
                headers = bearer[role]
            kwargs = _body(cell.body, role, csrf)
            response = client.request(
                cell.method, cell.path.format(**ids), headers=headers, **kwargs
            )
            got = _outcome(cell, response)
            assert response.status_code < 500, (cell.name, role, response.text[:300])
            if got != cell.expect[role]:
                wrong.append(f"{cell.name} as {role}: expected {cell.expect[role]}, got {got} "
                             f"({response.status_code} {response.text[:120]!r})")  # fmt: skip
    assert not wrong, "\n".join(wrong)


def test_every_api_write_refuses_anonymous_callers(seeded_engine: Engine) -> None:
    """The anonymous column for every write in the OpenAPI document, also the ones added by
    other modules later (their other roles are tested in those modules' own tests)."""
    app = create_app(get_settings(), engine=seeded_engine)
    client = TestClient(app)
    open_writes = set()
    for path, item in sorted(app.openapi()["paths"].items()):
        for method in item:
            if method not in ("post", "put", "patch", "delete"):
                continue
            if (method.upper(), path) in PUBLIC_COMPUTATIONS:
                open_writes.add((method.upper(), path))  # not run: a simulation takes minutes
                continue
            concrete = re.sub(r"\{[^}]+\}", "1", path)
            response = client.request(method.upper(), concrete, json={})
            if response.status_code != 401:
                open_writes.add((method.upper(), path))
    assert open_writes == PUBLIC_COMPUTATIONS
