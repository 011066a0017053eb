"""The status is cached per (as_of, data version) and served with ETag/Cache-Control."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from kraan.services.status_cache import now_bucket
from kraan.settings import get_settings
from tests.e2e.test_hardening import make_api, report

AS_OF = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S")


def test_a_written_report_invalidates_the_cached_status(seeded_engine: Engine) -> None:
    client, tokens, _ = make_api(seeded_engine)
    cache = client.app.state.status_cache  # type: ignore[attr-defined]
    first = client.get("/api/v1/status", params={"as_of": AS_OF})
    assert first.status_code == 200
    assert first.headers["cache-control"].startswith("public, max-age=")
    again = client.get("/api/v1/status", params={"as_of": AS_OF})
    assert again.json() == first.json() and again.headers["etag"] == first.headers["etag"]
    assert (cache.misses, cache.hits) == (1, 1)
    unchanged = client.get(
        "/api/v1/status", params={"as_of": AS_OF}, headers={"If-None-Match": first.headers["etag"]}
    )
    assert unchanged.status_code == 304 and not unchanged.content
    at = (datetime.now(UTC) - timedelta(minutes=30)).replace(tzinfo=None).isoformat()
    written = client.post(
        "/api/v1/reports", json=report("H1", at=at, covid_occupied=9), headers=tokens["national"]
    )
    assert written.status_code == 201
    after = client.get(
        "/api/v1/status", params={"as_of": AS_OF}, headers={"If-None-Match": first.headers["etag"]}
    )
    assert after.status_code == 200 and after.headers["etag"] != first.headers["etag"]
    assert after.json()["national"]["ic"]["covid"] == first.json()["national"]["ic"]["covid"] + 9
    assert cache.misses == 2
    # the pages read the same cache
    assert client.get("/", params={"as_of": AS_OF}).status_code == 200
    assert cache.misses == 2 and cache.hits >= 2


def test_without_the_cache_the_answer_is_the_same(seeded_engine: Engine) -> None:
    client, _, _ = make_api(seeded_engine)
    cached = client.get("/api/v1/status", params={"as_of": AS_OF}).json()
    plain_settings = get_settings().model_copy(update={"status_cache": False})
    from fastapi.testclient import TestClient

    from kraan.api.app import create_app

    plain = TestClient(create_app(plain_settings, engine=seeded_engine))
    assert plain.app.state.status_cache is None  # type: ignore[attr-defined]
    assert plain.get("/api/v1/status", params={"as_of": AS_OF}).json() == cached


def test_now_is_one_key_for_a_few_seconds() -> None:
    moment = datetime(2020, 12, 21, 8, 0, 17, 500)
    assert now_bucket(moment, 10) == datetime(2020, 12, 21, 8, 0, 10)
    assert now_bucket(moment, 1) == datetime(2020, 12, 21, 8, 0, 17)
