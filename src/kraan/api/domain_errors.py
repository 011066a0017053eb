"""The API's answer to the domain's refusals (kraan.domain.requests.rules).

The services behind help requests, signals, ELV orders and stock raise domain errors; the
routers turn them into HTTP answers here, and the pages (kraan.web.requests_pages) into a
form error with the same words:

- ``RuleViolation`` -> 422, one ``{"field", "message", "rule"}`` per problem;
- ``StepConflict`` (and its ``VersionConflict``) -> 409: somebody was first;
- ``Refused`` -> 403; ``Missing`` -> 404.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import HTTPException

from kraan.domain.requests.rules import Missing, Refused, RuleViolation, StepConflict


def http_error(error: Exception) -> HTTPException:
    """The HTTP answer to one domain error (any other exception is a bug: re-raised)."""
    if isinstance(error, RuleViolation):
        return HTTPException(
            422,
            detail=[{"field": f, "message": m, "rule": error.rule} for f, m in error.problems],
        )
    if isinstance(error, StepConflict | Refused | Missing):
        return HTTPException(error.status, detail=str(error))
    raise error


@contextmanager
def domain_errors() -> Iterator[None]:
    """Run a service call; its domain errors become the HTTP answers above."""
    try:
        yield
    except (RuleViolation, StepConflict, Refused, Missing) as error:
        raise http_error(error) from error
