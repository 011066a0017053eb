"""Tables of the hardening work (issue 8): failed logins, for the rate limit and lockout."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, String, Table

from kraan.store.tables import Id, metadata

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("username", String(100), nullable=False),
    Column("ip", String(64), nullable=False),
    Index("ix_login_failures_username_at", "username", "at"),
    Index("ix_login_failures_ip_at", "ip", "at"),
)
