r"""The patient-flow model of the care chain: members x regions, one step per day.

Compartments (each with a departure calendar ``due[day % K, c, m, r]``):

    ward admissions --> WARD --------------------------> discharge (home | ELV queue)
                    \-> WARD_HM (module 1, early) -----> HM (home monitoring) --> readmission
                    \-> PRE (on to IC) --------------> IC --> POST (step-down ward) --> discharge
    IC admissions ---------------------------------->  IC --> exit (death / home)
    ELV queue --(free ELV bed)--> ELV                 (waiting = blocked ward bed-days)

Arrivals are Poisson around the expected series (replayed or a synthetic wave); each
member draws its own arrival factor and length-of-stay factors. Stays are drawn for all
of a day's patients at once through inverse-CDF tables (:mod:`.stays`) and booked into
the calendars with one scatter-add: no Python loop per patient, only one per day.
COVID care is an infinite-server queue (nobody is refused); beds over capacity are
counted, and planned care gives way (:mod:`.planned`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from kraan.domain.forecast.quantiles import FloatArray
from kraan.domain.simulation.modules import Module, Routing
from kraan.domain.simulation.params import PHASES, SimParams, phase_index
from kraan.domain.simulation.stays import (
    TABLE_SIZE,
    conditional_shift,
    quantile_table,
    remainder_pmf,
    stay_pmf,
    weibull_survival,
)

WARD, WARD_HM, PRE, IC, POST, ELV, HM = range(7)
N_COMPARTMENTS = 7


@dataclass(frozen=True, eq=False)
class FlowInputs:
    """Everything the engine needs besides parameters and modules; shapes (T, R) or (R,)."""

    first_day: date
    regions: tuple[str, ...]
    ward_rate: FloatArray  # expected new ward admissions (T, R)
    ic_rate: FloatArray  # expected new direct IC admissions (T, R)
    ic0: FloatArray  # IC patients present on the first day (R,)
    ward0: FloatArray  # ward patients present on the first day (R,)
    ic0_residual: FloatArray  # days still to stay of those present (pmf over 0..K-1)
    ward0_residual: FloatArray
    ic_beds: FloatArray  # staffed IC beds (R,)
    ward_beds: FloatArray  # staffed ward beds, all patients (R,)
    ward_covid_beds: FloatArray  # agreed COVID ward beds (R,)
    elv_beds: FloatArray  # ELV/VVT beds for hospital discharges at standby (R,)
    los_factor: float = 1.0  # quadrant: multiplies hospital stays
    scale_up: bool = False  # follow the LNAZ IC path 1,150 -> 1,350 -> 1,700

    @property
    def days(self) -> int:
        return int(self.ward_rate.shape[0])


@dataclass(eq=False)
class FlowResult:
    """Per member: regional census (M, T, R) and national counters (M, T)."""

    ic: np.ndarray
    ward: np.ndarray
    elv: np.ndarray
    ic_capacity: np.ndarray
    blocked: np.ndarray  # ward patients waiting for an ELV bed (M, T)
    home_monitoring: np.ndarray  # (M, T)
    phase: np.ndarray  # phase rank (M, T)
    pacu_beds: np.ndarray  # module 5 beds open (M, T)
    transfers: np.ndarray  # patients moved between regions (M, T)
    ward_admissions: np.ndarray  # (M, T) national, after routing
    enrolled: np.ndarray  # (M, T) patients sent to home monitoring
    modules_on: dict[str, np.ndarray] = field(default_factory=dict)  # key -> (M, T) bool


def _tables(params: SimParams, inputs: FlowInputs, routing_saved: int) -> dict[str, FloatArray]:
    k = params.max_stay + 1
    f = inputs.los_factor
    pmf = {n: stay_pmf(weibull_survival(params.stays[n], k, f if n in ("ic", "ward", "pre_ic",
                                                                         "post_ic") else 1.0))
           for n in ("ic", "ward", "pre_ic", "post_ic", "elv", "home_monitoring")}
    shifted, mass = conditional_shift(pmf["ward"], routing_saved + 1, routing_saved)
    return {
        "pmf_ward": pmf["ward"],
        "ward": quantile_table(pmf["ward"]),
        "ward_enrolled": quantile_table(shifted) if mass > 0 else quantile_table(pmf["ward"]),
        "ward_cond_pmf": np.where(np.arange(k) > routing_saved, pmf["ward"], 0.0)
        / max(mass, 1e-12),
        "ward_mass": np.array([mass]),
        "ic": quantile_table(pmf["ic"]),
        "pre": quantile_table(pmf["pre_ic"]),
        "post": quantile_table(pmf["post_ic"]),
        "elv": quantile_table(pmf["elv"]),
        "hm": quantile_table(pmf["home_monitoring"]),
    }


class _Booker:
    """Collects one day's entries (compartment, counts, table, stretch) and books them."""

    def __init__(self, rng: np.random.Generator, members: int, regions: int, k: int) -> None:
        self.m, self.r, self.k = members, regions, k
        # one stream per compartment and stay table: common random numbers across modules
        self.rngs: dict[tuple[int, int], np.random.Generator] = {}
        self.entropy = int(rng.integers(2**63))
        self.parts: list[np.ndarray] = []
        self.cells = np.arange(members * regions)

    def add(self, comp: int, counts: np.ndarray, table: FloatArray, t: int,
            stretch: FloatArray | None = None, extra: int = 0) -> None:
        flat = counts.ravel().astype(np.int64)
        n = int(flat.sum())
        if n == 0:
            return
        cell = np.repeat(self.cells, flat)
        key = (comp, extra)
        if key not in self.rngs:
            self.rngs[key] = np.random.default_rng(
                np.random.SeedSequence(self.entropy, spawn_key=key))
        u = self.rngs[key].integers(0, TABLE_SIZE, n)
        x = table[u] if table.ndim == 1 else table[cell // self.r, u]
        if stretch is not None:
            x *= stretch[cell // self.r]
        x += 0.5 + extra  # x > -0.5, so truncation is floor
        d = x.astype(np.int64)
        np.clip(d, 1, self.k - 1, out=d)
        slot = (t + d) % self.k
        self.parts.append((slot * N_COMPARTMENTS + comp) * (self.m * self.r) + cell)

    def book(self, due: np.ndarray) -> None:
        """Add the collected entries to ``due[slot, comp, m, r]`` (one scatter-add a day)."""
        if self.parts:
            idx = np.concatenate(self.parts) if len(self.parts) > 1 else self.parts[0]
            # ufunc.at on matching int64 types is the fast path (numpy >= 1.25); a full-size
            # bincount would touch every cell of the calendar every day
            np.add.at(due.reshape(-1), idx, np.ones(idx.shape[0], dtype=np.int64))
        self.parts = []


def _phase_rank(share: FloatArray, thresholds: dict[str, float]) -> np.ndarray:
    rank = np.zeros(share.shape, dtype=np.int64)
    for name, level in thresholds.items():
        rank = np.where(share >= level, np.maximum(rank, phase_index(name)), rank)
    return rank


def run_flow(
    inputs: FlowInputs,
    params: SimParams,
    modules: list[Module],
    members: int,
    rng: np.random.Generator,
    protect_u3: bool = True,
) -> FlowResult:
    """Simulate ``members`` ensemble members; see the module doc for the compartments."""
    del protect_u3  # planned care is settled afterwards (planned.py)
    t_len, r_len = inputs.days, len(inputs.regions)
    k = params.max_stay + 1
    m_len = members
    saved = int(next((m.params["bed_days_saved"] for m in modules if m.key == "1"), 6))
    tab = _tables(params, inputs, saved)
    # separate streams: arrivals and member factors stay the same whatever modules are on
    # (common random numbers across module combinations), stays and moves draw apart
    # (one generator per kind of draw: a module that changes one flow leaves the others be)
    arr_rng, post_rng, elv_rng, readm_rng, pre_rng, hfno_rng, enr_rng = rng.spawn(7)

    # member factors (parameter uncertainty): arrivals and stays, log-normal around 1
    def lognormal(cv: float) -> FloatArray:
        sigma = np.sqrt(np.log1p(cv**2))
        return np.exp(arr_rng.normal(-sigma**2 / 2, sigma, m_len)) if cv > 0 else np.ones(m_len)

    arrival_f = lognormal(params.arrival_cv)
    ic_f, ward_f = lognormal(params.los_cv), lognormal(params.los_cv)
    ic_scale = params.stays["ic"].scale
    ward_scale = params.stays["ward"].scale

    due = np.zeros((k, N_COMPARTMENTS, m_len, r_len), dtype=np.int64)  # departures by day
    census = np.zeros((N_COMPARTMENTS, m_len, r_len), dtype=np.int64)
    queue = np.zeros((m_len, r_len), dtype=np.int64)
    book = _Booker(rng.spawn(1)[0], m_len, r_len, k)

    # patients present on day 0, booked with their residual stays
    for comp, present, residual, stretch in (
        (IC, inputs.ic0, inputs.ic0_residual, ic_f),
        (WARD, inputs.ward0, inputs.ward0_residual, ward_f),
    ):
        counts = np.broadcast_to(np.round(present).astype(np.int64), (m_len, r_len))
        book.add(comp, counts, quantile_table(residual), 0, stretch)
        census[comp] += counts
    book.book(due)

    out = {n: np.zeros((m_len, t_len, r_len), dtype=np.float32)
           for n in ("ic", "ward", "elv", "ic_capacity")}
    nat = {n: np.zeros((m_len, t_len), dtype=np.float32)
           for n in ("blocked", "hm", "pacu", "transfers", "ward_adm", "enrolled")}
    phase = np.zeros((m_len, t_len), dtype=np.int8)
    t_on = {mod.key: np.full(m_len, -1, dtype=np.int64) for mod in modules}
    on_record = {mod.key: np.zeros((m_len, t_len), dtype=bool) for mod in modules}
    scale_steps = [(phase_index(p), b) for p, b in params.ic_scale_up] if inputs.scale_up else []
    step_on = np.full((len(scale_steps), m_len), -1, dtype=np.int64)
    ic_national = float(params.ic_beds)
    share_ic = inputs.ic_beds / max(inputs.ic_beds.sum(), 1e-9)
    thresholds = dict(params.phase_thresholds)
    rank = np.zeros(m_len, dtype=np.int64)
    ward_table_on = None

    for t in range(t_len):
        slot = t % k
        dep = due[slot].copy()
        due[slot] = 0
        census -= dep
        if t > 0:
            national_ic = census[IC].sum(axis=1) / ic_national
            rank = np.maximum(rank, _phase_rank(national_ic, thresholds))
        phase[:, t] = rank
        days_on = {}
        for mod in modules:
            start = mod.start_index(inputs.first_day)
            trigger = (np.full(m_len, t >= start) if start is not None
                       else rank >= mod.phase_rank)
            t_on[mod.key] = np.where((t_on[mod.key] < 0) & trigger, t, t_on[mod.key])
            days_on[mod.key] = np.where(t_on[mod.key] >= 0, t - t_on[mod.key], -1)
            on_record[mod.key][:, t] = days_on[mod.key] >= 0

        # capacities today
        ic_cap = np.broadcast_to(inputs.ic_beds, (m_len, r_len)).astype(np.float64)
        prev = params.ic_beds
        for j, (p_rank, beds) in enumerate(scale_steps):
            step_on[j] = np.where((step_on[j] < 0) & (rank >= p_rank), t, step_on[j])
            ramp = np.where(step_on[j] >= 0,
                            np.clip((t - step_on[j] + 1) / max(params.scale_up_ramp, 1), 0, 1), 0)
            ic_cap = ic_cap + (beds - prev) * ramp[:, None] * share_ic[None, :]
            prev = beds
        elv_cap = np.broadcast_to(inputs.elv_beds, (m_len, r_len)).astype(np.float64)
        for mod in modules:
            extra = mod.capacity("ic", inputs.ic_beds, days_on[mod.key])
            if extra is not None:
                ic_cap = ic_cap + extra
                if mod.key == "5":
                    nat["pacu"][:, t] = extra.sum(axis=1)
            extra = mod.capacity("elv", inputs.elv_beds, days_on[mod.key])
            if extra is not None:
                elv_cap = elv_cap + extra
        out["ic_capacity"][:, t] = ic_cap

        # flows out of today's departures
        ic_from_ward = dep[PRE]
        post = post_rng.binomial(dep[IC], params.ic_to_ward)
        discharged = dep[WARD] + dep[POST]
        queue += elv_rng.binomial(discharged, params.elv_share)
        hm_new = dep[WARD_HM]
        readmit = readm_rng.binomial(dep[HM], params.hm_readmission)
        free = np.maximum(np.floor(elv_cap) - census[ELV], 0).astype(np.int64)
        elv_adm = np.minimum(queue, free)
        queue -= elv_adm

        # new admissions
        lam_w = inputs.ward_rate[t][None, :] * arrival_f[:, None] * ward_scale
        lam_i = inputs.ic_rate[t][None, :] * arrival_f[:, None] * ic_scale
        ward_new = arr_rng.poisson(lam_w) + readmit
        ic_new = arr_rng.poisson(lam_i) + ic_from_ward
        moved = np.zeros(m_len)
        for mod in modules:
            on = days_on[mod.key] >= 0
            res = mod.redistribute("ic", ic_new, census[IC], ic_cap, on)
            if res is not None:
                moved += np.abs(res - ic_new).sum(axis=1) / 2
                ic_new = res
            ward_census = census[WARD] + census[WARD_HM] + census[PRE] + census[POST] + queue
            res = mod.redistribute("ward", ward_new, ward_census,
                                   np.broadcast_to(inputs.ward_covid_beds, (m_len, r_len)), on)
            if res is not None:
                moved += np.abs(res - ward_new).sum(axis=1) / 2
                ward_new = res
        nat["transfers"][:, t] = moved

        # routing of new ward patients (modules 1 and 4A)
        routing = Routing(hm_enrolment=np.zeros(m_len), hm_saved_days=saved,
                          ic_avoided=np.zeros(m_len), hfno_extra_days=0)
        for mod in modules:
            mod.ward_routing(routing, days_on[mod.key] >= 0)
        p_pre = params.ward_to_ic * (1 - routing.ic_avoided)
        p_hfno = params.ward_to_ic * routing.ic_avoided
        pre = pre_rng.binomial(ward_new, p_pre[:, None])
        rest = ward_new - pre
        hfno = hfno_rng.binomial(rest, (p_hfno / np.maximum(1 - p_pre, 1e-9))[:, None])
        rest -= hfno
        mass = float(tab["ward_mass"][0])
        p_enr = params.hm_eligible * routing.hm_enrolment * mass
        enrolled = enr_rng.binomial(rest, p_enr[:, None])
        rest -= enrolled
        if p_enr.any():
            if ward_table_on is None or not np.allclose(ward_table_on[0], p_enr.max()):
                rest_pmf = remainder_pmf(tab["pmf_ward"], tab["ward_cond_pmf"],
                                         float(p_enr.max()))
                ward_table_on = (p_enr.max(), np.stack([tab["ward"], quantile_table(rest_pmf)]))
            ward_rest_table = ward_table_on[1][(p_enr > 0).astype(np.int64)]
        else:
            ward_rest_table = tab["ward"]
        nat["ward_adm"][:, t] = ward_new.sum(axis=1)
        nat["enrolled"][:, t] = enrolled.sum(axis=1)

        book.add(WARD, rest, ward_rest_table, t, ward_f)
        book.add(WARD_HM, enrolled, tab["ward_enrolled"], t, ward_f)
        book.add(PRE, pre, tab["pre"], t, ward_f)
        book.add(WARD, hfno, tab["pre"], t, ward_f, extra=routing.hfno_extra_days)
        book.add(IC, ic_new, tab["ic"], t, ic_f)
        book.add(POST, post, tab["post"], t, ward_f)
        book.add(ELV, elv_adm, tab["elv"], t)
        book.add(HM, hm_new, tab["hm"], t)
        book.book(due)
        census[WARD] += rest + hfno
        census[WARD_HM] += enrolled
        census[PRE] += pre
        census[IC] += ic_new
        census[POST] += post
        census[ELV] += elv_adm
        census[HM] += hm_new

        out["ic"][:, t] = census[IC]
        out["ward"][:, t] = census[WARD] + census[WARD_HM] + census[PRE] + census[POST] + queue
        out["elv"][:, t] = census[ELV]
        nat["blocked"][:, t] = queue.sum(axis=1)
        nat["hm"][:, t] = census[HM].sum(axis=1)

    return FlowResult(
        ic=out["ic"], ward=out["ward"], elv=out["elv"], ic_capacity=out["ic_capacity"],
        blocked=nat["blocked"], home_monitoring=nat["hm"], phase=phase,
        pacu_beds=nat["pacu"], transfers=nat["transfers"], ward_admissions=nat["ward_adm"],
        enrolled=nat["enrolled"], modules_on=on_record,
    )


__all__ = ["PHASES", "FlowInputs", "FlowResult", "run_flow"]
