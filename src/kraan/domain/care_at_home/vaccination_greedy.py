"""The greedy rule: week by week, first doses to items in priority order.

Each week: the second doses due are given first (they were reserved); then every item in
rank order takes what it can of each vaccine it may receive, in the order the vaccines are
listed. A first dose of a two-dose vaccine holds its second dose back from stock (the
cautious rule of early 2021) and reserves administration capacity in the week it falls
due. The rule never looks at future deliveries: that is where the LP differs.
"""

from __future__ import annotations

import math

import numpy as np

from kraan.domain.care_at_home.vaccination import Schedule, ScheduleInput


def solve_greedy(inp: ScheduleInput) -> Schedule:
    inp = inp.ordered()
    n_i, n_v, n_w = len(inp.items), len(inp.vaccines), len(inp.weeks)
    deliveries = inp.delivery_matrix()
    eligible = inp.eligible()
    capacity = np.asarray(inp.capacity, dtype=np.float64)
    first = np.zeros((n_i, n_v, n_w))
    remaining = np.array([it.demand for it in inp.items], dtype=np.float64)
    stock = np.zeros(n_v)
    reserved = np.zeros(n_v)
    load = np.zeros(n_w)  # second doses already due per week (capacity they take)
    for w in range(n_w):
        stock += deliveries[:, w]
        for k, v in enumerate(inp.vaccines):
            if v.doses == 2 and w >= v.interval_weeks:
                due = first[:, k, w - v.interval_weeks].sum()
                stock[k] -= due
                reserved[k] -= due
        cap_left = capacity[w] - load[w]
        for i in range(n_i):
            if cap_left < 1:
                break
            for k, v in enumerate(inp.vaccines):
                if remaining[i] < 1 or not eligible[i, k] or cap_left < 1:
                    continue
                free = stock[k] - reserved[k]
                if v.doses == 2:
                    n = min(remaining[i], free / 2.0, cap_left)
                    later = w + v.interval_weeks
                    if later < n_w:
                        n = min(n, capacity[later] - load[later])
                else:
                    n = min(remaining[i], free, cap_left)
                n = float(math.floor(max(0.0, n)))
                if n <= 0:
                    continue
                first[i, k, w] = n
                remaining[i] -= n
                stock[k] -= n
                cap_left -= n
                if v.doses == 2:
                    reserved[k] += n
                    if w + v.interval_weeks < n_w:
                        load[w + v.interval_weeks] += n
    return Schedule(
        method="greedy",
        status="done",
        inp=inp,
        first=first,
        notes=("second doses held back from stock; no look-ahead on deliveries",),
    )
