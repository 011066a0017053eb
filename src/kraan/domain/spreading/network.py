"""Which area may send to which: arcs with great-circle distances, built with numpy.

At the national level every region may send to every other region; at the regional
level transfers stay inside a group (the hospitals of one ROAZ region). ``max_neighbours``
keeps each sender's k nearest receivers, as a continental model needs (5,000 hospitals
x 20 neighbours); last-resort areas (Germany) are added to every sender on top.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kraan.domain.spreading.model import Area, FloatArray, IntArray, Level, SpreadSettings

EARTH_RADIUS_KM = 6371.0088  # IUGG mean Earth radius
BLOCK = 512  # sender rows per block of the distance matrix (bounds memory at 5,000 areas)


def haversine_km(
    lat1: FloatArray | float, lon1: FloatArray | float, lat2: FloatArray | float,
    lon2: FloatArray | float,
) -> FloatArray:
    """Great-circle distance; broadcasting; NaN coordinates give 0 km (distance unknown)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(lon2) - np.radians(lon1)
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    result: FloatArray = np.nan_to_num(km, nan=0.0)
    return result


@dataclass(frozen=True, slots=True)
class Arcs:
    source: IntArray
    target: IntArray
    km: FloatArray

    def __len__(self) -> int:
        return int(self.source.size)


def build_arcs(areas: Sequence[Area], settings: SpreadSettings) -> Arcs:
    """All allowed (sender, receiver) pairs, sorted by sender then receiver."""
    lat = np.array([a.lat for a in areas], dtype=np.float64)
    lon = np.array([a.lon for a in areas], dtype=np.float64)
    last = np.array([a.is_last_resort for a in areas], dtype=bool)
    groups = np.array([a.group for a in areas], dtype=object)
    senders = np.flatnonzero(~last)
    domestic = np.flatnonzero(~last)
    regional = settings.level is Level.REGIONAL
    sources: list[IntArray] = []
    targets: list[IntArray] = []
    kms: list[FloatArray] = []
    for lo in range(0, senders.size, BLOCK):
        rows = senders[lo : lo + BLOCK]
        km = haversine_km(
            lat[rows, None], lon[rows, None], lat[None, domestic], lon[None, domestic]
        )
        allowed = rows[:, None] != domestic[None, :]
        if regional:
            allowed &= groups[rows, None] == groups[None, domestic]
        if settings.max_distance_km is not None:
            allowed &= km <= settings.max_distance_km
        k = settings.max_neighbours
        if k is not None and k < domestic.size - 1:
            ranked = np.where(allowed, km, np.inf)
            nearest = np.argpartition(ranked, k - 1, axis=1)[:, :k]
            keep = np.zeros_like(allowed)
            np.put_along_axis(keep, nearest, True, axis=1)
            allowed &= keep
        r, c = np.nonzero(allowed)
        sources.append(rows[r])
        targets.append(domestic[c])
        kms.append(km[r, c])
    if settings.use_last_resort and last.any():
        resort = np.flatnonzero(last)
        if regional:
            resort = resort[np.isin(groups[resort], groups[senders])]
        km = haversine_km(
            lat[senders, None], lon[senders, None], lat[None, resort], lon[None, resort]
        )
        allowed = np.ones_like(km, dtype=bool)
        if regional:
            allowed &= groups[senders, None] == groups[None, resort]
        if settings.max_distance_km is not None:
            allowed &= km <= settings.max_distance_km
        r, c = np.nonzero(allowed)
        sources.append(senders[r])
        targets.append(resort[c])
        kms.append(km[r, c])
    if not sources:
        empty = np.zeros(0, dtype=np.int64)
        return Arcs(empty, empty.copy(), np.zeros(0))
    source = np.concatenate(sources).astype(np.int64)
    target = np.concatenate(targets).astype(np.int64)
    km_all = np.concatenate(kms).astype(np.float64)
    order = np.lexsort((target, source))
    return Arcs(source[order], target[order], km_all[order])


def keep_arcs(arcs: Arcs, mask: npt.NDArray[np.bool_]) -> Arcs:
    return Arcs(arcs.source[mask], arcs.target[mask], arcs.km[mask])


def candidate_arcs(
    arcs: Arcs, excess: FloatArray, short: FloatArray, room: FloatArray, max_senders: int,
    *, relative: FloatArray | None = None,
) -> Arcs:  # fmt: skip
    """Arcs that can pay: from an area with ``excess`` > 0 to one ``short`` > 0 with ``room``.

    ``excess``/``short`` per area: its largest surplus over / gap to the fair share (or
    overflow) on any plan day; ``room``: most beds it can take. A patient moved from an
    area at or below its share, or to one at or above it, only adds spread and cost, so
    those arcs are left out. At most ``max_senders`` senders (largest excess first) are
    kept: with transport for C patients a day over T days at most C x T areas can send
    (a heuristic cut: the caller passes 2 C T), and as many by ``relative`` excess (load
    above the national load), so the most loaded areas stay whatever their size.
    """
    senders = np.flatnonzero(excess > 0)
    if senders.size > max_senders:
        keep = senders[np.argsort(-excess[senders], kind="stable")[:max_senders]]
        if relative is not None:
            worst = senders[np.argsort(-relative[senders], kind="stable")[:max_senders]]
            keep = np.union1d(keep, worst)
        senders = keep
    can_send = np.zeros(excess.size, dtype=bool)
    can_send[senders] = True
    can_take = (short > 0) & (room >= 1.0)
    return keep_arcs(arcs, can_send[arcs.source] & can_take[arcs.target])
