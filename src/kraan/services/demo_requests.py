"""SYNTHETIC demo set of help requests, signals, ELV orders and stock, Nov 2020 - Jan 2021.

Every figure here is invented; texts start with "SYNTHETIC". The shape follows the
seeds' own examples (docs/requests.md, "Demo"):

- the second-wave concentration of COVID IC and clinical care at the UMC Utrecht,
  supported by Defence (seed 004, "Procedure MSOB": "Ook in tweede golf personeel
  beschikbaar gesteld (concentratie UMCU – klinische en IC-capaciteit)"): a rung-3 request
  at a synthetic hospital in NAZMN (Utrecht), signed, taken in, fact-found, decided;
- Defence and Red Cross help in the VVT sector (seed 004: "en ook VVT-sector"): a nursing
  home asking for care assistants, filled partly at rung 2;
- the Christmas staff absence (seed 000 §2a: "heel hoog verzuim en dat in combinatie met
  Kerstperiode"): several rung-1 requests, some left stale until the re-assessment of
  28 Dec 2020 (seed 004 "Vervolgproces");
- ELV, GRZ and care-hotel bottlenecks (seed 000 §2b) as signals and ELV scale-up orders;
- the CCV medicines and the central ventilator stock (seed 002 items 9-10);
- daily GRZ / care-hotel beds and district-nursing / GP pressure per region, peaking in
  the first week of January 2021 (seed 000 §2a).

Idempotent: nothing is added when any help request is already stored.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from kraan.domain.model import Location, LocationKind
from kraan.domain.requests.chain_reports import ChainKind, ChainReport, Pressure
from kraan.domain.requests.ladder import Deployment, Step
from kraan.domain.requests.signals import SignalStep
from kraan.domain.requests.stock import CcvNorm, Medicine, norm_stock
from kraan.services.chain import load_norm
from kraan.services.requests import capacity_link
from kraan.settings import Settings
from kraan.store import chain_reports as chain_store
from kraan.store import help_requests as requests_store
from kraan.store import signals as signal_store
from kraan.store import stock as stock_store
from kraan.store.reference import load_locations

ACTOR = "kraan demo (synthetic)"
#: (code, name, unit, stock as a share of the CCV norm on 1 Nov 2020, regular use per month,
#: use per COVID IC patient-day): all invented; the stock then falls 10 % by mid-December
#: and 20 % by mid-January, so some medicines drop below the 5 + 3 months norm.
MEDICINES = (
    ("propofol", "Propofol 10 mg/ml", "vial 50 ml", 1.15, 14_000, 1.2),
    ("midazolam", "Midazolam 5 mg/ml", "ampoule 10 ml", 1.05, 9_000, 0.8),
    ("rocuronium", "Rocuronium 10 mg/ml", "vial 5 ml", 0.95, 6_500, 0.5),
    ("noradrenaline", "Noradrenaline 1 mg/ml", "ampoule 4 ml", 1.3, 7_000, 0.6),
    ("sufentanil", "Sufentanil 50 mcg/ml", "ampoule 5 ml", 1.2, 3_000, 0.4),
)


def _at(day: str, hour: int = 9) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time()) + timedelta(hours=hour)


def _pick(locations: list[Location], region: str, kind: LocationKind) -> Location | None:
    found = sorted((loc for loc in locations if loc.region_code == region and loc.kind is kind),
                   key=lambda loc: loc.code)  # fmt: skip
    return found[0] if found else None


def _request(conn: Connection, loc: Location, workers: dict[str, int], day: str, days: int,
             reason: str, measures: str) -> int:  # fmt: skip
    start = date.fromisoformat(day) + timedelta(days=1)
    data = {"location_code": loc.code, "region_code": loc.region_code,
            "safety_region_code": loc.safety_region_code, "workers": workers,
            "period_start": start, "period_end": start + timedelta(days=days),
            "shifts": "day, evening, night", "reason": f"SYNTHETIC: {reason}",
            "measures": f"SYNTHETIC: {measures}",
            **capacity_link(conn, location_code=loc.code, as_of=_at(day))}
    return requests_store.create_request(conn, data=data, actor=ACTOR, now=_at(day))[0]


def _steps(conn: Connection, rid: int, stale: timedelta,
           steps: list[tuple[Step, str, int, dict[str, Any]]]) -> None:  # fmt: skip
    for step, day, hour, data in steps:
        requests_store.take_step(conn, request_id=rid, step=step, data=data, actor=ACTOR,
                                 now=_at(day, hour), stale_after=stale)  # fmt: skip


def _deploy(conn: Connection, rid: int, stale: timedelta, kind: str, refs: list[str],
            source: str, day: str, days: int, count: int = 1) -> None:  # fmt: skip
    for ref in refs:
        requests_store.add_deployment(
            conn, request_id=rid, actor=ACTOR, now=_at(day, 8), stale_after=stale,
            deployment=Deployment(kind, count, ref, source, _at(day, 7),
                                  _at(day, 7) + timedelta(days=days)),
        )  # fmt: skip


def _ladder(conn: Connection, locations: list[Location], stale: timedelta) -> int:
    made = 0
    umc = _pick(locations, "NAZMN", LocationKind.HOSPITAL)
    if umc is not None:  # the UMCU concentration with Defence support (seed 004)
        rid = _request(conn, umc, {"ic_nurse": 6, "ward_nurse": 8, "support": 12}, "2020-11-02",
                       42, "regional concentration of COVID IC and clinical care; IC staff short",
                       "planned care scaled down; OR staff retrained for the IC")  # fmt: skip
        asked2 = ["red_cross", "extra_handen", "zorgreserve"]
        _steps(conn, rid, stale, [
            (Step.ANSWER, "2020-11-03", 10, {"answer": "partly", "asked": ["roaz", "dpg"],
                                             "provided": {"ward_nurse": 2}}),
            (Step.ESCALATE, "2020-11-03", 11, {}),
            (Step.ANSWER, "2020-11-04", 15, {"answer": "partly", "asked": asked2,
                                             "provided": {"support": 4}}),
            (Step.ESCALATE, "2020-11-04", 16, {}),
            (Step.SIGN, "2020-11-05", 9, {}),
            (Step.INTAKE, "2020-11-05", 14, {"note": "SYNTHETIC: complete and concrete"}),
            (Step.FACT_FINDING, "2020-11-07", 12,
             {"note": "SYNTHETIC: need confirmed on site; crisis organisation in order"}),
            *[(Step.VOTE, "2020-11-09", 10, {"party": p, "approve": True,
                                             "granted": {"ic_nurse": 4, "ward_nurse": 6,
                                                         "support": 8}})
              for p in ("defence", "vws", "ggd_ghor_locc")],
        ])  # fmt: skip
        _deploy(conn, rid, stale, "ic_nurse", [f"SYN-MIL-{n:03d}" for n in range(1, 5)],
                "defence", "2020-11-10", 40)  # fmt: skip
        _deploy(conn, rid, stale, "ward_nurse", [f"SYN-MIL-{n:03d}" for n in range(11, 17)],
                "defence", "2020-11-10", 40)  # fmt: skip
        _deploy(conn, rid, stale, "support", ["SYN-MIL-GROUP-A"], "defence", "2020-11-10", 40, 8)
        made += 1
    vvt = _pick(locations, "TZWN", LocationKind.VVT)
    if vvt is not None:  # the VVT sector (seed 004): care assistants via the Red Cross
        rid = _request(conn, vvt, {"care_assistant": 10, "ward_nurse": 2}, "2020-12-14", 28,
                       "COVID outbreak on two nursing-home wards; 22 % absence",
                       "agency staff hired; day care closed")  # fmt: skip
        _steps(conn, rid, stale, [
            (Step.ANSWER, "2020-12-15", 11, {"answer": "cannot_fill",
                                             "asked": ["other_providers", "care_office_insurer"]}),
            (Step.ESCALATE, "2020-12-15", 12, {}),
            (Step.ANSWER, "2020-12-17", 10, {"answer": "partly", "asked": ["red_cross"],
                                             "provided": {"care_assistant": 6}}),
        ])  # fmt: skip
        _deploy(conn, rid, stale, "care_assistant", ["SYN-RK-TEAM-1"], "red_cross",
                "2020-12-18", 21, 6)  # fmt: skip
        made += 1
    christmas = ("AZNN", "NAZB", "SZN", "NAZW", "AZE")  # Christmas absence (seed 000 §2a)
    for n, region in enumerate(christmas):
        hospital = _pick(locations, region, LocationKind.HOSPITAL)
        if hospital is None:
            continue
        day = f"2020-12-{21 + n % 3}"
        rid = _request(conn, hospital, {"ic_nurse": 2 + n % 2, "care_assistant": 3}, day, 14,
                       f"Christmas absence {14 + n} %; IC scaled up to 1,450 beds nationally",
                       "planned care class 4-5 stopped")  # fmt: skip
        if n % 2 == 0:
            _steps(conn, rid, stale, [(Step.ANSWER, day, 16, {"answer": "cannot_fill",
                                                               "asked": ["roaz"]})])  # fmt: skip
        if n == 0:  # re-assessed on 28 Dec and sent up (seed 004 "Vervolgproces")
            _steps(conn, rid, stale, [(Step.RECONFIRM, "2020-12-28", 11,
                                       {"workers": {"ic_nurse": 2, "care_assistant": 2}}),
                                      (Step.ESCALATE, "2020-12-28", 12, {})])  # fmt: skip
        made += 1
    return made


def _signals_and_orders(conn: Connection, locations: list[Location], scale_up: timedelta) -> int:
    rows: list[tuple[str, str, str, str, list[tuple[SignalStep, str, dict[str, Any]]]]] = [
        ("NAZW", "elv", "2020-12-18", "no ELV bed free for patients discharged from hospital",
         [(SignalStep.ESCALATE, "2020-12-19", {"umbrella": "actiz"}),
          (SignalStep.CLASSIFY, "2020-12-21", {"classification": "general", "needs_action": True}),
          (SignalStep.ACT, "2020-12-22", {"action": "SYNTHETIC: ActiZ and ZN agree 40 extra "
                                                    "standby ELV beds in the region"})]),
        ("SZN", "grz", "2020-12-22", "GRZ wards full; hospital discharges stuck for 3 days",
         [(SignalStep.ESCALATE, "2020-12-23", {"umbrella": "zn"}),
          (SignalStep.CLASSIFY, "2020-12-28", {"classification": "recognisable"})]),
        ("AZNN", "care_hotel", "2020-12-27", "care hotel closed over Christmas for lack of staff",
         []),
        ("NAZB", "home_care", "2021-01-04", "district nursing cannot take new COVID patients",
         [(SignalStep.ESCALATE, "2021-01-05", {"umbrella": "actiz"})]),
    ]  # fmt: skip
    for region, sector, day, blocked, steps in rows:
        sid = signal_store.file_signal(conn, data={
            "region_code": region, "location_code": "", "sector": sector,
            "blocked": f"SYNTHETIC: {blocked}", "since": day}, actor=ACTOR, now=_at(day, 12))
        for step, when, data in steps:
            signal_store.signal_step(conn, signal_id=sid, step=step, data=data, actor=ACTOR,
                                     now=_at(when, 13))  # fmt: skip
    orders = (("NAZW", 40, "2020-12-22", [(20, 24), (12, 60)]),
              ("TZWN", 30, "2020-12-29", [(10, 30), (8, 90)]),
              ("NAZMN", 15, "2021-01-06", [(15, 48)]))  # fmt: skip
    for region, beds, day, reports in orders:
        oid = signal_store.create_order(conn, region_code=region, beds=beds,
                                        note="SYNTHETIC demo order", actor=ACTOR,
                                        now=_at(day, 10), scale_up=scale_up)  # fmt: skip
        vvt = _pick(locations, region, LocationKind.VVT)
        for up, hours in reports:
            if vvt is not None:
                signal_store.report_beds(conn, order_id=oid, location_code=vvt.code, beds=up,
                                         actor=ACTOR, now=_at(day, 10) + timedelta(hours=hours))
    return len(rows) + len(orders)


def _stock(conn: Connection, locations: list[Location], norm: CcvNorm) -> None:
    for code, name, unit, share, regular, per_day in MEDICINES:
        need = norm_stock(Medicine(code, name, unit, 0, regular, per_day), norm)
        for day, factor in (("2020-11-01", 1.0), ("2020-12-15", 0.9), ("2021-01-11", 0.8)):
            stock_store.record_medicine(conn, data={
                "code": code, "name": name, "unit": unit, "stock": round(need * share * factor),
                "regular_per_month": regular, "per_ic_patient_day": per_day},
                actor=ACTOR, now=_at(day, 8))  # fmt: skip
    pool = stock_store.set_pool(conn, name="central", total=60, actor=ACTOR, now=_at("2020-11-01"))
    plan = (("AZE", 6, "2020-11-20", "granted", 6, True), ("NAZB", 10, "2020-12-21", "partly", 5,
            True), ("TZWN", 4, "2021-01-05", "refused", 0, False),
            ("SZN", 8, "2021-01-12", None, 0, False))  # fmt: skip
    for region, units, day, decision, granted, ship in plan:
        hospital = _pick(locations, region, LocationKind.HOSPITAL)
        if hospital is None:
            continue
        app = stock_store.apply_for(conn, pool_id=pool, location_code=hospital.code,
                                    region_code=region, units=units, actor=ACTOR,
                                    reason="SYNTHETIC: IC scale-up; own ventilators in use",
                                    now=_at(day, 9))  # fmt: skip
        if decision:
            reason = "" if decision == "granted" else "SYNTHETIC: keep a national reserve"
            stock_store.assess(conn, app_id=app, decision=decision, granted=granted,
                               reason=reason, actor=ACTOR, now=_at(day, 15))  # fmt: skip
        if ship:
            stock_store.ship(conn, app_id=app, actor=ACTOR, now=_at(day, 15) + timedelta(days=1))


def _chain(conn: Connection, locations: list[Location]) -> int:
    """Daily GRZ / care-hotel beds and district-nursing / GP pressure per region, peaking in
    the first week of January (seed 000 §2a: "Piek wordt eerste week januari verwacht")."""
    regions = sorted({loc.region_code for loc in locations if loc.kind is LocationKind.VVT})
    reports: list[ChainReport] = []
    peak = date(2021, 1, 3)
    for n, region in enumerate(regions):
        vvt = _pick(locations, region, LocationKind.VVT)
        grz_code = vvt.code if vvt else f"SYN-GRZ-{region}"
        day = date(2020, 11, 1)
        while day <= date(2021, 1, 31):
            wave = math.exp(-(((day - peak).days + 2 * (n % 4)) / 16) ** 2)
            at = datetime.combine(day, datetime.min.time()) + timedelta(hours=8)
            level = wave + 0.03 * (n % 5)
            absence = round(6 + 11 * wave, 1)
            for kind, code, beds, base in ((ChainKind.GRZ, grz_code, 40 + 5 * (n % 3), 0.74),
                                           (ChainKind.CARE_HOTEL, f"SYN-ZH-{region}", 20, 0.5)):
                occupied = round(beds * min(1.0, base + 0.25 * wave))
                reports.append(ChainReport(code, region, kind, at, beds, occupied,
                                           round(occupied * 0.3 * wave), None, "", absence))
            for kind, code, shift in ((ChainKind.DISTRICT_NURSING, f"SYN-WV-{region}", 0.0),
                                      (ChainKind.GP_PRACTICE, f"SYN-HA-{region}", -0.1),
                                      (ChainKind.GP_POST, f"SYN-HAP-{region}", 0.05)):
                status = (Pressure.NO_NEW_PATIENTS if level + shift >= 0.9 else
                          Pressure.UNDER_PRESSURE if level + shift >= 0.55 else Pressure.NORMAL)
                reason = "" if status is Pressure.NORMAL else (
                    f"SYNTHETIC: staff absence {absence} %, COVID care at home rising")
                reports.append(ChainReport(code, region, kind, at, status=status, reason=reason,
                                           staff_absence_pct=absence))
            day += timedelta(days=1)
    return chain_store.bulk_chain_reports(conn, reports, actor=ACTOR, now=_at("2021-02-01"))


def load_demo_requests(engine: Engine, settings: Settings) -> dict[str, int]:
    """The SYNTHETIC chain set, once: requests, signals, ELV orders, CCV figures, ventilators."""
    with engine.begin() as conn:
        if requests_store.count_requests(conn):
            return {"help_requests": 0}
        locations = [loc for _, loc in load_locations(conn)]
        work: list[Callable[[], int | None]] = [
            lambda: _ladder(conn, locations, settings.request_stale_after),
            lambda: _signals_and_orders(conn, locations, settings.elv_scale_up),
            lambda: _stock(conn, locations, load_norm(settings.ccv_norm_file)),
            lambda: _chain(conn, locations),
        ]
        counts = [w() or 0 for w in work]
    return {"help_requests": counts[0], "signals_and_orders": counts[1],
            "chain_reports": counts[3]}
