"""Reading an as-of moment: the one rule the API, the web and the CLI share."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from kraan.domain.bounds import bounded_moment

#: Times are stored in UTC; a calendar day is a Dutch day.
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def parse_moment(value: str) -> datetime:
    """A date alone means the end of that day in the Netherlands (Europe/Amsterdam):
    the picture as it stood that day.

    An ISO date-time with an offset becomes naive UTC (how times are stored); raises
    ``ValueError`` for anything else, and for moments outside 2020..2100 (issue 8).
    """
    if len(value) == 10:
        local_end = datetime.combine(date.fromisoformat(value), time(23, 59, 59), AMSTERDAM)
        return bounded_moment(local_end.astimezone(UTC))
    return bounded_moment(datetime.fromisoformat(value))
