"""Faults during a batch ingest on PostgreSQL (issue 8): nothing lost, nothing duplicated.

A real uvicorn process serves the API; client threads post batches with an
Idempotency-Key and retry (connection errors, 409, 503) until each batch is answered.
Meanwhile the database backends of the server are terminated (``pg_terminate_backend``)
and the server itself is killed (SIGKILL) and started again. Afterwards every report is
stored exactly once: one version, one set of levels, one audit row, and the audit chain
holds. Bounded: 24 batches of 40 reports, three terminations and one kill.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text

from kraan.domain.access import Role
from kraan.store.access import create_user, issue_token
from kraan.store.audit import verify_chain
from kraan.store.tables import audit_log, submission_levels, submissions
from tests.conftest import _PG_PROBLEM, T0, drop_pg_schema, pg_engine, seed_reference

BATCHES = 24
PER_BATCH = 40
CLIENTS = 4
NOW = datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _batch(number: int) -> dict[str, Any]:
    """Distinct reports: H1..H3 at 5-minute steps going back from two hours ago."""
    reports = []
    for i in range(PER_BATCH):
        step = number * PER_BATCH + i
        at = NOW - timedelta(hours=2, minutes=5 * (step // 3))
        level = {"care_level": "ic", "staffed_beds": 30, "covid_occupied": 10 + step % 3}
        reports.append({"location_code": f"H{step % 3 + 1}", "reported_at": at.isoformat(),
                        "levels": [level]})  # fmt: skip
    return {"reports": reports}


class Server:
    def __init__(self, url: str) -> None:
        self.url = url
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, "KRAAN_DATABASE_URL": self.url}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "kraan.api.app:create_app", "--factory",
             "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "error"],
            env=env,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/api/v1/regions", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise AssertionError("uvicorn did not start")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


def test_terminated_backends_and_a_killed_server_lose_and_duplicate_nothing() -> None:
    if _PG_PROBLEM:
        pytest.skip(_PG_PROBLEM)
    engine, schema = pg_engine()
    app_name = f"kraan_fault_{uuid.uuid4().hex[:8]}"
    server_url = f"{engine.url.render_as_string(hide_password=False)}&application_name={app_name}"
    server = Server(server_url)
    try:
        from kraan.store.db import migrate

        migrate(engine)
        seed_reference(engine)
        with engine.begin() as conn:
            uid = create_user(conn, username="national", role=Role.NATIONAL_COORDINATOR,
                              now=T0, actor="test")  # fmt: skip
            token = issue_token(conn, user_id=uid, now=T0, actor="test")
        server.start()
        pending = list(range(BATCHES))
        lock = threading.Lock()
        answered: dict[int, int] = {}
        attempts = {"retries": 0}

        def client() -> None:
            while True:
                with lock:
                    if not pending:
                        return
                    number = pending.pop(0)
                headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"b-{number}"}
                for _ in range(200):
                    try:
                        response = httpx.post(f"{server.base}/api/v1/reports/batch",
                                              json=_batch(number), headers=headers, timeout=30)
                        if response.status_code == 200:
                            answered[number] = response.status_code
                            break
                        assert response.status_code in (409, 503), response.text[:300]
                    except httpx.HTTPError:
                        pass
                    attempts["retries"] += 1
                    time.sleep(0.1)

        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        admin = engine.execution_options(isolation_level="AUTOCOMMIT")

        def wait_for(answers: int) -> None:
            deadline = time.monotonic() + 60
            while len(answered) < answers and time.monotonic() < deadline:
                time.sleep(0.02)

        for answers in (2, 4, 6):  # the faults strike while most batches are still to come
            wait_for(answers)
            with admin.connect() as conn:
                conn.execute(
                    text("select pg_terminate_backend(pid) from pg_stat_activity "
                         "where application_name = :name"), {"name": app_name},
                )  # fmt: skip
        wait_for(8)
        at_kill = len(answered)
        server.kill()
        server.start()
        for thread in threads:
            thread.join(timeout=120)
        assert sorted(answered) == list(range(BATCHES))
        assert at_kill < BATCHES and attempts["retries"] > 0
        with engine.connect() as conn:
            stored = conn.execute(select(func.count()).select_from(submissions)).scalar_one()
            keys = conn.execute(
                select(func.count()).select_from(
                    select(submissions.c.location_id, submissions.c.reported_at).distinct()
                    .subquery()
                )
            ).scalar_one()  # fmt: skip
            top_version = conn.execute(select(func.max(submissions.c.version))).scalar_one()
            level_rows = conn.execute(
                select(func.count()).select_from(submission_levels)
            ).scalar_one()
            audit_rows = conn.execute(
                select(func.count()).select_from(audit_log).where(audit_log.c.entity == "report")
            ).scalar_one()
            chain = verify_chain(conn)
        total = BATCHES * PER_BATCH
        counts = (stored, keys, top_version, level_rows, audit_rows)
        assert counts == (total, total, 1, total, total)
        assert chain.ok
    finally:
        server.stop()
        engine.dispose()
        drop_pg_schema(schema)
