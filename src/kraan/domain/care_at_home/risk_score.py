"""The GP early-warning score: transparent points over age and Health Council risk groups.

The coefficients are versioned data (``data/care_at_home/gp_risk_score.json``) with a
source per line. :func:`score` returns the points and every line that gave them, so the
list can show why each patient is on it. Patients are pseudonymous: only the practice
holds the key to their pseudonym.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Score:
    points: int
    listed: bool
    why: tuple[dict[str, object], ...]


def validate_patient(
    age: int, risk_groups: Sequence[str], model: Mapping[str, Any]
) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if not 0 <= age <= 120:
        problems.append(("age", "must be between 0 and 120"))
    for group in risk_groups:
        if group not in model["risk_groups"]:
            problems.append(("risk_groups", f"unknown risk group {group!r}"))
    if len(set(risk_groups)) != len(risk_groups):
        problems.append(("risk_groups", "listed twice"))
    return problems


def score(age: int, risk_groups: Iterable[str], model: Mapping[str, Any]) -> Score:
    why: list[dict[str, object]] = []
    points = 0
    for band in model["age_points"]:
        low, high = band["ages"]
        if low <= age <= high:
            points += int(band["points"])
            why.append({"item": f"age {low}-{high}", "points": int(band["points"]),
                        "source": band["source"]})  # fmt: skip
            break
    for group in sorted(set(risk_groups)):
        spec = model["risk_groups"][group]
        points += int(spec["points"])
        why.append({"item": spec["label"], "points": int(spec["points"]), "source": spec["source"]})
    return Score(points, points >= int(model["list_threshold"]), tuple(why))


def workload_minutes(actions: Iterable[str], model: Mapping[str, Any]) -> int:
    minutes = model["minutes_per_action"]
    return sum(int(minutes.get(a, 0)) for a in actions)


def suppress(count: int, threshold: int = 5) -> int | None:
    """Small numbers (below ``threshold``, but not 0) are not shown outside the practice."""
    return None if 0 < count < threshold else count
