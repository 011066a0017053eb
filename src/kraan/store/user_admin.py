"""Managing web logins from the CLI: passwords, disabling, and checking the codes a
user is bound to against the reference data. Every change writes an audit row."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, select, update

from kraan.store.access import hash_password
from kraan.store.audit import write_audit
from kraan.store.tables import api_tokens, locations, regions, users


def unknown_regions(conn: Connection, codes: Iterable[str]) -> list[str]:
    wanted = set(codes)
    known = set(conn.execute(select(regions.c.code).where(regions.c.code.in_(wanted))).scalars())
    return sorted(wanted - known)


def unknown_locations(conn: Connection, codes: Iterable[str]) -> list[str]:
    wanted = set(codes)
    known = set(
        conn.execute(select(locations.c.code).where(locations.c.code.in_(wanted))).scalars()
    )
    return sorted(wanted - known)


def set_password(
    conn: Connection, *, username: str, password: str, now: datetime, actor: str
) -> bool:
    """A new password (only its hash is kept); False when there is no such user."""
    done = conn.execute(
        update(users)
        .where(users.c.username == username)
        .values(password_hash=hash_password(password), active=True)
    ).rowcount
    if done:
        write_audit(conn, at=now, actor=actor, action="user.reset_password", entity="user",
                    entity_key=username, before=None, after={"password": "changed"})  # fmt: skip
    return bool(done)


def disable_user(conn: Connection, *, username: str, now: datetime, actor: str) -> bool:
    """No more logins or API calls: the user is inactive and its tokens are revoked."""
    uid = conn.execute(select(users.c.id).where(users.c.username == username)).scalar()
    if uid is None:
        return False
    conn.execute(update(users).where(users.c.id == uid).values(active=False))
    revoked = conn.execute(
        update(api_tokens)
        .where(api_tokens.c.user_id == uid, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount
    write_audit(conn, at=now, actor=actor, action="user.disable", entity="user",
                entity_key=username, before={"active": True},
                after={"active": False, "tokens_revoked": revoked})  # fmt: skip
    return True


def audit_login(
    conn: Connection, *, username: str, ok: bool, now: datetime, source: str = "web"
) -> None:
    """Every login attempt leaves a row; a failed one names the user name tried, never
    the password."""
    write_audit(conn, at=now, actor=username or "-", action="login.ok" if ok else "login.failed",
                entity="session", entity_key=username or "-", before=None,
                after={"source": source})  # fmt: skip


def audit_logout(conn: Connection, *, username: str, now: datetime) -> None:
    write_audit(conn, at=now, actor=username, action="session.end", entity="session",
                entity_key=username, before=None, after={"source": "web"})  # fmt: skip
