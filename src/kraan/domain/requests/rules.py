"""Why a step was refused: a named rule (HTTP 422) or a state that moved on (HTTP 409)."""

from __future__ import annotations


class RuleViolation(ValueError):
    """A step breaks a named rule; nothing may be stored. One (field, message) per problem."""

    def __init__(self, rule: str, problems: list[tuple[str, str]] | str, field: str = "body"):
        self.rule = rule
        self.problems = [(field, problems)] if isinstance(problems, str) else list(problems)
        super().__init__(f"{rule}: " + "; ".join(f"{f}: {m}" for f, m in self.problems))


class StepConflict(ValueError):
    """The item is no longer where the caller saw it (already answered, closed, ...): 409."""


def check_all(rule: str, problems: list[tuple[str, str]]) -> None:
    if problems:
        raise RuleViolation(rule, problems)
