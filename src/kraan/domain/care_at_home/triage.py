"""The home-monitoring triage protocol: validate a measurement, give it a band, plan the next.

The protocol is versioned data (``data/care_at_home/home_triage_protocol.json``), passed in
as a plain dict. A measurement's band is the worst band of its parameters; each reason
names the parameter, the value, the rule and its source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

PARAMETERS = ("spo2", "resp_rate", "heart_rate", "temperature", "o2_flow")
BANDS = ("green", "amber", "red")
BAND_ORDER = {band: n for n, band in enumerate(BANDS)}


@dataclass(frozen=True, slots=True)
class Reason:
    parameter: str
    value: float
    band: str
    rule: str
    source: str

    def as_dict(self) -> dict[str, object]:
        return {"parameter": self.parameter, "value": self.value, "band": self.band,
                "rule": self.rule, "source": self.source}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Triage:
    band: str
    reasons: tuple[Reason, ...]
    action: str
    response_minutes: int | None
    protocol_version: str

    def as_dict(self) -> dict[str, object]:
        return {
            "band": self.band,
            "reasons": [r.as_dict() for r in self.reasons],
            "action": self.action,
            "response_minutes": self.response_minutes,
            "protocol_version": self.protocol_version,
        }


def validate_values(
    values: Mapping[str, float | None], protocol: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """One (field, message) per value outside its plausible range; at least one value."""
    problems: list[tuple[str, str]] = []
    present = {k: v for k, v in values.items() if v is not None}
    for name in present:
        if name not in protocol["parameters"]:
            problems.append((name, "unknown parameter"))
    if not present:
        problems.append(("values", f"send at least one of {', '.join(PARAMETERS)}"))
    for name, value in present.items():
        spec = protocol["parameters"].get(name)
        if spec is None:
            continue
        low, high = spec["valid"]
        if not low <= float(value) <= high:
            problems.append(
                (name, f"{value} {spec['unit']} is outside {low}-{high} {spec['unit']}")
            )
    return problems


def _matches(rule: Mapping[str, float], value: float) -> bool:
    return rule.get("min", float("-inf")) <= value <= rule.get("max", float("inf"))


def _rule_text(rule: Mapping[str, float], unit: str) -> str:
    if "min" in rule and "max" in rule:
        return f"{rule['min']}-{rule['max']} {unit}"
    if "max" in rule:
        return f"<= {rule['max']} {unit}"
    return f">= {rule['min']} {unit}"


def evaluate(values: Mapping[str, float | None], protocol: Mapping[str, Any]) -> Triage:
    """The band of a (valid) measurement: the worst band of its parameters."""
    reasons: list[Reason] = []
    for name in PARAMETERS:
        value = values.get(name)
        if value is None:
            continue
        spec = protocol["parameters"][name]
        band, rule_text = "green", "within the green range"
        for candidate in ("red", "amber"):
            hit = next((r for r in spec.get(candidate, []) if _matches(r, float(value))), None)
            if hit is not None:
                band, rule_text = candidate, _rule_text(hit, spec["unit"])
                break
        reasons.append(Reason(name, float(value), band, rule_text, spec["source"]))
    worst = max((r.band for r in reasons), key=BAND_ORDER.__getitem__, default="green")
    spec = protocol["bands"][worst]
    flagged = tuple(r for r in reasons if r.band == worst and worst != "green") or tuple(reasons)
    return Triage(
        band=worst,
        reasons=flagged,
        action=str(spec["action"]),
        response_minutes=spec["response_minutes"],
        protocol_version=str(protocol["version"]),
    )


def next_due(
    last_at: datetime, band: str, protocol: Mapping[str, Any], *, high_care: bool = False
) -> datetime:
    """When the next measurement is due after one of this band (or after enrolment: green).

    High-care patients (module B, 24/7) are due at least every ``high_care`` hours."""
    hours = float(protocol["bands"][band]["measure_every_hours"])
    if high_care and "high_care" in protocol:
        hours = min(hours, float(protocol["high_care"]["measure_every_hours"]))
    return last_at + timedelta(hours=hours)


def missed_since(
    last_at: datetime,
    band: str,
    protocol: Mapping[str, Any],
    *,
    now: datetime,
    high_care: bool = False,
) -> datetime | None:
    """The moment the next measurement counts as missed, if that moment has passed."""
    deadline = next_due(last_at, band, protocol, high_care=high_care) + timedelta(
        hours=float(protocol["missed"]["grace_hours"])
    )
    return deadline if now >= deadline else None


def alert_due(raised_at: datetime, minutes: int | None) -> datetime | None:
    return None if minutes is None else raised_at + timedelta(minutes=int(minutes))
