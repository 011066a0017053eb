"""Users and API tokens. Tokens and passwords are stored hashed, never in clear."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import Connection, insert, select, update

from kraan.domain.access import Principal, Role
from kraan.store.audit import write_audit
from kraan.store.tables import api_tokens, users

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt_hex), **_SCRYPT)
    return hmac.compare_digest(digest.hex(), digest_hex)


def hash_token(token: str) -> str:
    """Tokens carry 256 random bits, so one SHA-256 is enough (no salt or stretching needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    conn: Connection,
    *,
    username: str,
    role: Role,
    now: datetime,
    actor: str,
    password: str | None = None,
    region_code: str | None = None,
    location_codes: Iterable[str] = (),
) -> int:
    codes = sorted(set(location_codes))
    user_id = conn.execute(
        insert(users)
        .values(
            username=username,
            password_hash=hash_password(password) if password else None,
            role=role.value,
            region_code=region_code,
            location_codes=",".join(codes),
            active=True,
            created_at=now,
        )
        .returning(users.c.id)
    ).scalar_one()
    write_audit(
        conn,
        at=now,
        actor=actor,
        action="user.create",
        entity="user",
        entity_key=username,
        before=None,
        after={"role": role.value, "region_code": region_code, "location_codes": codes},
    )
    return int(user_id)


def issue_token(
    conn: Connection,
    *,
    user_id: int,
    now: datetime,
    actor: str,
    label: str = "",
    kind: str = "api",
    lifetime: timedelta | None = None,
    token_bytes: int = 32,
) -> str:
    """Return a new token once; only its hash is kept."""
    token = secrets.token_urlsafe(token_bytes)
    conn.execute(
        insert(api_tokens).values(
            token_hash=hash_token(token),
            user_id=user_id,
            label=label,
            kind=kind,
            created_at=now,
            expires_at=now + lifetime if lifetime else None,
        )
    )
    if kind == "api":
        write_audit(
            conn,
            at=now,
            actor=actor,
            action="token.issue",
            entity="token",
            entity_key=str(user_id),
            before=None,
            after={"label": label},
        )
    return token


def revoke_token(conn: Connection, *, token: str, now: datetime) -> None:
    conn.execute(
        update(api_tokens)
        .where(api_tokens.c.token_hash == hash_token(token))
        .values(revoked_at=now)
    )


def _principal(row: object) -> Principal:
    codes = getattr(row, "location_codes") or ""  # noqa: B009
    return Principal(
        username=row.username,  # type: ignore[attr-defined]
        role=Role(row.role),  # type: ignore[attr-defined]
        region_code=row.region_code,  # type: ignore[attr-defined]
        location_codes=frozenset(c for c in codes.split(",") if c),
    )


def principal_for_token(conn: Connection, *, token: str, now: datetime) -> Principal | None:
    row = conn.execute(
        select(users, api_tokens.c.expires_at, api_tokens.c.revoked_at)
        .join(api_tokens, api_tokens.c.user_id == users.c.id)
        .where(api_tokens.c.token_hash == hash_token(token), users.c.active == True)  # noqa: E712
    ).first()
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    return _principal(row)


def principal_for_login(
    conn: Connection, *, username: str, password: str
) -> tuple[int, Principal] | None:
    row = conn.execute(
        select(users).where(users.c.username == username, users.c.active == True)  # noqa: E712
    ).first()
    if row is None or not row.password_hash:
        # as slow as a wrong password, so a user name cannot be told apart by timing
        verify_password(password, _dummy_hash())
        return None
    if not verify_password(password, row.password_hash):
        return None
    return int(row.id), _principal(row)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def user_id(conn: Connection, username: str) -> int | None:
    value = conn.execute(select(users.c.id).where(users.c.username == username)).scalar()
    return int(value) if value is not None else None


def user_principal(conn: Connection, username: str) -> tuple[int, Principal] | None:
    """The id and rights of an account (active or not)."""
    row = conn.execute(select(users).where(users.c.username == username)).first()
    return None if row is None else (int(row.id), _principal(row))
