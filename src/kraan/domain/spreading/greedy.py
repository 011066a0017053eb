"""Policy (b) of the evaluation: the most-loaded area sends to the least-loaded one.

A one-day rule of thumb, as a coordinator without an optimiser would work: repeatedly
pair the highest-loaded sender with the lowest-loaded receiver and move the patients
that level the two, within the same constraints the optimiser keeps (stable share,
transport per vehicle, receiving capacity today, minimum batch, no area both sending
and receiving). It never uses the last resort (Germany): that is a national decision.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from kraan.domain.spreading.fairshare import agreed_capacity, domestic_mask
from kraan.domain.spreading.model import Area, Plan, SpreadSettings, Transfer
from kraan.domain.spreading.network import build_arcs, haversine_km


def greedy_plan(areas: Sequence[Area], settings: SpreadSettings | None = None) -> Plan:
    """Transfers for today (plan day 0) by the greedy rule; occupancy has one day."""
    settings = settings or SpreadSettings()
    began = time.perf_counter()
    n = len(areas)
    occ = np.array([a.covid_occupied for a in areas], dtype=np.float64)
    agreed = agreed_capacity(areas, settings.basis)
    domestic = domestic_mask(areas)
    limit = np.array(
        [
            a.capacity - a.non_covid_occupied
            - max(math.ceil(settings.reserve_days * a.acute_inflow),
                  math.ceil(settings.reserve_share * a.capacity))
            for a in areas
        ],
        dtype=np.float64,
    )  # fmt: skip
    classes = settings.classes()
    quota = np.floor(
        occ[:, None] * np.array([c.share for c in classes])[None, :]
        * (settings.stable_share if settings.enforce_stable_share else 1.0) + 1e-9
    )  # fmt: skip
    transport = {
        c.vehicle: settings.transport_capacity(c.vehicle) if settings.enforce_transport_capacity
        else math.inf
        for c in classes
    }  # fmt: skip
    room = np.maximum(limit - occ, 0.0) if settings.enforce_receiving_capacity else np.full(n, 1e9)
    role = np.zeros(n, dtype=np.int8)  # +1 sends today, -1 receives today
    arcs = build_arcs(areas, replace(settings, use_last_resort=False))
    # open[i, j]: i may still send to j (an arc, not yet found useless); dense, so the
    # choice of the next pair is two numpy reductions, not a Python loop over all pairs
    open_pair = np.zeros((n, n), dtype=bool)
    open_pair[arcs.source, arcs.target] = True
    moved: dict[tuple[int, int, int], int] = {}
    minimum = settings.min_batch if settings.enforce_min_batch else 1
    while True:
        load = np.where(domestic, occ / np.maximum(agreed, 1e-9), np.nan)
        can_send = domestic & (role >= 0) & (quota.sum(axis=1) >= minimum)
        can_take = domestic & (role <= 0) & (room >= minimum)
        if settings.enforce_no_send_and_receive is False:
            can_send = domestic & (quota.sum(axis=1) >= minimum)
            can_take = domestic & (room >= minimum)
        valid = open_pair & can_send[:, None] & can_take[None, :]
        has = valid.any(axis=1)
        if not has.any():
            break
        i = int(np.argmax(np.where(has, load, -np.inf)))  # the most loaded sender
        j = int(np.argmin(np.where(valid[i], load, np.inf)))  # its least loaded receiver
        level = (occ[i] * agreed[j] - occ[j] * agreed[i]) / (agreed[i] + agreed[j])
        want = math.floor(level + 1e-9)
        if load[i] - load[j] <= 0 or want < minimum:
            open_pair[i, j] = False
            continue
        batch: list[tuple[int, int]] = []
        for k, cls in enumerate(classes):
            count = int(min(want - sum(b[1] for b in batch), quota[i, k], transport[cls.vehicle],
                            room[j] - sum(b[1] for b in batch)))  # fmt: skip
            if count > 0:
                batch.append((k, count))
        total = sum(c for _, c in batch)
        if total < minimum:
            open_pair[i, j] = False
            continue
        for k, count in batch:
            quota[i, k] -= count
            transport[classes[k].vehicle] -= count
            moved[(i, j, k)] = moved.get((i, j, k), 0) + count
        occ[i] -= total
        occ[j] += total
        room[j] -= total
        role[i], role[j] = 1, -1
    before = np.array([[a.covid_occupied] for a in areas], dtype=np.float64)
    transfers = tuple(
        Transfer(0, areas[i].code, areas[j].code, count, classes[k].name)
        for (i, j, k), count in sorted(moved.items())
    )
    km = sum(
        count * float(haversine_km(areas[i].lat, areas[i].lon, areas[j].lat, areas[j].lon))
        for (i, j, _), count in moved.items()
    )
    return Plan(
        codes=tuple(a.code for a in areas),
        transfers=transfers,
        occupancy_before=before,
        occupancy_after=occ[:, None].copy(),
        status="greedy",
        objective=math.nan,
        solve_seconds=time.perf_counter() - began,
        patient_km=km,
    )
