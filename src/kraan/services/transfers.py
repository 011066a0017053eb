"""Moving a transfer one step: who may (domain.access), whether the machine allows it
(domain.spreading.workflow, checked by the store inside its locks) and persisting it.

The API router and the spreading page both call :func:`advance`; each turns a
:class:`TransferRefused` into its own answer (a JSON error, an error page).
"""

from __future__ import annotations

from datetime import datetime

from kraan.domain.access import Principal, can_move_transfer
from kraan.domain.spreading.workflow import InvalidTransition, TransferState
from kraan.store import transfers as store
from kraan.store.db import Engine


class TransferRefused(Exception):
    """A step not made; ``status`` is the HTTP status, ``field`` set for bad input (422)."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


def refusal(error: store.TransferError | InvalidTransition) -> TransferRefused:
    """The answer to a store or workflow error: 409 for a move not allowed now."""
    if isinstance(error, InvalidTransition):
        return TransferRefused(409, f"not allowed now: {error}")
    if error.status == 422:
        return TransferRefused(422, str(error), field="body")
    return TransferRefused(error.status, str(error))


def advance(
    engine: Engine,
    principal: Principal,
    transfer_id: int,
    *,
    to_state: str,
    now: datetime,
    note: str = "",
    offer_id: int | None = None,
    version: int | None = None,
) -> store.StoredTransfer:
    """Check the role against the transfer's two sides, then move it in one transaction.

    Raises :class:`TransferRefused`, or ``ValueError`` for a state name that does not exist.
    """
    wanted = TransferState(to_state)
    with engine.connect() as conn:
        try:
            item = store.get_transfer(conn, transfer_id=transfer_id)
        except store.NotFound as error:
            raise refusal(error) from error
    allowed = can_move_transfer(
        principal, to_state=wanted.value, from_area=item.from_area, to_area=item.to_area
    )
    if not allowed:
        raise TransferRefused(
            403,
            f"{principal.username} may not move transfer {transfer_id} "
            f"({item.from_area} -> {item.to_area}) to {wanted.value}: the receiving region "
            "offers, accepts and declines, the sending region reports transport and arrival",
        )
    try:
        with engine.begin() as conn:
            return store.advance_transfer(
                conn, transfer_id=transfer_id, to_state=wanted, actor=principal.username,
                now=now, note=note.strip(), offer_id=offer_id, expected_version=version,
            )  # fmt: skip
    except (store.TransferError, InvalidTransition) as error:
        raise refusal(error) from error
