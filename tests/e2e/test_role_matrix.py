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
    "chair": (Role.SAFETY_REGION_CHAIR, "VR01", ()),  # H1's safety region
    "lotc": (Role.LOTC, None, ()),
    "defence": (Role.DEFENCE, None, ()),
    "umbrella": (Role.UMBRELLA_BODY, None, ()),
    "stock": (Role.STOCK_OFFICE, None, ()),
}
REQUEST = {
    "location_code": "H1", "workers": {"ic_nurse": 2, "support": 6},
    "period_start": "2020-12-22", "period_end": "2021-01-04", "shifts": "day, night",
    "reason": "absence 15 % and rising IC occupancy", "measures": "planned care stopped",
}  # fmt: skip
DEPLOYMENT = {"kind": "support", "count": 1, "source": "red_cross",
              "start": "2020-12-23T07:00:00", "end": "2020-12-30T19:00:00"}  # fmt: skip
ANSWER = {"step": "answer", "answer": "cannot_fill", "asked": ["roaz", "other_providers"]}
SIGNAL = {"region_code": "R1", "location_code": "H1", "sector": "vvt",
          "blocked": "two nursing homes closed for admissions", "since": "2020-12-20"}  # fmt: skip
APPLICATION = {"location_code": "H1", "units": 1, "reason": "one unit failed this morning"}


def _report(role: str) -> dict[str, Any]:
    minutes = ROLES.index(role)
    moment = (NOW - timedelta(hours=2, minutes=minutes)).isoformat()
    level = {"care_level": "ic", "staffed_beds": 20, "covid_occupied": 6}
    return {"location_code": "H1", "reported_at": moment, "levels": [level]}


def _chain_body(name: str, role: str, csrf: str, ids: dict[str, Any]) -> dict[str, Any]:
    """The bodies of issue 14's rows: help requests, signals, ELV orders, chain, stock."""
    moment = (NOW - timedelta(hours=1, minutes=ROLES.index(role))).isoformat()
    chain = {"reporter_code": "H1", "region_code": "R1", "kind": "gp_post",
             "reported_at": moment, "status": "under_pressure",
             "reason": "two GPs ill"}  # fmt: skip
    medicine = {"code": "propofol", "name": "Propofol", "unit": "vial", "stock": 5000,
                "regular_per_month": 2000, "per_ic_patient_day": 3}  # fmt: skip
    vote = {"step": "vote", "approve": True, "granted": {"support": 1}}
    form = {"csrf": csrf}
    bodies: dict[str, dict[str, Any]] = {
        "request": {"json": REQUEST},
        "answer": {"json": ANSWER},
        "escalate": {"json": {"step": "escalate", "version": 2}},  # the loser: 409
        "reconfirm": {"json": {"step": "reconfirm", "note": f"still needed ({role})"}},
        "sign": {"json": {"step": "sign"}},
        "intake": {"json": {"step": "intake", "note": "complete and concrete"}},
        "fact_finding": {"json": {"step": "fact_finding", "note": "two nurses short"}},
        "vote_defence": {"json": {**vote, "party": "defence"}},
        "vote_vws": {"json": {**vote, "party": "vws"}},
        "deployment": {"json": DEPLOYMENT},
        "request_form": {"data": {**form, "location_code": "H1", "workers_support": "2",
                                  "period_start": "2020-12-22", "period_end": "2021-01-04",
                                  "shifts": "day", "reason": REQUEST["reason"],
                                  "measures": REQUEST["measures"]}},
        "answer_form": {"data": {**form, "step": "answer", "answer": "cannot_fill",
                                 "asked": "roaz"}},
        "deployment_form": {"data": {**form, **{k: str(v) for k, v in DEPLOYMENT.items()}}},
        "signal": {"json": SIGNAL},
        "signal_escalate": {"json": {"step": "escalate", "umbrella": "actiz"}},
        "signal_classify": {"json": {"step": "classify", "classification": "general"}},
        "order": {"json": {"region_code": "R1", "beds": 5}},
        "beds": {"json": {"location_code": "H1", "beds": 1}},
        "chain_report": {"json": chain},
        "signal_form": {"data": {**form, **SIGNAL}},
        "signal_escalate_form": {"data": {**form, "step": "escalate", "umbrella": "actiz"}},
        "chain_form": {"data": {**form, **{k: v for k, v in chain.items() if k != "region_code"}
                                }},
        "order_form": {"data": {**form, "region_code": "R1", "beds": "5"}},
        "beds_form": {"data": {**form, "location_code": "H1", "beds": "1"}},
        "medicine": {"json": medicine},
        "pool": {"json": {"total": 100}},
        "application": {"json": APPLICATION},
        "assess": {"json": {"decision": "granted", "units_granted": 1}},
        "medicine_form": {"data": {**form, **{k: str(v) for k, v in medicine.items()}}},
        "pool_form": {"data": {**form, "total": "100"}},
        "application_form": {"data": {**form, **{k: str(v) for k, v in APPLICATION.items()}}},
        "assess_form": {"data": {**form, "app_id": str(ids["applied_web"]),
                                 "decision": "granted", "units_granted": "1"}},
        "ship_form": {"data": {**form, "app_id": str(ids["granted_web"])}},
    }  # fmt: skip
    return bodies[name]


