"""Response documents of the API as pydantic models, for OpenAPI and for the tests.

The routes attach them with ``responses={200: {"model": ...}}``: ``/openapi.json``
documents the shape, while the JSON itself is written exactly as before (the contracts
in docs/ are byte-stable; a ``response_model`` would re-serialise it). The e2e tests
validate real responses against these models, so documentation and output cannot drift.
Models allow extra keys: contracts may gain keys, never lose or rename them.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class LevelFigures(_Open):
    covid: int
    ontlabeld: int
    non_covid: int
    staffed: int
    admissions_24h: int
    occupancy: float | None = Field(description="Occupied / staffed, 4 decimals; null: no beds.")
    abroad: int | None = Field(None, description="National IC only: COVID patients abroad.")


class Declared(_Open):
    status: str
    reason: str
    by: str
    at: str


class PlaybookModule(_Open):
    code: str
    name: str
    mandatory: bool


class Playbook(_Open):
    governance: str
    financing: str
    definition: str
    modules: list[PlaybookModule]


class NationalStatus(_Open):
    phase: str = Field(description="LNAZ phase 1A..3.")
    phase_explanation: str
    ic: LevelFigures
    ward: LevelFigures
    elv_vvt: LevelFigures
    coverage: float | None
    stale: int
    imputed: bool
    provenance: list[str]
    synthetic_locations: bool
    playbook: Playbook | None


class RegionStatus(_Open):
    code: str
    name: str
    status: str
    computed_status: str
    declared: Declared | None
    explanation: list[str]
    ic: LevelFigures
    ward: LevelFigures
    elv_vvt: LevelFigures
    coverage: float | None
    reporting: int
    expected: int
    stale: list[str]
    imputed: bool
    provenance: list[str]
    synthetic_locations: bool
    staff_absence_pct: float | None


class StatusDocument(_Open):
    """``GET /api/v1/status`` and ``kraan status --format json`` (docs/status-contract.md)."""

    as_of: str
    national: NationalStatus
    regions: list[RegionStatus]
    criteria_version: str


class Region(_Open):
    code: str
    name: str
    safety_regions: list[str]  # the safety regions it overlaps (one can span two or three)
    municipalities: list[str] = []  # CBS codes (GMxxxx) of its municipalities
    population: int
    approximation: bool  # always false since issue 12 (kept for compatibility)


class LocationDocument(_Open):
    code: str
    name: str
    kind: str
    region_code: str
    safety_region_code: str
    lat: float
    lon: float
    planned_beds: dict[str, int]
    synthetic: bool


# ---- reports ---------------------------------------------------------------------------------


class FieldMessage(_Open):
    field: str
    message: str


class ReportResult(_Open):
    """The answer for one report (``POST /reports``; one per report of a batch)."""

    index: int
    reference: str
    outcome: str = Field(description="created, unchanged, corrected, rejected or not_saved")
    version: int | None
    errors: list[FieldMessage]
    warnings: list[FieldMessage]


class BatchResult(_Open):
    results: list[ReportResult]
    summary: dict[str, int] = Field(description="Reports per outcome.")


class CsvRow(_Open):
    line: int
    outcome: str
    version: int | None
    errors: list[FieldMessage]
    warnings: list[FieldMessage]


class CsvResult(_Open):
    rows: list[CsvRow]
    summary: dict[str, int]


# ---- administration ----------------------------------------------------------------------------


class DeclarationDocument(_Open):
    id: int
    region_code: str
    status: str
    valid_from: str
    valid_until: str | None


class TokenDocument(_Open):
    username: str
    role: str
    token: str = Field(description="Shown once: only its hash is stored.")
    note: str


# ---- spreading (docs/spreading.md) -----------------------------------------------------------


class PlanRow(_Open):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    day: int = Field(description="Plan day; 0 = the as-of day.")
    from_: str = Field(alias="from")
    to: str
    patients: int
    patient_class: str


class LoadSummary(_Open):
    max_load: float
    min_load: float
    overflow: float = Field(description="Bed-days above staffed capacity.")
    max_deviation: float


class AreaFairShare(_Open):
    code: str
    load_now: float
    fair_share_now: float
    deviation_now: float
    deviation_forecast: list[float]
    deviation_after: list[float]


class PlanDocument(_Open):
    """The output contract of ``kraan spread`` and of a stored plan's ``result``."""

    plan: list[PlanRow]
    before: LoadSummary
    after: LoadSummary
    solve_seconds: float
    status: str
    method: str
    objective: float | None
    patients_moved: int
    patient_km: float
    areas: list[AreaFairShare]


class TransferDocument(_Open):
    id: int
    plan_id: int | None
    day: str
    from_area: str
    to_area: str
    patients: int
    care_level: str
    state: str
    version: int
    offer_id: int | None
    created_at: str
    created_by: str | None = Field(None, description="Only for token holders.")
    updated_at: str
    updated_by: str | None = Field(None, description="Only for token holders.")
    reason: str | None = Field(None, description="Only for token holders.")


class TransferWithHistory(TransferDocument):
    history: list[dict[str, object]]


class OfferDocument(_Open):
    id: int
    region_code: str
    day: str
    care_level: str
    beds_offered: int
    beds_taken: int
    offered_by: str
    offered_at: str
    version: int
    beds_free: int


class StoredPlan(_Open):
    id: int
    as_of: str
    result: PlanDocument
    transfers: list[TransferDocument]


class CreatedPlan(StoredPlan):
    transfer_ids: list[int]


def documented(model: object, code: int = 200) -> dict[int | str, dict[str, object]]:
    """``responses=`` for a route: the model documents the JSON of status ``code``."""
    return {code: {"model": model}}
