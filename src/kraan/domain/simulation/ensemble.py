"""Ensembles: members in fixed blocks with their own seeds, and the summary of the contract.

Members run in blocks of :data:`BLOCK`; block ``b`` draws from
``SeedSequence(seed, spawn_key=(b,))``, so the same scenario and seed give the same
numbers whether the blocks run in one process or spread over a Dask cluster.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from kraan.domain.simulation.engine import FlowInputs, FlowResult, run_flow
from kraan.domain.simulation.modules import Module
from kraan.domain.simulation.params import SimParams
from kraan.domain.simulation.planned import CLASSES, settle_planned

BLOCK = 100
QUANTILES = {"q05": 0.05, "q50": 0.5, "q95": 0.95}


@dataclass(frozen=True, eq=False)
class BlockSummary:
    """What a block hands back: national series per member and per-member totals."""

    ic: np.ndarray  # (m, T) national COVID IC census
    ward: np.ndarray  # (m, T)
    elv: np.ndarray  # (m, T)
    home_monitoring: np.ndarray  # (m, T)
    ic_regional_median: np.ndarray  # (T, R) median over the block's members
    totals: dict[str, np.ndarray]  # name -> (m,)


def blocks(members: int) -> list[tuple[int, int]]:
    """(block index, members in it) for an ensemble of ``members``."""
    return [(b, min(BLOCK, members - b * BLOCK)) for b in range((members + BLOCK - 1) // BLOCK)]


def block_rng(seed: int, block: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block,)))


def summarise_block(result: FlowResult, inputs: FlowInputs, params: SimParams,
                    modules: Sequence[Module], protect_u3: bool = True) -> BlockSummary:
    planned = settle_planned(result, inputs, params, list(modules), protect_u3)
    ic = result.ic.sum(axis=2)
    ward = result.ward.sum(axis=2)
    totals = {
        "peak_ic": ic.max(axis=1),
        "peak_ward": ward.max(axis=1),
        "peak_elv": result.elv.sum(axis=2).max(axis=1),
        "ic_bed_days": ic.sum(axis=1),
        "ward_bed_days": ward.sum(axis=1),
        "ic_days_over_capacity": planned.ic_over,
        "ic_excess_bed_days": planned.ic_excess,
        "ward_days_over_capacity": planned.ward_over,
        "blocked_bed_days": result.blocked.sum(axis=1),
        "transfers": result.transfers.sum(axis=1),
        "home_monitoring_days": result.home_monitoring.sum(axis=1),
        "enrolled": result.enrolled.sum(axis=1),
        "zbc_bed_days": planned.zbc_bed_days,
        **{f"postponed_{c}": planned.postponed[c] for c in CLASSES},
    }
    return BlockSummary(
        ic=ic, ward=ward, elv=result.elv.sum(axis=2), home_monitoring=result.home_monitoring,
        ic_regional_median=np.median(result.ic, axis=0), totals=totals,
    )


def run_block(inputs: FlowInputs, params: SimParams, modules: Sequence[Module], seed: int,
              block: int, members: int, protect_u3: bool = True) -> BlockSummary:
    result = run_flow(inputs, params, list(modules), members, block_rng(seed, block))
    return summarise_block(result, inputs, params, modules, protect_u3)


def merge(parts: Sequence[BlockSummary]) -> BlockSummary:
    sizes = np.array([p.ic.shape[0] for p in parts], dtype=float)
    return BlockSummary(
        ic=np.concatenate([p.ic for p in parts]),
        ward=np.concatenate([p.ward for p in parts]),
        elv=np.concatenate([p.elv for p in parts]),
        home_monitoring=np.concatenate([p.home_monitoring for p in parts]),
        ic_regional_median=np.average(np.stack([p.ic_regional_median for p in parts]), axis=0,
                                      weights=sizes),
        totals={k: np.concatenate([p.totals[k] for p in parts]) for k in parts[0].totals},
    )


def run_ensemble(inputs: FlowInputs, params: SimParams, modules: Sequence[Module],
                 members: int, seed: int, protect_u3: bool = True) -> BlockSummary:
    """All blocks in this process, in order (the Dask path gives the same numbers)."""
    if members < 1:
        raise ValueError("members must be at least 1")
    return merge([run_block(inputs, params, modules, seed, b, n, protect_u3)
                  for b, n in blocks(members)])


def _bands(values: np.ndarray) -> dict[str, list[float]]:
    return {name: [round(float(v), 1) for v in np.quantile(values, q, axis=0)]
            for name, q in QUANTILES.items()}


def contract(summary: BlockSummary, inputs: FlowInputs) -> dict[str, object]:
    """The ``kraan simulate --format json`` document (docs/simulation.md)."""
    days = [(inputs.first_day + timedelta(days=i)).isoformat() for i in range(inputs.days)]
    med = {k: float(np.median(v)) for k, v in summary.totals.items()}
    return {
        "days": days,
        "ic": _bands(summary.ic),
        "ward": _bands(summary.ward),
        "summary": {
            "peak_ic": round(med["peak_ic"], 1),
            "peak_ward": round(med["peak_ward"], 1),
            "ic_days_over_capacity": round(med["ic_days_over_capacity"], 1),
            "blocked_bed_days": round(med["blocked_bed_days"], 1),
            "postponed": {c: round(med[f"postponed_{c}"], 1) for c in CLASSES},
        },
    }


def effects(summary: BlockSummary) -> dict[str, float]:
    """Median of every per-member total (the sweep table's cells)."""
    return {k: float(np.median(v)) for k, v in summary.totals.items()}
