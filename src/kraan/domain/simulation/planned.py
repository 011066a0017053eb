"""Planned care U3..U5 gives way to COVID care; what is postponed, and beds over capacity.

Per level (IC and ward), region and day the non-COVID demand is split in acute care
(U1/U2, never postponed) and planned U3, U4, U5. The beds left after COVID and acute
care go to U3 first, then U4, then U5: so U5 is postponed first, then U4, then U3.
While the national phase is below ``protect_u3_until`` (2D by default), U3 keeps its
beds even when that puts the region over capacity (national measure 4). Module 6
moves part of U4/U5 ward care to ZBCs; module 5's PACU beds stop U4 surgery while
they hold IC patients.
Volumes are bed-days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kraan.domain.simulation.engine import FlowInputs, FlowResult
from kraan.domain.simulation.modules import Module
from kraan.domain.simulation.params import SimParams, phase_index

CLASSES = ("U3", "U4", "U5")


@dataclass(frozen=True, eq=False)
class PlannedOutcome:
    postponed: dict[str, np.ndarray]  # class -> (M,) bed-days
    ic_over: np.ndarray  # (M,) region-days with IC demand above staffed IC beds
    ic_excess: np.ndarray  # (M,) IC bed-days above staffed IC beds, summed over regions
    ward_over: np.ndarray  # (M,) region-days on the ward
    zbc_bed_days: np.ndarray  # (M,) U4/U5 bed-days taken over by ZBCs


def _give_way(
    free: np.ndarray, demand: dict[str, np.ndarray], protect: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Served planned care per class in priority U3 > U4 > U5, and total served."""
    served: dict[str, np.ndarray] = {}
    left = free.copy()
    for cls in CLASSES:
        give = np.clip(left, 0.0, demand[cls])
        if cls == "U3":
            give = np.where(protect, demand[cls], give)
        served[cls] = give
        left = left - give
    return served, sum(served.values())  # type: ignore[return-value]


def settle_planned(
    result: FlowResult, inputs: FlowInputs, params: SimParams, modules: list[Module],
    protect_u3: bool = True,
) -> PlannedOutcome:
    shares = params.planned_shares
    protect = result.phase[:, :, None] < phase_index(params.protect_u3_until)
    protect = protect & protect_u3
    m_len = result.ic.shape[0]
    postponed = {c: np.zeros(m_len) for c in CLASSES}

    def weights(beds: np.ndarray) -> np.ndarray:
        return beds / max(beds.sum(), 1e-9)

    # IC
    ic_nc = params.ic_non_covid * weights(inputs.ic_beds)[None, None, :]
    ic_demand = {c: ic_nc * shares[c] for c in CLASSES}
    ic_free = result.ic_capacity - result.ic - ic_nc * shares["acute"]
    served, total = _give_way(ic_free, ic_demand, protect)
    for c in CLASSES:
        postponed[c] += (ic_demand[c] - served[c]).sum(axis=(1, 2))
    ic_load = result.ic + ic_nc * shares["acute"] + total
    ic_over = (ic_load > result.ic_capacity + 1e-9).sum(axis=(1, 2)).astype(np.float64)
    ic_excess = np.clip(ic_load - result.ic_capacity, 0.0, None).sum(axis=(1, 2))

    # ward (with ZBCs for U4/U5 when module 6 is on)
    ward_nc = params.ward_non_covid * weights(inputs.ward_beds)[None, None, :]
    ward_demand = {c: np.broadcast_to(ward_nc * shares[c], result.ward.shape).copy()
                   for c in CLASSES}
    zbc = np.zeros(m_len)
    for mod in modules:
        share = mod.planned("zbc_share", np.ones(m_len, dtype=bool))
        if share <= 0:
            continue
        on = result.modules_on[mod.key][:, :, None]
        beds = mod.planned("zbc_beds", np.ones(m_len, dtype=bool))
        want = (ward_demand["U4"] + ward_demand["U5"]) * share
        cap = beds * weights(inputs.ward_beds)[None, None, :]
        taken = np.where(on, np.minimum(want, cap), 0.0)
        frac = taken / np.maximum(ward_demand["U4"] + ward_demand["U5"], 1e-9)
        ward_demand["U4"] *= 1 - frac
        ward_demand["U5"] *= 1 - frac
        zbc += taken.sum(axis=(1, 2))
    ward_free = inputs.ward_beds[None, None, :] - result.ward - ward_nc * shares["acute"]
    served, total = _give_way(ward_free, ward_demand, protect)
    for c in CLASSES:
        postponed[c] += (ward_demand[c] - served[c]).sum(axis=(1, 2))
    ward_load = result.ward + ward_nc * shares["acute"] + total
    ward_over = (ward_load > inputs.ward_beds[None, None, :] + 1e-9).sum(axis=(1, 2))

    # module 5: a PACU bed used for IC stops the surgery it served (U4), only while in use
    pacu = result.pacu_beds[:, :, None] * weights(inputs.ic_beds)[None, None, :]
    pacu_used = np.clip(ic_load - (result.ic_capacity - pacu), 0.0, pacu)
    for mod in modules:
        lost = mod.planned("U4_lost_per_pacu_bed_day", np.ones(m_len, dtype=bool))
        if lost > 0:
            postponed["U4"] += lost * pacu_used.sum(axis=(1, 2))
    return PlannedOutcome(postponed=postponed, ic_over=ic_over, ic_excess=ic_excess,
                          ward_over=ward_over.astype(np.float64), zbc_bed_days=zbc)