def _issue14_objects(client: TestClient, bearer: dict[str, dict[str, str]]) -> dict[str, Any]:
    """Help requests, signals, orders and applications of H1 / R1, each in the state the
    row's step needs; every setup call must succeed."""

    def call(who: str, path: str, body: dict[str, Any], method: str = "POST") -> Any:
        response = client.request(method, path, json=body, headers=bearer[who])
        assert response.status_code < 300, (path, response.text)
        return response.json()

    def request(*steps: tuple[str, dict[str, Any]]) -> int:
        rid = call("reporter", "/api/v1/requests", REQUEST)["id"]
        for who, step in steps:
            call(who, f"/api/v1/requests/{rid}/steps", step)
        return int(rid)

    up = [("coord-r1", ANSWER), ("coord-r1", {"step": "escalate"})]
    rung2 = {**ANSWER, "asked": ["red_cross", "extra_handen", "zorgreserve"]}
    rung3 = up + [("national", rung2), ("coord-r1", {"step": "escalate"})]
    signed = rung3 + [("chair", {"step": "sign"})]
    taken_in = signed + [("lotc", {"step": "intake", "note": "complete"})]
    found = taken_in + [("defence", {"step": "fact_finding", "note": "two nurses short"})]
    call("stock", "/api/v1/stock/ventilators", {"total": 100}, method="PUT")

    def application(*steps: str) -> int:
        app = call("reporter", "/api/v1/stock/ventilators/applications", APPLICATION)["id"]
        for step in steps:
            call("stock", f"/api/v1/stock/ventilators/applications/{app}/{step}",
                 {"decision": "granted", "units_granted": 1})  # fmt: skip
        return int(app)

    def signal(*steps: dict[str, Any]) -> int:
        sid = call("reporter", "/api/v1/signals", SIGNAL)["id"]
        for step in steps:
            call("coord-r1", f"/api/v1/signals/{sid}/steps", step)
        return int(sid)

    return {
        "request": request(), "request_web": request(), "answered": request(up[0]),
        "rung3": request(*rung3), "signed": request(*signed), "taken_in": request(*taken_in),
        "found": request(*found),
        "signal": signal(), "signal_web": signal(),
        "escalated": signal({"step": "escalate", "umbrella": "zn"}),
        "order": call("coord-r1", "/api/v1/elv-orders", {"region_code": "R1", "beds": 40})["id"],
        "applied": application(), "applied_web": application(),
        "granted": application("assess"), "granted_web": application("assess"),
    }  # fmt: skip


def _body(name: str, role: str, csrf: str, ids: dict[str, Any]) -> dict[str, Any]:
    """Request keyword arguments for one cell and role."""
    day = T0.date().isoformat()
    if name not in _FIRST_BODIES:
        return _chain_body(name, role, csrf, ids) if name else {}
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
    return bodies[name]


_FIRST_BODIES = frozenset({
    "report", "batch", "csv", "declare", "token", "plan", "offer_r1", "offer_r2",
    "advance_offered", "advance_transport", "declare_form", "offer_form", "advance_form",
})  # fmt: skip


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
    ids.update(_issue14_objects(setup, bearer))
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
            kwargs = _body(cell.body, role, csrf, ids)
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
