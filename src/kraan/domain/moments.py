"""Reading an as-of moment: the one rule the API, the web and the CLI share."""

from __future__ import annotations

from datetime import date, datetime, time

from kraan.domain.bounds import bounded_moment


def parse_moment(value: str) -> datetime:
    """A date alone means the end of that day: the picture as it stood that day.

    An ISO date-time with an offset becomes naive UTC (how times are stored); raises
    ``ValueError`` for anything else, and for moments outside 2020..2100 (issue 8).
    """
    if len(value) == 10:
        moment = datetime.combine(date.fromisoformat(value), time(23, 59, 59))
    else:
        moment = datetime.fromisoformat(value)
    return bounded_moment(moment)
