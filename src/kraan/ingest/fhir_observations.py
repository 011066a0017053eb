"""HL7 FHIR R4 ``Observation`` resources (alone or in a ``Bundle``) to home measurements.

Parsed with the maintained ``fhir.resources`` models (its R4B package: R4B is a technical
correction of R4 and leaves ``Observation`` unchanged). Vital signs are recognised by their
LOINC code and checked for a UCUM unit; observations of one patient, device and effective
time form one measurement. The patient is ``subject.reference = "Patient/<pseudonym>"``:
the pseudonym the team holds, never a name or BSN.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from pydantic import ValidationError

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"


@dataclass(slots=True)
class DeviceMeasurement:
    pseudonym: str
    measured_at: datetime  # UTC, naive
    device: str
    values: dict[str, float] = field(default_factory=dict)
    ids: list[str] = field(default_factory=list)

    @property
    def dedupe_key(self) -> str:
        return f"fhir|{self.device}|{self.measured_at.isoformat()}"


def _codes(protocol: Mapping[str, Any]) -> dict[str, str]:
    return {code: name for name, spec in protocol["parameters"].items() for code in spec["loinc"]}


def _observations(document: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    kind = document.get("resourceType")
    if kind == "Observation":
        return [("", document)]
    if kind == "Bundle":
        entries = document.get("entry") or []
        return [(f"entry[{n}].resource", e.get("resource") or {}) for n, e in enumerate(entries)]
    return [("resourceType", {})]


def parse(
    document: Mapping[str, Any], protocol: Mapping[str, Any]
) -> tuple[list[DeviceMeasurement], list[tuple[str, str]]]:
    """(measurements, problems); any problem means nothing should be stored."""
    problems: list[tuple[str, str]] = []
    if document.get("resourceType") == "Bundle":
        try:
            Bundle.model_validate(
                {k: v for k, v in document.items() if k != "entry"}
                | {"type": document.get("type", "collection")}
            )
        except ValidationError as error:
            problems.append(("Bundle", error.errors()[0]["msg"]))
    codes = _codes(protocol)
    grouped: dict[tuple[str, datetime, str], DeviceMeasurement] = {}
    for where, raw in _observations(document):
        prefix = f"{where}." if where else ""
        if raw.get("resourceType") != "Observation":
            problems.append((f"{prefix}resourceType", "send an Observation or a Bundle of them"))
            continue
        try:
            obs = Observation.model_validate(dict(raw))
        except ValidationError as error:
            for e in error.errors():
                loc = ".".join(str(p) for p in e["loc"] if p != "__root__")
                problems.append((f"{prefix}{loc}" if loc else prefix.rstrip("."), e["msg"]))
            continue
        name = next(
            (
                codes[c.code]
                for c in (obs.code.coding or [])
                if c.system == LOINC and c.code in codes
            ),
            None,
        )
        if name is None:
            problems.append(
                (f"{prefix}code", f"no known LOINC code; use one of {', '.join(sorted(codes))}")
            )
            continue
        subject = obs.subject.reference if obs.subject and obs.subject.reference else ""
        if not subject.startswith("Patient/") or len(subject) <= len("Patient/"):
            problems.append((f"{prefix}subject", "use 'Patient/<pseudonym>'"))
            continue
        moment = obs.effectiveDateTime
        if moment is None:
            problems.append((f"{prefix}effectiveDateTime", "required"))
            continue
        if not isinstance(moment, datetime) or moment.tzinfo is None:
            problems.append((f"{prefix}effectiveDateTime", "give a date-time with a time zone"))
            continue
        quantity = obs.valueQuantity
        spec = protocol["parameters"][name]
        if quantity is None or quantity.value is None:
            problems.append((f"{prefix}valueQuantity", "required"))
            continue
        unit = quantity.code or quantity.unit
        if unit not in spec["ucum"] or (quantity.system not in (None, UCUM)):
            problems.append(
                (
                    f"{prefix}valueQuantity.code",
                    f"{spec['label']} needs UCUM unit {spec['ucum'][0]!r}, not {unit!r}",
                )
            )
            continue
        device = obs.device.reference if obs.device and obs.device.reference else "unknown-device"
        at = moment.astimezone(UTC).replace(tzinfo=None)
        key = (subject[len("Patient/") :], at, device)
        entry = grouped.setdefault(key, DeviceMeasurement(key[0], at, device))
        if name in entry.values and entry.values[name] != float(quantity.value):
            problems.append(
                (f"{prefix}valueQuantity", f"two different {spec['label']} values at one time")
            )
            continue
        entry.values[name] = float(quantity.value)
        if obs.id:
            entry.ids.append(str(obs.id))
    if not grouped and not problems:
        problems.append(("entry", "no observations"))
    return list(grouped.values()), problems
