"""HL7 FHIR SANER bed-capacity MeasureReports <-> Kraan capacity reports.

The mapping (docs/saner.md): one MeasureReport per subject and moment; one ``group``
per care level; one ``population`` per figure, each with a ``count``. Figures SANER
names (beds, occupied beds, COVID patients) use the SANER codes; the others (ontlabeld,
non-COVID, COVID admissions in 24 h) use Kraan's code system, so a round trip keeps
every figure. Resources are validated against the FHIR R4(B) models of
``fhir.resources``.

Aggregation follows SANER: per subject the latest report at or before the period's
end (a point-in-time value), then counts summed over the subjects.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from fhir.resources.R4B.measurereport import MeasureReport
from pydantic import ValidationError

from kraan.domain.model import CapacityReport, CareLevel, LevelReport, Provenance

SANER_MEASURE = "http://hl7.org/fhir/uv/saner/Measure/CDCPatientImpactAndHospitalCapacity"
SANER_GROUPS = "http://hl7.org/fhir/uv/saner/CodeSystem/MeasureGroupSystem"
SANER_VALUES = "http://hl7.org/fhir/uv/saner/CodeSystem/MeasuredValues"
KRAAN = "https://kraan.example.org/fhir"
KRAAN_VALUES = f"{KRAAN}/CodeSystem/measured-values"
KRAAN_LEVELS = f"{KRAAN}/CodeSystem/care-level"
KRAAN_PROVENANCE = f"{KRAAN}/CodeSystem/provenance"
LOCATION_IDS = f"{KRAAN}/NamingSystem/location"
REGION_IDS = f"{KRAAN}/NamingSystem/roaz-region"
COUNTRY_IDS = "urn:iso:std:iso:3166"
EXT_STAFF_ABSENCE = f"{KRAAN}/StructureDefinition/staff-absence-pct"
EXT_PLANNED_OK = f"{KRAAN}/StructureDefinition/critical-planned-care-ok"
EXT_ACUTE_OK = f"{KRAAN}/StructureDefinition/acute-care-ok"

#: care level -> (group system, group code)
GROUPS: dict[CareLevel, tuple[str, str]] = {
    CareLevel.IC: (SANER_GROUPS, "ICUBeds"),
    CareLevel.WARD: (SANER_GROUPS, "Beds"),
    CareLevel.ELV_VVT: (KRAAN_LEVELS, "elv_vvt"),
    CareLevel.HFNO: (KRAAN_LEVELS, "hfno"),
    CareLevel.PACU: (KRAAN_LEVELS, "pacu"),
}
#: field -> (system, code) per care level group; SANER codes where SANER has the figure.
_STAFFED = {CareLevel.IC: "numICUBeds", CareLevel.WARD: "numBeds"}
_OCCUPIED = {CareLevel.IC: "numICUBedsOcc", CareLevel.WARD: "numBedsOcc"}
FIELDS = ("staffed_beds", "covid_occupied", "ontlabeld_occupied", "non_covid_occupied",
          "covid_admissions_24h")  # fmt: skip


def _population_code(level: CareLevel, field: str) -> tuple[str, str]:
    if field == "staffed_beds" and level in _STAFFED:
        return SANER_VALUES, _STAFFED[level]
    if field == "covid_occupied":
        return SANER_VALUES, "numC19HospPats"
    return KRAAN_VALUES, {
        "staffed_beds": "numStaffedBeds",
        "ontlabeld_occupied": "numOntlabeldPats",
        "non_covid_occupied": "numNonC19Pats",
        "covid_admissions_24h": "numC19Adm24h",
    }[field]


class SanerError(ValueError):
    """Input that is not a usable SANER MeasureReport: one message per field."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))
        self.problems = problems


