"""Failed logins: the rate limit and lockout per user name and per client address.

After ``max_failures`` failures for one user name within ``window`` (or four times as many
from one address), further attempts are refused until ``lockout`` has passed since the
last failure, whatever the password. A successful login clears the user name's count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, func, insert, select

from kraan.domain.bounds import clip
from kraan.store.hardening_tables import login_failures

#: Addresses are shared (offices, NAT), so one address may fail this many times more.
IP_FACTOR = 4


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    max_failures: int
    window: timedelta
    lockout: timedelta


def locked_for(
    conn: Connection, *, username: str, ip: str, now: datetime, policy: LoginPolicy
) -> int:
    """Seconds until this user name and address may try again (0: now)."""
    since = now - policy.window
    wait = 0.0
    for column, key, limit in (
        (login_failures.c.username, clip(username, 100), policy.max_failures),
        (login_failures.c.ip, clip(ip, 64), policy.max_failures * IP_FACTOR),
    ):
        failures, last = conn.execute(
            select(func.count(), func.max(login_failures.c.at)).where(
                column == key, login_failures.c.at > since
            )
        ).one()
        if failures >= limit and last is not None:
            wait = max(wait, (last + policy.lockout - now).total_seconds())
    return max(0, int(wait + 0.999))


def record_failure(conn: Connection, *, username: str, ip: str, now: datetime) -> None:
    conn.execute(
        insert(login_failures).values(at=now, username=clip(username, 100), ip=clip(ip, 64))
    )


def clear_failures(conn: Connection, *, username: str) -> None:
    conn.execute(delete(login_failures).where(login_failures.c.username == username))
