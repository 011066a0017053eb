"""The chain outside the hospital: GRZ and care-hotel beds, district nursing and GP pressure.

Source: the briefing note of 21 Dec 2020 (seed 000 §2b): "De druk op de capaciteit
buiten het ziekenhuis loopt verder op. Dit gaat specifiek om bedden in het
eerstelijnsverblijf (elv), de geriatrische revalidatiezorg (grz) en zogenoemde
zorghotels", and its actions "onder regie van huisartsen"; the Omicron letter (seed 003)
on looking chain-wide "(huisarts, wijkverpleging, V&V, kliniek, IC …)". GRZ and care-hotel
beds report capacity and occupancy like ELV; district nursing, GP practices and GP posts
a daily pressure status with the reason and the staff absence.

Same rules as bed reports (kraan.domain.validation): no future times beyond the clock
skew, nothing before the earliest date, corrections (a new version of the same moment)
only within the correction window, one message per field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from kraan.domain.requests.rules import check_all
from kraan.domain.validation import ValidationRules, naive_utc


class ChainKind(StrEnum):
    GRZ = "grz"  # geriatric rehabilitation beds
    CARE_HOTEL = "care_hotel"  # zorghotel beds
    DISTRICT_NURSING = "district_nursing"  # wijkverpleging
    GP_PRACTICE = "gp_practice"  # huisartsenpraktijk
    GP_POST = "gp_post"  # huisartsenpost (out of hours)


BED_KINDS = frozenset({ChainKind.GRZ, ChainKind.CARE_HOTEL})
PRESSURE_KINDS = frozenset(set(ChainKind) - BED_KINDS)


class Pressure(StrEnum):
    NORMAL = "normal"
    UNDER_PRESSURE = "under_pressure"
    NO_NEW_PATIENTS = "no_new_patients"  # cannot take new patients


@dataclass(frozen=True, slots=True)
class ChainReport:
    reporter_code: str  # the organisation (a location code, or a GP cooperative's code)
    region_code: str
    kind: ChainKind
    reported_at: datetime
    beds: int | None = None  # staffed beds (bed kinds)
    occupied: int | None = None
    covid: int | None = None
    status: Pressure | None = None  # pressure kinds
    reason: str = ""
    staff_absence_pct: float | None = None


def _count(data: Mapping[str, Any], name: str, top: int, problems: list[tuple[str, str]]) -> int:
    value = data.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= top:
        problems.append((name, f"a whole number from 0 to {top}"))
        return 0
    return value


def check_report(
    data: Mapping[str, Any], *, now: datetime, rules: ValidationRules, is_correction: bool
) -> ChainReport:
    """A checked report, or RuleViolation ``chain_report_fields`` naming every bad field."""
    problems: list[tuple[str, str]] = []
    try:
        kind = ChainKind(str(data.get("kind")))
    except ValueError:
        check_all("chain_report_fields", [("kind", "one of " + ", ".join(ChainKind))])
        raise AssertionError from None  # unreachable: check_all raised
    at = data.get("reported_at")
    if isinstance(at, str):
        try:
            at = datetime.fromisoformat(at)
        except ValueError:
            at = None
    if not isinstance(at, datetime):
        problems.append(("reported_at", "an ISO 8601 time"))
        at = now
    at = naive_utc(at).replace(microsecond=0)
    if at > now + rules.clock_skew:
        problems.append(("reported_at", "lies in the future"))
    if at < rules.earliest:
        problems.append(("reported_at", f"before {rules.earliest.date()}"))
    if is_correction and at < now - rules.correction_window:
        problems.append(("reported_at", f"corrections go back {rules.correction_window.days} "
                                        "days at most"))  # fmt: skip
    for name in ("reporter_code", "region_code"):
        if not str(data.get(name) or "").strip():
            problems.append((name, "required"))
    absence = data.get("staff_absence_pct")
    if absence is not None and not (isinstance(absence, int | float) and 0 <= absence <= 100):
        problems.append(("staff_absence_pct", "a percentage from 0 to 100"))
    reason = str(data.get("reason") or "").strip()
    beds = occupied = covid = None
    status = None
    if kind in BED_KINDS:
        beds = _count(data, "beds", rules.max_beds, problems)
        occupied = _count(data, "occupied", rules.max_beds, problems)
        covid = _count(data, "covid", rules.max_beds, problems)
        if covid > occupied:
            problems.append(("covid", "more COVID patients than occupied beds"))
        if data.get("status") is not None:
            problems.append(("status", f"{kind.value} reports beds, not a pressure status"))
    else:
        try:
            status = Pressure(str(data.get("status")))
        except ValueError:
            problems.append(("status", "normal, under_pressure or no_new_patients"))
        if status not in (None, Pressure.NORMAL) and len(reason) < 5:
            problems.append(("reason", "say why (at least 5 characters)"))
        for name in ("beds", "occupied", "covid"):
            if data.get(name) is not None:
                problems.append((name, f"{kind.value} reports a pressure status, not beds"))
    check_all("chain_report_fields", problems)
    return ChainReport(
        str(data["reporter_code"]).strip(), str(data["region_code"]).strip(), kind, at, beds,
        occupied, covid, status, reason,
        None if absence is None else float(absence),
    )  # fmt: skip


def latest(reports: Iterable[ChainReport]) -> list[ChainReport]:
    """The newest report per (reporter, kind); later items win at equal times (versions)."""
    newest: dict[tuple[str, ChainKind], ChainReport] = {}
    for r in reports:
        key = (r.reporter_code, r.kind)
        if key not in newest or r.reported_at >= newest[key].reported_at:
            newest[key] = r
    return list(newest.values())


def picture(reports: Iterable[ChainReport]) -> dict[str, dict[str, dict[str, Any]]]:
    """Per region and kind: beds/occupied/COVID (bed kinds) or reporters per status."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for r in reports:
        row = out.setdefault(r.region_code, {}).setdefault(r.kind.value, {"reporters": 0})
        row["reporters"] += 1
        if r.kind in BED_KINDS:
            for name in ("beds", "occupied", "covid"):
                row[name] = row.get(name, 0) + (getattr(r, name) or 0)
            row["occupancy"] = round(row["occupied"] / row["beds"], 3) if row["beds"] else None
        else:
            for p in Pressure:
                row.setdefault(p.value, 0)
            row[r.status.value if r.status else "normal"] += 1
    return out


def national(regions: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for kinds in regions.values():
        for kind, row in kinds.items():
            total = out.setdefault(kind, {})
            for name, value in row.items():
                if name != "occupancy" and isinstance(value, int):
                    total[name] = total.get(name, 0) + value
            if "beds" in total:
                total["occupancy"] = (
                    round(total["occupied"] / total["beds"], 3) if total["beds"] else None
                )
    return out


def blank(kind: ChainKind) -> dict[str, Any]:
    """The row of a kind nobody reported: the same keys as :func:`picture`'s, zero."""
    if kind in BED_KINDS:
        return {"reporters": 0, "beds": 0, "occupied": 0, "covid": 0, "occupancy": None}
    return {"reporters": 0, **{p.value: 0 for p in Pressure}}


def complete(kinds: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every kind of :class:`ChainKind`, in that order, reported or not (a stable shape)."""
    return {k.value: {**blank(k), **kinds.get(k.value, {})} for k in ChainKind}