def _iso(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.isoformat()


def _group(level: LevelReport) -> dict[str, Any]:
    system, code = GROUPS[level.care_level]
    populations = []
    for field in FIELDS:
        value = getattr(level, field)
        if value is None:
            continue
        p_system, p_code = _population_code(level.care_level, field)
        populations.append({"code": {"coding": [{"system": p_system, "code": p_code}]},
                            "count": int(value)})  # fmt: skip
    if level.care_level in _OCCUPIED:  # SANER's occupied beds: derived, for SANER readers
        populations.append({"code": {"coding": [{"system": SANER_VALUES,
                                                 "code": _OCCUPIED[level.care_level]}]},
                            "count": level.occupied})  # fmt: skip
    return {"code": {"coding": [{"system": system, "code": code}]}, "population": populations}


def to_measure_report(
    report: CapacityReport, *, subject: tuple[str, str] | None = None,
    period: tuple[datetime, datetime] | None = None,
) -> dict[str, Any]:
    """One Kraan report (or an aggregate shaped as one) as a validated MeasureReport."""
    system, value = subject or (LOCATION_IDS, report.location_code)
    start, end = period or (report.reported_at, report.reported_at)
    extensions: list[dict[str, Any]] = []
    if report.staff_absence_pct is not None:
        extensions.append({"url": EXT_STAFF_ABSENCE, "valueDecimal": report.staff_absence_pct})
    if report.critical_planned_care_ok is not None:
        extensions.append({"url": EXT_PLANNED_OK, "valueBoolean": report.critical_planned_care_ok})
    if report.acute_care_ok is not None:
        extensions.append({"url": EXT_ACUTE_OK, "valueBoolean": report.acute_care_ok})
    resource: dict[str, Any] = {
        "resourceType": "MeasureReport",
        "meta": {"tag": [{"system": KRAAN_PROVENANCE, "code": report.provenance.value}]},
        "status": "complete",
        "type": "summary",
        "measure": SANER_MEASURE,
        "subject": {"identifier": {"system": system, "value": value}},
        "date": _iso(report.reported_at),
        "period": {"start": _iso(start), "end": _iso(end)},
        "group": [_group(level) for level in report.levels],
    }
    if extensions:
        resource["extension"] = extensions
    return MeasureReport.model_validate(resource).model_dump(mode="json", exclude_none=True)


def _problems(error: ValidationError) -> list[tuple[str, str]]:
    return [
        (".".join(str(p) for p in e["loc"]) or "MeasureReport", e["msg"]) for e in error.errors()
    ]


def from_measure_report(document: dict[str, Any]) -> CapacityReport:
    """A SANER MeasureReport about one location -> the Kraan report it says."""
    if not isinstance(document, dict) or document.get("resourceType") != "MeasureReport":
        raise SanerError([("resourceType", "must be MeasureReport")])
    try:
        resource = MeasureReport.model_validate(document)
    except ValidationError as error:
        raise SanerError(_problems(error)) from None
    problems: list[tuple[str, str]] = []
    identifier = resource.subject.identifier if resource.subject else None
    code = identifier.value if identifier is not None else None
    if not code and resource.subject is not None and resource.subject.reference:
        code = resource.subject.reference.rsplit("/", 1)[-1]
    if not code:
        problems.append(("subject", "name the location: subject.identifier.value"))
    moment = resource.date or (resource.period.end if resource.period else None)
    if moment is None:
        problems.append(("date", "give the moment the beds were counted (date or period.end)"))
    levels: list[LevelReport] = []
    by_group = {v: k for k, v in GROUPS.items()}
    for g, group in enumerate(resource.group or []):
        coding = [(c.system, c.code) for c in (group.code.coding if group.code else []) or []]
        level = next((by_group[c] for c in coding if c in by_group), None)
        if level is None:
            problems.append((f"group[{g}].code", "unknown group: use ICUBeds, Beds or a "
                             "Kraan care level"))  # fmt: skip
            continue
        values: dict[str, int] = {}
        occupied = None
        for p, population in enumerate(group.population or []):
            codes = {(c.system, c.code) for c in (population.code.coding if population.code
                                                  else []) or []}  # fmt: skip
            if population.count is None:
                problems.append((f"group[{g}].population[{p}].count", "missing count"))
                continue
            if level in _OCCUPIED and (SANER_VALUES, _OCCUPIED[level]) in codes:
                occupied = population.count
                continue
            field = next((f for f in FIELDS if _population_code(level, f) in codes), None)
            if field is None:
                problems.append((f"group[{g}].population[{p}].code", "unknown population code"))
                continue
            values[field] = population.count
        if "staffed_beds" not in values or "covid_occupied" not in values:
            problems.append((f"group[{g}]", "needs the staffed beds and the COVID patients"))
            continue
        if "non_covid_occupied" not in values and occupied is not None:
            values["non_covid_occupied"] = max(
                0, occupied - values["covid_occupied"] - values.get("ontlabeld_occupied", 0)
            )
        levels.append(LevelReport(care_level=level, **values))
    if not levels and not problems:
        problems.append(("group", "at least one bed group"))
    if problems:
        raise SanerError(problems)
    extensions = {e.url: e for e in resource.extension or []}
    absence = extensions.get(EXT_STAFF_ABSENCE)
    planned = extensions.get(EXT_PLANNED_OK)
    acute = extensions.get(EXT_ACUTE_OK)
    tags = {t.code for t in (resource.meta.tag if resource.meta else []) or []
            if t.system == KRAAN_PROVENANCE}  # fmt: skip
    provenance = next((Provenance(t) for t in tags if t in Provenance._value2member_map_),
                      Provenance.ACTUAL)  # fmt: skip
    assert moment is not None and code is not None
    when = moment if isinstance(moment, datetime) else datetime.fromisoformat(str(moment))
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return CapacityReport(
        location_code=str(code),
        reported_at=when,
        levels=tuple(levels),
        staff_absence_pct=float(absence.valueDecimal) if absence is not None else None,
        critical_planned_care_ok=planned.valueBoolean if planned is not None else None,
        acute_care_ok=acute.valueBoolean if acute is not None else None,
        provenance=provenance,
    )


def aggregate(reports: Iterable[CapacityReport], *, as_of: datetime) -> CapacityReport:
    """SANER aggregation: the latest report per subject (already so), counts summed per
    care level. Unknown admissions stay unknown only when no subject reported them."""
    sums: dict[CareLevel, dict[str, int | None]] = {}
    flags: set[Provenance] = set()
    for report in reports:
        flags.add(report.provenance)
        for level in report.levels:
            row = sums.setdefault(level.care_level, {f: None for f in FIELDS})
            for field in FIELDS:
                value = getattr(level, field)
                if value is not None:
                    row[field] = (row[field] or 0) + int(value)
    levels = tuple(
        LevelReport(care_level=level, **{k: (v or 0) if k != "covid_admissions_24h" else v
                                         for k, v in row.items()})  # type: ignore[arg-type]
        for level, row in sorted(sums.items(), key=lambda kv: list(GROUPS).index(kv[0]))
    )  # fmt: skip
    order = (Provenance.SYNTHETIC, Provenance.ESTIMATED, Provenance.IMPUTED, Provenance.ACTUAL)
    flag = next((f for f in order if f in flags), Provenance.ACTUAL)
    return CapacityReport(location_code="", reported_at=as_of, levels=levels, provenance=flag)


def bundle(resources: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset", "total": len(resources),
            "entry": [{"resource": r} for r in resources]}  # fmt: skip
