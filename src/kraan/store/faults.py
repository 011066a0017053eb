"""Database faults as the layers above the store see them (they import no sqlalchemy).

``DataError``: a value the database cannot hold; ``IntegrityError``: a constraint lost a
race; :func:`is_connection_lost`: the connection to the server went away (retry once).
"""

from __future__ import annotations

from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    OperationalError,
    SQLAlchemyError,
)

#: Any failure of the database or the driver (what "log it and go on" catches).
DatabaseError = SQLAlchemyError

__all__ = ["DataError", "DatabaseError", "IntegrityError", "is_connection_lost"]


def is_connection_lost(error: BaseException) -> bool:
    if isinstance(error, DisconnectionError):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, OperationalError)
