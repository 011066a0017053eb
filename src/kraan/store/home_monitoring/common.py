"""What the home-monitoring store modules share: the error, the measured values, and the
optimistic update (``... WHERE id = :id AND version = :seen``) that patients and alerts use,
as the transfers do."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Table, update

VALUE_COLUMNS = ("spo2", "resp_rate", "heart_rate", "temperature", "o2_flow")


class HomeError(Exception):
    """A request that cannot be done; ``status`` is the HTTP status it maps to."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.field = field


def compare_and_set(
    conn: Connection,
    table: Table,
    row: Mapping[str, Any],
    *,
    state: tuple[str, str],
    values: Mapping[str, Any],
    conflict: str,
) -> None:
    """Change ``row`` only if nobody did since it was read and it is still in ``state``
    (column, value); otherwise 409 with ``conflict`` and nothing is written."""
    column, expected = state
    done = conn.execute(
        update(table)
        .where(
            table.c.id == row["id"], table.c.version == row["version"], table.c[column] == expected
        )
        .values(**values, version=row["version"] + 1)
    )
    if done.rowcount != 1:
        raise HomeError(409, conflict)
