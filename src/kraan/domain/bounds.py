"""The bounds every input must keep: dates, ids, text (pure rules, no I/O).

Dates outside 2020-01-01..2100-01-01 are refused everywhere (issue 8: nothing in Kraan
predates the first COVID-19 reports, and year 1 or 9999 overflow date arithmetic).
Ids fit a signed 64-bit column; text never holds a NUL byte (PostgreSQL refuses it).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

#: Assumption (issue 8): the first reports are of 2020; nothing is planned beyond 2100.
EARLIEST_DAY = date(2020, 1, 1)
LATEST_DAY = date(2100, 1, 1)
EARLIEST = datetime(2020, 1, 1)
LATEST = datetime(2100, 1, 1)
#: Largest id a BIGINT column holds (2**63 - 1).
MAX_ID = 2**63 - 1
#: Largest id an INTEGER column holds.
MAX_INT_ID = 2**31 - 1
RANGE_TEXT = f"must lie between {EARLIEST_DAY.isoformat()} and {LATEST_DAY.isoformat()}"


def day_problem(day: date) -> str | None:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        return RANGE_TEXT
    return None


def bounded_moment(moment: datetime) -> datetime:
    """The moment as naive UTC; ValueError when it lies outside the bounds.

    The naive part is checked first, so converting year 1 or 9999 cannot overflow.
    """
    margin = timedelta(days=2)
    naive = moment.replace(tzinfo=None)
    if not EARLIEST - margin <= naive <= LATEST + margin:
        raise ValueError(RANGE_TEXT)
    if moment.tzinfo is not None:
        naive = moment.astimezone(UTC).replace(tzinfo=None)
    if not EARLIEST <= naive <= LATEST:
        raise ValueError(RANGE_TEXT)
    return naive


def text_problem(value: str, *, max_length: int) -> str | None:
    if "\x00" in value:
        return "must not contain a NUL character"
    if len(value) > max_length:
        return f"at most {max_length} characters"
    return None


def clip(value: str | None, max_length: int) -> str | None:
    """Text made safe to store in a column of ``max_length``: no NUL, cut with an ellipsis."""
    if value is None:
        return None
    cleaned = value.replace("\x00", "\N{REPLACEMENT CHARACTER}")
    if len(cleaned) <= max_length:
        return cleaned
    return cleaned[: max_length - 1] + "\N{HORIZONTAL ELLIPSIS}"
