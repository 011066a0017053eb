"""The briefing document turned into what a reader sees, in one language.

Both the HTML page/PDF and the Markdown output are rendered from this view model,
so every output shows the same figures with the same links to their API queries.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kraan.domain.briefing.compare import Change
from kraan.domain.briefing.model import Briefing, Decision, Figure, Note, Section, Table
from kraan.figures import public_figures
from kraan.web.briefing_i18n import Formatter
from kraan.web.i18n import language as page_language
from kraan.web.i18n_data import translate


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional name for "mark only"
    return message


SECTION_TITLES = {
    "summary": N_("Situation: occupancy, phase and outlook"),
    "spreading": N_("Spreading of patients"),
    "outside_hospital": N_("Pressure outside the hospital"),
    "staff_help": N_("Staff help"),
    "stock": N_("Stock: IC medicines and ventilators"),
    "care_at_home": N_("Care at home, early warning and vaccination"),
    "module_readiness": N_("Module readiness per region"),
    "scenarios": N_("Scenarios"),
}

LEVEL_NAMES = {"ic": N_("IC"), "ward": N_("Clinical (ward)"), "elv_vvt": N_("ELV/VVT")}

FIGURE_LABELS = {
    "phase.now": N_("National LNAZ phase"),
    "phase.week_before": N_("National LNAZ phase a week earlier"),
    "{level}.covid.now": N_("%(level)s: COVID patients"),
    "{level}.covid.week_before": N_("%(level)s: COVID patients a week earlier"),
    "{level}.ontlabeld.now": N_("%(level)s: patients ontlabeld"),
    "{level}.staffed.now": N_("%(level)s: staffed beds"),
    "{level}.occupancy.now": N_("%(level)s: occupancy of staffed beds"),
    "ic.abroad.now": N_("IC: COVID patients abroad (Germany)"),
    "transfers.week.count": N_("Transfers in the past 7 days"),
    "transfers.week.patients": N_("Patients transferred in the past 7 days"),
    "transfers.abroad.ic": N_("IC patients abroad (Germany)"),
    "transfers.requested.patients": N_("Patients in requested transfers, not yet offered"),
    "plan.coming.patients": N_("Patients in the current plan for the coming days"),
    "offers.beds_offered": N_("Beds offered (past week and coming week)"),
    "offers.beds_taken": N_("Offered beds taken"),
    "requests.open": N_("Open staff-help requests"),
    "requests.open.rung1": N_("Open at rung 1: region (RO(N)AZ, under the DPG)"),
    "requests.open.rung2": N_("Open at rung 2: national (Red Cross, Extra Handen, Zorgreserve)"),
    "requests.open.rung3": N_("Open at rung 3: military support request (MSOB)"),
    "requests.stale": N_("Stale requests, to be re-confirmed"),
    "requests.msob_pending": N_("MSOB requests awaiting the joint decision"),
    "chain.grz.covid": N_("GRZ (geriatric rehabilitation): COVID patients"),
    "chain.grz.beds": N_("GRZ: beds"),
    "chain.grz.occupancy": N_("GRZ: occupancy"),
    "chain.care_hotel.covid": N_("Care hotels: COVID patients"),
    "chain.care_hotel.beds": N_("Care hotels: beds"),
    "chain.care_hotel.occupancy": N_("Care hotels: occupancy"),
    "chain.district_nursing.under_pressure": N_("District nursing teams under pressure"),
    "chain.district_nursing.no_new_patients": N_("District nursing teams taking no new patients"),
    "chain.gp_practice.under_pressure": N_("GP practices under pressure"),
    "chain.gp_practice.no_new_patients": N_("GP practices taking no new patients"),
    "chain.gp_post.under_pressure": N_("GP posts under pressure"),
    "chain.gp_post.no_new_patients": N_("GP posts taking no new patients"),
    "home.enrolled": N_("Home monitoring: patients enrolled so far"),
    "home.active": N_("Home monitoring: patients monitored now"),
    "home.alerts_open": N_("Home monitoring: open alerts"),
    "home.alerts_overdue": N_("Home monitoring: alerts past their response time"),
    "home.readmission_rate": N_("Home monitoring: readmission rate"),
    "home.bed_days_saved": N_("Home monitoring: hospital bed-days saved"),
    "early_warning.practices": N_("Early warning: GP practices taking part"),
    "early_warning.listed": N_("Early warning: high-risk patients on the lists"),
    "early_warning.actions": N_("Early warning: follow-up actions recorded"),
    "early_warning.workload_hours": N_("Early warning: GP workload (hours)"),
}

COLUMN_LABELS = {
    "region": N_("Region"),
    "status": N_("Status"),
    "status_week_before": N_("A week earlier"),
    "ic_covid": N_("IC COVID"),
    "ic_occupancy": N_("IC occupancy"),
    "ward_covid": N_("Clinical COVID"),
    "step": N_("Step"),
    "ic_beds": N_("Beds"),
    "from": N_("From"),
    "to": N_("To"),
    "patients": N_("Patients"),
    "elv_covid": N_("ELV/VVT COVID"),
    "elv_occupancy": N_("ELV/VVT occupancy"),
    "kind": N_("Kind of care worker"),
    "rung1": N_("Rung 1"),
    "rung2": N_("Rung 2"),
    "rung3": N_("Rung 3 (MSOB)"),
    "people": N_("People"),
    "classification": N_("Classification"),
    "count": N_("Number"),
    "ordered": N_("Ordered"),
    "available": N_("Available"),
    "overdue": N_("Overdue (past 72 h)"),
    "medicine": N_("Medicine"),
    "coverage_months": N_("Coverage (months)"),
    "share_of_norm": N_("Share of the 5 + 3 months norm"),
    "state": N_("State"),
    "group": N_("Group"),
    "first_dose": N_("First dose"),
    "fully_vaccinated": N_("Fully vaccinated"),
    "first_dose_share": N_("Share with a first dose"),
}

CELL_LABELS = {
    "normal": N_("normal (%(ic_beds_normal)s IC beds)"),
    "surge_guaranteed": N_("surge, guaranteed (LNAZ plan)"),
    "surge_maximum": N_("surge, at most (LNAZ plan)"),
    "ward_2b_covid": N_("clinical COVID beds in phase 2B"),
    "ic_nurse": N_("IC nurse"),
    "ward_nurse": N_("ward nurse"),
    "care_assistant": N_("care assistant (zorghulp)"),
    "doctor": N_("doctor"),
    "support": N_("non-care support"),
    "recognisable": N_("recognisable"),
    "general": N_("general"),
    "specific": N_("specific"),
    "unclassified": N_("not yet classified"),
    "requested": N_("requested"),
    "granted": N_("granted"),
    "partly": N_("partly granted"),
    "refused": N_("refused"),
    "shipped": N_("shipped"),
}

TABLE_TITLES = {
    "regional_status": N_("Regional status (ROAZ regions)"),
    "scale_up_path": N_("Scale-up path"),
    "transfers_between": N_("Transfers between regions, past 7 days"),
    "elv_vvt_regions": N_("ELV/VVT per region"),
    "module_readiness": N_("Readiness per region and module"),
    "people_wanted": N_("People still wanted in open requests, per rung"),
    "deployments": N_("People deployed up to this date"),
    "signals_open": N_("Open bottleneck signals by classification (ActiZ and ZN)"),
    "elv_orders": N_("ELV scale-up orders per region (beds)"),
    "medicines_below_norm": N_("IC medicines (CCV) below the norm"),
    "ventilator_applications": N_("Ventilator applications to the central stock"),
    "vaccination_progress": N_("Vaccination progress per priority group"),
}

STATUS_LABELS = {
    "normal": N_("normal"),
    "under_pressure": N_("under pressure"),
    "no_critical_planned": N_("critical planned care not guaranteed"),
    "no_acute": N_("(semi-)acute care not guaranteed"),
    "unknown": N_("unknown"),
}

STATE_LABELS = {
    "not_started": N_("not started"),
    "in_preparation": N_("in preparation"),
    "ready": N_("ready"),
    "active": N_("active"),
    "unknown": N_("not recorded"),
}

NOTES = {
    "forecast_unavailable": N_("No %(level)s forecast for this date: %(reason)s"),
    "forecast_unreliable": N_("The %(level)s forecast is not reliable: %(reason)s"),
    "no_reports": N_(
        "No location had reported at this moment: the figures below are empty, not zero."
    ),
    "no_plan": N_("No spreading plan has been stored for this date."),
    "plan_made": N_("Current plan: no. %(plan_id)s, made for %(as_of)s."),
    "signals_no_data": N_(
        "Bottleneck signals and ELV scale-up orders: no data kept in Kraan for this date."
    ),
    "readiness_mandatory": N_(
        "In phase %(phase)s these regional modules are mandatory: %(modules)s."
    ),
    "readiness_none_recorded": N_("No region has recorded its module readiness yet."),
    "provenance_synthetic": N_(
        "Figures per location are synthetic (demo locations): the national totals are the "
        "real LCPS figures, split over generated locations."
    ),
    "provenance_estimated": N_(
        "Some figures are estimated (e.g. staffed beds before the LCPS reported them)."
    ),
    "provenance_imputed": N_("Some figures are imputed (e.g. days the LCPS did not publish)."),
    "provenance_stale": N_("%(count)s locations are stale: their last report is used."),
    "no_data_kept": N_("No data kept in Kraan for this part yet."),
    "stock_all_at_norm": N_("Every IC medicine in the CCV meets the 5 + 3 months norm."),
    "vaccination_modelled": N_(
        "Vaccination: the modelled schedule on the real 2021 delivery pattern, up to week "
        "%(week)s (docs/vaccination.md); not doses administered."
    ),
    "small_numbers": N_("Regional counts below 5 are suppressed; no patient data is shown."),
    "scenarios_on_page": N_(
        "What-if scenarios are run on the scenario page (/simulation); no scenario is stored "
        "for this date."
    ),
    "no_requests": N_("No staff-help request is kept in Kraan for this date."),
}

DECISIONS = {
    "phase_change": N_("The national phase changed from %(before)s to %(after)s."),
    "above_capacity": N_("%(target)s: occupancy is above the %(label)s now."),
    "crossing": N_("%(target)s: the median forecast crosses the %(label)s in %(days)s days."),
    "possible_crossing": N_(
        "%(target)s: the 90%% upper bound crosses the %(label)s within %(days)s days."
    ),
    "msob_pending": N_("%(count)s military support requests (MSOB) await a decision."),
    "stock_below_norm": N_(
        "%(item)s: stock covers %(months)s months, below the norm of %(norm)s months."
    ),
    "module_not_ready": N_(
        "%(gaps)s mandatory modules are not ready in %(regions)s regions (%(region_codes)s)."
    ),
}


@dataclass(frozen=True, slots=True)
class ShownFigure:
    key: str
    label: str
    text: str
    href: str | None
    pointer: str | None
    raw: Any
    flag: str | None = None


@dataclass(slots=True)
class ShownTable:
    key: str
    title: str
    columns: list[str]
    rows: list[list[ShownFigure]]


@dataclass(slots=True)
class ShownSection:
    key: str
    number: int
    title: str
    available: bool
    missing: str | None
    figures: list[ShownFigure] = field(default_factory=list)
    tables: list[ShownTable] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


_LEVEL_KEY = re.compile(
    r"^(ic|ward|elv_vvt)\.(covid|ontlabeld|staffed|occupancy)\.(now|week_before)$"
)


class View:
    """Translate and format a :class:`Briefing` for one language."""

    def __init__(self, doc: Briefing, fmt: Formatter) -> None:
        self.doc = doc
        self.fmt = fmt
        self._ = fmt.gettext

    # ---- single values ----------------------------------------------------------------
    def value(self, fig: Figure) -> str:
        v = fig.value
        if fig.unit == "share":
            return self.fmt.share(v if isinstance(v, int | float) else None)
        if fig.unit == "phase" and v == "unknown":
            return self._(STATUS_LABELS["unknown"])
        if fig.unit == "status":
            return self._(STATUS_LABELS.get(str(v), str(v)))
        if fig.unit == "state":
            return self._(STATE_LABELS.get(str(v), str(v)))
        if isinstance(v, int | float):
            return self.fmt.number(v, 1 if fig.unit in ("months", "hours", "bed_days") else 0)
        return "–" if v is None else str(v)

    def label(self, key: str) -> str:
        match = _LEVEL_KEY.match(key)
        if match:
            level = self._(LEVEL_NAMES[match.group(1)])
            return self._(FIGURE_LABELS["{level}." + match.group(2) + "." + match.group(3)]) % {
                "level": level
            }
        if key in FIGURE_LABELS:
            return self._(FIGURE_LABELS[key])
        return key

    def shown(self, fig: Figure, flag: str | None = None) -> ShownFigure:
        return ShownFigure(
            key=fig.key,
            label=self.label(fig.key),
            text=self.value(fig),
            href=fig.source.path if fig.source else None,
            pointer=fig.source.pointer if fig.source else None,
            raw=fig.value,
            flag=flag,
        )

    def note(self, note: Note) -> str:
        params = dict(note.params)
        if "level" in params:
            params["level"] = self._(LEVEL_NAMES.get(str(params["level"]), str(params["level"])))
        if "count" in params and isinstance(params["count"], int | float):
            params["count"] = self.fmt.number(params["count"])
        if "as_of" in params and params["as_of"]:
            params["as_of"] = self.fmt.moment(str(params["as_of"]))
        return self._(NOTES.get(note.message, note.message)) % params

    def decision(self, decision: Decision) -> str:
        params = dict(decision.params)
        if "target" in params:
            params["target"] = self._(LEVEL_NAMES.get(str(params["target"]), ""))
        if "label" in params:
            params["label"] = self.capacity_label(str(params["label"]))
        return self._(DECISIONS[decision.kind]) % params

    def data(self, text: str) -> str:
        """A sentence of a data file (e.g. a vaccination group): the pages' catalog has it."""
        with page_language(self.fmt.lang):
            return translate(text)

    def plan_beds(self) -> dict[str, str]:
        """The plan's bed counts, from data/public_figures.json (no literal figures here)."""
        figures = public_figures()
        return {
            name: self.fmt.number(getattr(figures, name).value)
            for name in ("ic_beds_normal", "ic_beds_scale_up", "ward_covid_beds_2b")
        }

    def capacity_label(self, label: str) -> str:
        """The forecast's English check label, in the note's language (matched on its kind)."""
        if label.startswith("LNAZ scale-up plan"):
            return self._("LNAZ scale-up plan of %(ic_beds_scale_up)s IC beds") % self.plan_beds()
        if label.startswith("phase 2B plan"):
            return self._("phase 2B plan of %(ward_covid_beds_2b)s clinical COVID beds") % (
                self.plan_beds()
            )
        return label

    # ---- sections ---------------------------------------------------------------------
    def table(self, table: Table) -> ShownTable:
        rows = []
        for row in table.rows:
            shown = []
            for cell in row:
                if cell.figure is not None:
                    shown.append(self.shown(cell.figure, cell.flag))
                else:
                    text = cell.label or ""
                    if text in CELL_LABELS:
                        text = self._(CELL_LABELS[text]) % self.plan_beds()
                    else:
                        text = self.data(text)
                    shown.append(ShownFigure("", "", text, None, None, text, cell.flag))
            rows.append(shown)
        columns = [self._(COLUMN_LABELS[c]) if c in COLUMN_LABELS else c for c in table.columns]
        return ShownTable(table.key, self._(TABLE_TITLES.get(table.key, table.key)), columns, rows)

    def section(self, number: int, section: Section) -> ShownSection:
        return ShownSection(
            key=section.key,
            number=number,
            title=self._(SECTION_TITLES.get(section.key, section.key)),
            available=section.available,
            missing=None if section.missing is None else self._(NOTES[section.missing]),
            figures=[self.shown(f) for f in section.figures],
            tables=[self.table(t) for t in section.tables],
            notes=[self.note(n) for n in section.notes],
        )

    def sections(self) -> list[ShownSection]:
        return [self.section(i + 1, s) for i, s in enumerate(self.doc.sections)]

    def key_figures(self) -> list[dict[str, Any]]:
        """Now / a week earlier / forecasts for IC and clinical: the note's first table."""
        summary = self.doc.section("summary")
        by_key = {f.key: f for f in summary.figures}
        rows = []
        for level in ("ic", "ward"):

            def get(key: str, by: dict[str, Figure] = by_key) -> ShownFigure | None:
                return self.shown(by[key]) if key in by else None

            rows.append(
                {
                    "level": self._(LEVEL_NAMES[level]),
                    "now": get(f"{level}.covid.now"),
                    "before": get(f"{level}.covid.week_before"),
                    "change": self._change(by_key, level),
                    "f7": [get(f"{level}.forecast.7d.{q}") for q in ("median", "q05", "q95")],
                    "f14": [get(f"{level}.forecast.14d.{q}") for q in ("median", "q05", "q95")],
                    "staffed": get(f"{level}.staffed.now"),
                }
            )
        return rows

    def _change(self, by_key: dict[str, Figure], level: str) -> str:
        now, before = by_key.get(f"{level}.covid.now"), by_key.get(f"{level}.covid.week_before")
        if now is None or before is None:
            return "–"
        if not isinstance(now.value, int | float) or not isinstance(before.value, int | float):
            return "–"
        delta = float(now.value) - float(before.value)
        sign = "+" if delta > 0 else ""
        pct = f" ({sign}{self.fmt.number(100 * delta / before.value, 0)} %)" if before.value else ""
        return f"{sign}{self.fmt.number(delta)}{pct}"

    def changes(self, changes: list[Change]) -> list[dict[str, str]]:
        out = []
        for c in changes:
            fig_before = Figure(c.key, c.before, c.unit)
            fig_after = Figure(c.key, c.after, c.unit)
            delta = c.delta
            out.append(
                {
                    "label": self.label(c.key),
                    "before": self.value(fig_before),
                    "after": self.value(fig_after),
                    "delta": "" if delta is None or c.unit == "share" else
                    (("+" if delta > 0 else "") + self.fmt.number(delta)),
                }
            )  # fmt: skip
        return out

    def text(self) -> Callable[[str], str]:
        return self._
