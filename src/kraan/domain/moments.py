"""Reading an as-of moment: the one rule the API, the web and the CLI share."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

#: Times are stored in UTC; a calendar day is a Dutch day.
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def parse_moment(value: str) -> datetime:
    """A date alone means the end of that day in the Netherlands (Europe/Amsterdam):
    the picture as it stood that day.

    An ISO date-time with an offset becomes naive UTC (how times are stored); raises
    ``ValueError`` for anything else.
    """
    if len(value) == 10:
        local_end = datetime.combine(date.fromisoformat(value), time(23, 59, 59), AMSTERDAM)
        return local_end.astimezone(UTC).replace(tzinfo=None)
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment
