"""Issue 8 on SQLite and PostgreSQL: every hostile or careless input gets a 4xx, never a 5xx.

Each test sends what the probe of issue 8 sent (years 1 and 9999, limit=-1, ids of 2**63,
NUL bytes, over-long text, concurrent idempotent requests, a dropped connection) and
checks the answer and what was stored.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func, select, text

from kraan.api.app import create_app
from kraan.api.guard import csrf_token
from kraan.domain.access import Role
from kraan.settings import Settings, get_settings
from kraan.store.access import create_user, issue_token
from kraan.store.tables import api_tokens, rejections, status_declarations, submissions
from tests.conftest import T0

NOW = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
Api = tuple[TestClient, dict[str, dict[str, str]], Engine]


def make_api(engine: Engine, settings: Settings | None = None) -> Api:
    tokens: dict[str, dict[str, str]] = {}
    with engine.begin() as conn:
        for name, role, region, locations in (
            ("national", Role.NATIONAL_COORDINATOR, None, ()),
            ("coord-r1", Role.REGIONAL_COORDINATOR, "R1", ()),
            ("coord-r2", Role.REGIONAL_COORDINATOR, "R2", ()),
            ("reporter", Role.REPORTER, None, ("H1",)),
            ("viewer", Role.VIEWER, None, ()),
        ):
            uid = create_user(
                conn, username=name, role=role, now=T0, actor="test", region_code=region,
                location_codes=locations, password="correct horse battery",
            )  # fmt: skip
            token = issue_token(conn, user_id=uid, now=T0, actor="test")
            tokens[name] = {"Authorization": f"Bearer {token}"}
    app = create_app(settings or get_settings(), engine=engine)
    return TestClient(app, follow_redirects=False), tokens, engine


@pytest.fixture
def api(seeded_engine: Engine) -> Api:
    return make_api(seeded_engine)


def report(code: str = "H1", at: str | None = None, **level: Any) -> dict[str, Any]:
    ic = {"care_level": "ic", "staffed_beds": 20, "covid_occupied": 6, **level}
    moment = at or (NOW - timedelta(hours=1)).isoformat()
    return {"location_code": code, "reported_at": moment, "levels": [ic]}


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def fields(response: Any) -> set[str]:
    return {d["field"] for d in response.json()["detail"]}


PUBLIC_AS_OF = (
    "/api/v1/status", "/api/v1/series", "/api/v1/outlook", "/api/v1/forecast/ic", "/",
    "/regions/R1", "/spreading", "/forecasting", "/fragments/trend",
)  # fmt: skip


def test_dates_outside_2020_2100_are_422_on_public_reads(api: Api) -> None:
    client, _, _ = api
    for as_of in ("0001-01-01", "9999-12-31", "2019-12-31", "2100-01-02", "9999-12-31T23:59Z"):
        for path in PUBLIC_AS_OF:
            response = client.get(path, params={"as_of": as_of})
            assert response.status_code == 422, (path, response.status_code, response.text[:200])
    assert client.get("/api/v1/series", params={"start": "0001-01-01"}).status_code == 422


@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "2019-06-01T08:00:00"]
)
def test_reported_at_outside_the_range_is_422_and_stores_nothing(api: Api, moment: str) -> None:
    client, tokens, engine = api
    response = client.post("/api/v1/reports", json=report(at=moment), headers=tokens["national"])
    assert response.status_code == 422
    assert fields(response) == {"reported_at"}
    batch = client.post(
        "/api/v1/reports/batch", json={"reports": [report(at=moment)]}, headers=tokens["national"]
    )
    assert batch.status_code == 422
    versions = client.get(
        "/api/v1/reports/H1/versions", params={"reported_at": moment}, headers=tokens["national"]
    )
    assert versions.status_code == 422
    assert count(engine, submissions) == 0


def test_limits_ids_and_nul_bytes_are_4xx(api: Api) -> None:
    client, tokens, _ = api
    national = tokens["national"]
    for path in ("/api/v1/audit", "/api/v1/rejections"):
        for limit in ("-1", "0", "100000", "x"):
            assert client.get(path, params={"limit": limit}, headers=national).status_code == 422
    big = str(2**63)
    for path in (f"/api/v1/spreading/plans/{big}", f"/api/v1/spreading/transfers/{big}"):
        assert client.get(path, headers=national).status_code == 422
    moved = client.post(
        f"/api/v1/spreading/transfers/{big}/advance", json={"to_state": "offered"},
        headers=national,
    )  # fmt: skip
    assert moved.status_code == 422
    assert client.get("/api/v1/locations", params={"region": "R1\x00"}).status_code == 422
    assert client.get("/api/v1/spreading/offers?region=R%00").status_code == 422
    nul = client.post("/api/v1/reports", json=report("H\x001"), headers=national)
    assert nul.status_code == 422
    declared = client.post(
        "/api/v1/regions/R1/status",
        json={"status": "under_pressure", "reason": "full\x00 up"},
        headers=national,
    )
    assert declared.status_code == 422


def test_text_is_bounded_by_its_column(api: Api) -> None:
    client, tokens, engine = api
    label = client.post(
        "/api/v1/tokens",
        json={"username": "newviewer", "role": "viewer", "label": "x" * 101},
        headers=tokens["national"],
    )
    assert label.status_code == 422 and fields(label) == {"label"}
    long_code = client.post("/api/v1/reports", json=report("H" * 40), headers=tokens["national"])
    assert long_code.status_code == 422 and fields(long_code) == {"location_code"}
    ok = client.post(
        "/api/v1/tokens",
        json={"username": "newviewer", "role": "viewer", "label": "x" * 100},
        headers=tokens["national"],
    )
    assert ok.status_code == 201
    assert count(engine, api_tokens) == 6


def test_bed_counts_are_strict_integers(api: Api) -> None:
    client, tokens, engine = api
    for value in ("10", True, 10.5):
        response = client.post(
            "/api/v1/reports", json=report(staffed_beds=value), headers=tokens["national"]
        )
        assert response.status_code == 422, value
        assert fields(response) == {"levels[0].staffed_beds"}
    assert count(engine, submissions) == 0


def _csv(*rows: str, header: str = "location_code,reported_at,care_level,staffed_beds,"
         "covid_occupied") -> bytes:  # fmt: skip
    return ("\n".join([header, *rows]) + "\n").encode()


def test_csv_rejections_are_truncated_and_never_fail_the_upload(api: Api) -> None:
    """Issue 8, item 1: a code over 64, a NUL byte, a line reference over 200 characters."""
    client, tokens, engine = api
    at = (NOW - timedelta(hours=2)).isoformat()
    rows = [f"H1,{at},ic,20,5"]
    rows.append(f"{'X' * 300},{at},ic,20,5")
    rows.append(f"H\x002,{at},ic,20,5")
    rows += [f"NOPE,{at},ic,20,5"] * 80  # one report over 80 lines: a long line reference
    rows.append("H3,0001-01-01T00:00:00+05:00,ic,20,5")
    response = client.post(
        "/api/v1/reports/csv",
        files={"file": ("r.csv", _csv(*rows), "text/csv")},
        headers=tokens["national"],
    )
    assert response.status_code == 200, response.text[:300]
    summary = response.json()["summary"]
    assert summary == {"created": 1, "rejected": len(rows) - 1}
    with engine.connect() as conn:
        stored = conn.execute(select(rejections)).mappings().all()
    assert len(stored) == 4
    for row in stored:
        assert len(row["location_code"] or "") <= 64 and "\x00" not in (row["location_code"] or "")
        assert len(row["reference"]) <= 200
    assert count(engine, submissions) == 1


def test_csv_extra_and_duplicate_columns_are_errors(api: Api) -> None:
    client, tokens, engine = api
    at = (NOW - timedelta(hours=2)).isoformat()
    header = "location_code,reported_at,care_level,staffed_beds,covid_occupied,covid_occupied"
    twice = client.post(
        "/api/v1/reports/csv", files={"file": ("r.csv", _csv(f"H1,{at},ic,20,5,6", header=header))},
        headers=tokens["national"],
    )  # fmt: skip
    assert twice.status_code == 422 and "twice" in twice.json()["detail"][0]["message"]
    extra = client.post(
        "/api/v1/reports/csv", files={"file": ("r.csv", _csv(f"H1,{at},ic,20,5,oops"))},
        headers=tokens["national"],
    )  # fmt: skip
    assert extra.status_code == 200
    row = extra.json()["rows"][0]
    assert row["outcome"] == "rejected" and "more fields" in row["errors"][0]["message"]
    assert count(engine, submissions) == 0


def test_csv_size_and_row_caps(seeded_engine: Engine) -> None:
    settings = get_settings().model_copy(update={"max_csv_bytes": 2000, "max_csv_rows": 5})
    client, tokens, _ = make_api(seeded_engine, settings)
    at = (NOW - timedelta(hours=2)).isoformat()
    rows = client.post(
        "/api/v1/reports/csv", files={"file": ("r.csv", _csv(*[f"H1,{at},ic,20,5"] * 6))},
        headers=tokens["national"],
    )  # fmt: skip
    assert rows.status_code == 413 and "rows" in rows.json()["detail"]
    big = client.post(
        "/api/v1/reports/csv", files={"file": ("r.csv", b"x" * 5000)}, headers=tokens["national"]
    )
    assert big.status_code == 413


def test_rejections_per_actor_are_capped_per_hour(seeded_engine: Engine) -> None:
    settings = get_settings().model_copy(update={"max_rejections_per_hour": 3})
    client, tokens, engine = make_api(seeded_engine, settings)
    for _ in range(6):
        response = client.post("/api/v1/reports", json=report("NOPE"), headers=tokens["viewer"])
        assert response.status_code == 422
    with engine.connect() as conn:
        refs = conn.execute(select(rejections.c.reference)).scalars().all()
    assert len(refs) == 4 and refs[-1] == "rejection-log-capped"


def test_concurrent_requests_with_one_idempotency_key_replay(api: Api) -> None:
    """Issue 8, item 2: 33 of 40 concurrent tries answered 500 before."""
    client, tokens, engine = api
    payload = report("H2")
    headers = {**tokens["national"], "Idempotency-Key": "same-key-1"}
    answers: list[Any] = []
    barrier = threading.Barrier(8)

    def send() -> None:
        barrier.wait()
        answers.append(client.post("/api/v1/reports", json=payload, headers=headers))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(a.status_code for a in answers)
    assert codes == [200] * 7 + [201], [a.text[:200] for a in answers]
    replays = [a for a in answers if a.headers.get("Idempotent-Replay") == "true"]
    assert len(replays) == 7
    assert {json.dumps(a.json(), sort_keys=True) for a in answers} == {
        json.dumps(answers[0].json(), sort_keys=True)
    }
    assert count(engine, submissions) == 1


def test_a_lost_connection_is_retried_once_then_503(seeded_engine: Engine) -> None:
    if seeded_engine.dialect.name != "postgresql":
        pytest.skip("terminating a server backend: PostgreSQL only")
    client, _, engine = make_api(seeded_engine)
    kills = {"left": 0}

    @event.listens_for(engine, "before_cursor_execute")
    def _kill(conn, cursor, statement, *_: Any) -> None:  # type: ignore[no-untyped-def]
        if kills["left"] and "locations" in statement:
            kills["left"] -= 1
            pid = conn.connection.dbapi_connection.info.backend_pid
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as admin:
                admin.execute(text("select pg_terminate_backend(:pid)"), {"pid": pid})

    try:
        assert client.get("/api/v1/locations").status_code == 200
        kills["left"] = 1  # one connection lost: the retry answers
        assert client.get("/api/v1/locations").status_code == 200
        kills["left"] = 4  # lost again on the retry: 503
        lost = client.get("/api/v1/locations")
        assert lost.status_code == 503 and int(lost.headers["Retry-After"]) > 0
        kills["left"] = 0
        assert client.get("/api/v1/locations").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", _kill)


def test_security_headers_on_every_response(seeded_engine: Engine) -> None:
    client, _, _ = make_api(seeded_engine)
    for path in ("/", "/api/v1/status", "/static/kraan.css", "/nowhere", "/login"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in headers
    secure = get_settings().model_copy(update={"cookie_secure": True})
    client = TestClient(create_app(secure, engine=seeded_engine), follow_redirects=False)
    assert "max-age" in client.get("/").headers["strict-transport-security"]
    login = client.post("/login", data={"username": "viewer", "password": "correct horse battery"})
    assert login.status_code == 303
    assert "secure" in login.headers["set-cookie"].lower()


def test_cookie_authenticated_api_writes_need_csrf(api: Api) -> None:
    client, tokens, engine = api
    with engine.begin() as conn:
        uid = conn.execute(text("select id from users where username = 'national'")).scalar_one()
        session = issue_token(
            conn, user_id=uid, now=NOW, actor="national", kind="session",
            lifetime=timedelta(hours=1),
        )  # fmt: skip
    client.cookies.set(get_settings().session_cookie, session)
    refused = client.post("/api/v1/reports", json=report("H1"))
    assert refused.status_code == 403 and "X-CSRF-Token" in refused.json()["detail"]
    wrong = client.post("/api/v1/reports", json=report("H1"), headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403
    assert count(engine, submissions) == 0
    ok = client.post(
        "/api/v1/reports", json=report("H1"), headers={"X-CSRF-Token": csrf_token(session)}
    )
    assert ok.status_code == 201
    bearer = client.post("/api/v1/reports", json=report("H2"), headers=tokens["national"])
    assert bearer.status_code == 201  # Bearer tokens are exempt
    assert client.get("/api/v1/audit").status_code == 200  # reads need no CSRF token


def test_declarations_keep_their_timezone(api: Api) -> None:
    client, tokens, engine = api
    response = client.post(
        "/api/v1/regions/R1/status",
        json={
            "status": "under_pressure",
            "reason": "ward full",
            "valid_from": "2030-03-01T12:00:00+05:00",
            "valid_until": "2030-03-02T12:00:00Z",
        },
        headers=tokens["coord-r1"],
    )
    assert response.status_code == 201, response.text
    assert response.json()["valid_from"] == "2030-03-01T07:00:00"
    with engine.connect() as conn:
        stored = conn.execute(select(status_declarations)).mappings().one()
    assert stored["valid_from"] == datetime(2030, 3, 1, 7, 0)
    assert stored["valid_until"] == datetime(2030, 3, 2, 12, 0)
    for bad in ("0001-01-01T00:00:00", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-01:00"):
        refused = client.post(
            "/api/v1/regions/R1/status",
            json={"status": "normal", "reason": "calm again", "valid_from": bad},
            headers=tokens["coord-r1"],
        )
        assert refused.status_code == 422 and fields(refused) == {"valid_from"}


def test_a_token_never_carries_more_than_its_user(api: Api) -> None:
    """Issue 8, item 4: a "viewer" token for a national account had national rights."""
    client, tokens, engine = api
    asked = client.post(
        "/api/v1/tokens", json={"username": "national", "role": "viewer"},
        headers=tokens["national"],
    )  # fmt: skip
    assert asked.status_code == 409 and "national_coordinator" in asked.json()["detail"]
    other_region = client.post(
        "/api/v1/tokens",
        json={"username": "coord-r1", "role": "regional_coordinator", "region_code": "R2"},
        headers=tokens["national"],
    )
    assert other_region.status_code == 409
    same = client.post(
        "/api/v1/tokens",
        json={"username": "coord-r1", "role": "regional_coordinator", "region_code": "R1"},
        headers=tokens["national"],
    )
    assert same.status_code == 201
    for name in ("coord-r1", "reporter", "viewer"):
        refused = client.post(
            "/api/v1/tokens", json={"username": "x" + name, "role": "viewer"}, headers=tokens[name]
        )
        assert refused.status_code == 403
    assert count(engine, api_tokens) == 6


def test_regional_coordinators_read_only_their_region(api: Api) -> None:
    client, tokens, _ = api
    at = (NOW - timedelta(hours=1)).isoformat()
    for code in ("H1", "H3"):
        made = client.post("/api/v1/reports", json=report(code, at=at), headers=tokens["national"])
        assert made.status_code == 201
    client.post("/api/v1/reports", json=report("NOPE"), headers=tokens["coord-r2"])
    client.post("/api/v1/reports", json=report("H3", staffed_beds=1), headers=tokens["national"])
    client.post("/api/v1/regions/R2/status", json={"status": "normal", "reason": "quiet day"},
                headers=tokens["coord-r2"])  # fmt: skip
    own = client.get(
        "/api/v1/reports/H1/versions", params={"reported_at": at}, headers=tokens["coord-r1"]
    )
    assert own.status_code == 200 and own.json()[0]["recorded_by"] == "national"
    other = client.get(
        "/api/v1/reports/H3/versions", params={"reported_at": at}, headers=tokens["coord-r1"]
    )
    assert other.status_code == 403
    r1_rejections = client.get("/api/v1/rejections", headers=tokens["coord-r1"]).json()
    assert r1_rejections == []
    r2_rejections = client.get("/api/v1/rejections", headers=tokens["coord-r2"]).json()
    assert {r["location_code"] for r in r2_rejections} == {"NOPE", "H3"}
    r1_audit = client.get("/api/v1/audit", headers=tokens["coord-r1"]).json()
    assert all(row["entity_key"] != "R2" and row["actor"] != "coord-r2" for row in r1_audit)
    r2_audit = client.get("/api/v1/audit", headers=tokens["coord-r2"]).json()
    assert any(row["entity_key"] == "R2" for row in r2_audit)
    national = client.get("/api/v1/audit", headers=tokens["national"]).json()
    assert len(national) > len(r2_audit)


def test_login_is_limited_per_user_and_per_address(seeded_engine: Engine) -> None:
    from kraan.store import access

    settings = get_settings().model_copy(update={"login_max_failures": 3})
    client, _, _ = make_api(seeded_engine, settings)

    def login(username: str, password: str = "correct horse battery") -> Any:
        return client.post("/login", data={"username": username, "password": password})

    for _ in range(3):
        assert login("viewer", "wrong password").status_code == 401
    locked = login("viewer")  # the right password, but locked out
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert "Te veel mislukte pogingen" in locked.text  # Dutch by default
    assert login("national").status_code == 303  # another user from the same address
    access._dummy_hash.cache_clear()
    for i in range(8):  # unknown users cost a dummy hash check, like a wrong password
        assert login(f"nobody{i}", "whatever it is").status_code == 401
    assert access._dummy_hash.cache_info().currsize == 1
    assert login("coord-r1").status_code == 303  # 11 failures from this address so far
    assert login("nobody", "x").status_code == 401  # the 12th: 4 x 3 from one address
    assert login("coord-r2").status_code == 429
