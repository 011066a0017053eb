"""Annotated input types that keep every value inside what the store can hold.

A value outside gets the one 422 per field of :func:`kraan.api.app._validation_error`,
never a database error: dates within 2020-01-01..2100-01-01, ids within BIGINT, text
without NUL and no longer than its column.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator, Field

from kraan.domain.bounds import MAX_ID, MAX_INT_ID, bounded_moment, day_problem, text_problem


def _day(value: date) -> date:
    problem = day_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _no_nul(value: str) -> str:
    problem = text_problem(value, max_length=len(value))
    if problem:
        raise ValueError(problem)
    return value


#: A moment within the bounds, converted to naive UTC (naive input is taken as UTC).
Moment = Annotated[datetime, AfterValidator(bounded_moment)]
#: A day within the bounds.
Day = Annotated[date, AfterValidator(_day)]
#: Text without NUL characters (combine with max_length).
CleanText = Annotated[str, AfterValidator(_no_nul)]

#: Path ids of BIGINT tables and of INTEGER tables.
BigId = Annotated[int, Path(ge=1, le=MAX_ID, description="A positive id.")]
IntId = Annotated[int, Path(ge=1, le=MAX_INT_ID, description="A positive id.")]
#: A body id (BIGINT) or version number.
BodyId = Annotated[int, Field(ge=1, le=MAX_ID)]


def limit_query(maximum: int) -> object:
    return Query(ge=1, le=maximum, description=f"1..{maximum} rows, newest first.")


def code_query(max_length: int = 32) -> object:
    return Query(None, min_length=1, max_length=max_length, pattern=r"^[A-Za-z0-9_.:-]+$")
