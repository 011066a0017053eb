"""An independent check of a plan against every constraint, in plain loops (no numpy tricks).

Written apart from the optimiser on purpose: if both shared code, a bug would hide.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

from kraan.domain.spreading.fairshare import base_occupancy
from kraan.domain.spreading.model import Area, Level, Plan, SpreadSettings

TOL = 1e-6


def violations(areas: Sequence[Area], settings: SpreadSettings, plan: Plan) -> list[str]:
    """Every broken rule, as text; empty when the plan is valid."""
    found: list[str] = []
    index = {a.code: i for i, a in enumerate(areas)}
    days = plan.occupancy_before.shape[1]
    base = base_occupancy(areas, days, settings.quantile)
    classes = {c.name: c for c in settings.classes()}
    inflow = defaultdict(float)  # (area, day)
    outflow = defaultdict(float)
    out_class = defaultdict(float)  # (area, class, day)
    vehicle_day = defaultdict(float)
    batch = defaultdict(int)
    for t in plan.transfers:
        if t.patients <= 0 or t.patients != int(t.patients):
            found.append(f"{t}: patients must be a positive whole number")
        if not 0 <= t.day < days:
            found.append(f"{t}: day outside the horizon")
        source, target = areas[index[t.source]], areas[index[t.target]]
        if source.is_last_resort:
            found.append(f"{t}: a last-resort area never sends")
        if t.source == t.target:
            found.append(f"{t}: sends to itself")
        if target.is_last_resort and not settings.use_last_resort:
            found.append(f"{t}: last resort switched off")
        if settings.level is Level.REGIONAL and source.group != target.group:
            found.append(f"{t}: leaves its group at the regional level")
        inflow[(t.target, t.day)] += t.patients
        outflow[(t.source, t.day)] += t.patients
        out_class[(t.source, t.patient_class, t.day)] += t.patients
        vehicle_day[(classes[t.patient_class].vehicle, t.day)] += t.patients
        batch[(t.source, t.target, t.day)] += t.patients
    # conservation: after = base + cumulative net, and totals equal every day
    for day in range(days):
        total_before = sum(base[i][day] for i in range(len(areas)))
        total_after = sum(plan.occupancy_after[i][day] for i in range(len(areas)))
        if abs(total_before - total_after) > TOL:
            found.append(f"day {day}: patients not conserved {total_before} -> {total_after}")
    for i, area in enumerate(areas):
        net = 0.0
        received = 0.0
        for day in range(days):
            before_today = base[i][day] + net
            net += inflow[(area.code, day)] - outflow[(area.code, day)]
            received += inflow[(area.code, day)]
            expected = base[i][day] + net
            if abs(plan.occupancy_after[i][day] - expected) > TOL:
                found.append(f"{area.code} day {day}: occupancy {plan.occupancy_after[i][day]}")
            if expected < -TOL:
                found.append(f"{area.code} day {day}: negative occupancy {expected}")
            sends = outflow[(area.code, day)] > 0
            takes = inflow[(area.code, day)] > 0
            if settings.enforce_no_send_and_receive and sends and takes:
                found.append(f"{area.code} day {day}: sends and receives on one day")
            if settings.enforce_receiving_capacity:
                reserve = max(
                    math.ceil(settings.reserve_days * area.acute_inflow),
                    math.ceil(settings.reserve_share * area.capacity),
                )
                free = max(0.0, area.capacity - area.non_covid_occupied - reserve - base[i][day])
                if received > free + TOL:
                    found.append(f"{area.code} day {day}: received {received} > free {free}")
            if settings.enforce_stable_share:
                for name, cls in classes.items():
                    cap = settings.stable_share * cls.share * before_today
                    if out_class[(area.code, name, day)] > cap + TOL:
                        found.append(f"{area.code} day {day}: sent {name} above stable share")
    if settings.enforce_transport_capacity:
        for (vehicle, day), carried in vehicle_day.items():
            if carried > settings.transport_capacity(vehicle) + TOL:
                found.append(f"day {day}: {vehicle} carries {carried}")
    if settings.enforce_min_batch:
        for key, patients in batch.items():
            if patients < settings.min_batch:
                found.append(f"{key}: batch {patients} below {settings.min_batch}")
    return found
