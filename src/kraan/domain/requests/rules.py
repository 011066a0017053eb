"""Why a step was refused: a named rule (HTTP 422), a state that moved on (HTTP 409), a
role that may not take it (HTTP 403) or an item that does not exist (HTTP 404).

The services raise these; each adapter maps them (the API to its status codes, the pages
to a form error), so the API and the pages apply the same checks with the same words.
"""

from __future__ import annotations


class RuleViolation(ValueError):
    """A step breaks a named rule; nothing may be stored. One (field, message) per problem."""

    status = 422  # the HTTP status every adapter answers with (API and pages alike)

    def __init__(self, rule: str, problems: list[tuple[str, str]] | str, field: str = "body"):
        self.rule = rule
        self.problems = [(field, problems)] if isinstance(problems, str) else list(problems)
        super().__init__(f"{rule}: " + "; ".join(f"{f}: {m}" for f, m in self.problems))


class StepConflict(ValueError):
    """The item is no longer where the caller saw it (already answered, closed, ...): 409."""

    status = 409


class Refused(PermissionError):
    """The person's role may not take this step: 403. The message names who and what."""

    status = 403

    def __init__(self, username: str, role: str, what: str):
        super().__init__(f"{username} ({role}) may not {what}")


class Missing(LookupError):
    """The item does not exist (at that moment): 404."""

    status = 404


def check_all(rule: str, problems: list[tuple[str, str]]) -> None:
    if problems:
        raise RuleViolation(rule, problems)
