"""The data version: changes whenever anything a status document depends on is written.

Reports (a new version is a new ``submissions`` row), declarations, reference data and
every audited change raise one of these ids, so a cache keyed on the version is
invalidated by any write, in this process or another one. Four index lookups.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from kraan.store.tables import audit_log, locations, status_declarations, submissions


def data_version(conn: Connection) -> str:
    row = conn.execute(
        select(
            select(func.max(submissions.c.id)).scalar_subquery(),
            select(func.max(status_declarations.c.id)).scalar_subquery(),
            select(func.max(audit_log.c.id)).scalar_subquery(),
            select(func.max(locations.c.id)).scalar_subquery(),
        )
    ).one()
    return ".".join(str(v or 0) for v in row)
