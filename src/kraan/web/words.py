"""Words for the codes of the chain, requests, care-at-home, vaccination and audit pages.

A page never shows a code such as ``cannot_fill`` or ``oximeter_given``: templates call
``word(code)``. The strings are msgids (Dutch in the catalog, docs/i18n.md); terms follow
``docs/glossary.md``. A code missing here is shown with its underscores replaced, and
``tests/e2e/test_browser_ux.py`` fails on any snake_case word left on a page.
"""

from __future__ import annotations

from kraan.web.i18n import N_
from kraan.web.i18n import gettext as _

WORDS = {
    # help requests: states, answers, who was asked, MSOB parties, rungs
    "asked": N_("asked"),
    "signed": N_("signed"),
    "intake": N_("taken in by LOT-C"),
    "fact_finding": N_("fact-finding"),
    "answered": N_("answered"),
    "closed": N_("closed"),
    "withdrawn": N_("withdrawn"),
    "filled": N_("filled"),
    "partly": N_("partly"),
    "cannot_fill": N_("cannot fill"),
    "other_providers": N_("other care providers"),
    "care_office_insurer": N_("care office / insurer"),
    "roaz": N_("ROAZ"),
    "dpg": N_("DPG"),
    "red_cross": N_("Red Cross"),
    "extra_handen": N_("Extra Handen voor de Zorg"),
    "zorgreserve": N_("Nationale Zorgreserve"),
    "defence": N_("Defence"),
    "vws": N_("VWS"),
    "ggd_ghor_locc": N_("GGD-GHOR/LOCC"),
    "rung_region": N_("region"),
    "rung_national": N_("national"),
    "rung_msob": N_("Defence (MSOB)"),
    # signals and the chain outside the hospital
    "filed": N_("filed"),
    "escalated": N_("escalated"),
    "classified": N_("classified"),
    "acted": N_("acted on"),
    "file": N_("file"),
    "escalate": N_("escalate"),
    "classify": N_("classify"),
    "act": N_("act"),
    "close": N_("close"),
    "actiz": N_("ActiZ"),
    "zn": N_("ZN"),
    "recognisable": N_("recognisable"),
    "general": N_("general"),
    "specific": N_("specific"),
    "elv": N_("ELV"),
    "grz": N_("GRZ"),
    "vvt": N_("VVT"),
    "home_care": N_("home care"),
    "gp": N_("GP"),
    "care_hotel": N_("care hotel"),
    "district_nursing": N_("district nursing"),
    "gp_practice": N_("GP practice"),
    "gp_post": N_("GP post"),
    "normal": N_("normal"),
    "under_pressure": N_("under pressure"),
    "no_new_patients": N_("cannot take new patients"),
    # stock: ventilator requests and decisions
    "requested": N_("requested"),
    "granted": N_("granted"),
    "refused": N_("refused"),
    "shipped": N_("shipped"),
    "ship": N_("ship"),
    "applied": N_("applied for"),
    "assess": N_("assess"),
    "apply": N_("apply"),
    "medicine": N_("figures"),
    "pool": N_("stock count"),
    "decide": N_("decide"),
    # home monitoring
    "pre_clinical": N_("pre-clinical"),
    "post_clinical": N_("post-clinical"),
    "control_centre": N_("control centre"),
    "active": N_("active"),
    "signed_off": N_("signed off"),
    "recovered": N_("recovered"),
    "readmitted": N_("readmitted"),
    "died": N_("died"),
    "red": N_("red"),
    "amber": N_("amber"),
    "green": N_("green"),
    "missed": N_("missed measurement"),
    "open": N_("open"),
    "acknowledged": N_("acknowledged"),
    "device": N_("device"),
    "manual": N_("by hand"),
    "form": N_("form"),
    "measured": N_("measured"),
    "assumed": N_("assumed"),
    "call": N_("call"),
    "video_call": N_("video call"),
    "home_visit": N_("home visit"),
    "oxygen_changed": N_("oxygen changed"),
    "medication": N_("medication"),
    "advice": N_("advice"),
    "gp_referral": N_("referred to the GP"),
    "ed_referral": N_("referred to the ED"),
    "admission": N_("admission"),
    "other": N_("other"),
    "ward": N_("ward (kliniek)"),
    "ed": N_("emergency department"),
    "spo2": N_("SpO2"),
    "resp_rate": N_("breathing rate"),
    "heart_rate": N_("heart rate"),
    "temperature": N_("temperature"),
    "o2_flow": N_("O2 flow"),
    # GP early warning
    "called": N_("called"),
    "advised": N_("advised"),
    "oximeter_given": N_("pulse oximeter given"),
    "vaccination_offered": N_("vaccination offered"),
    "declined": N_("declined"),
    # vaccination
    "pfizer": N_("Pfizer/BioNTech"),
    "moderna": N_("Moderna"),
    "astrazeneca": N_("AstraZeneca"),
    "janssen": N_("Janssen"),
    "lp": N_("LP"),
    "greedy": N_("greedy"),
    "first_dose_start": N_("first dose start"),
    "first_dose_half": N_("first dose half"),
    "first_dose_done": N_("first dose done"),
    "fully_vaccinated": N_("fully vaccinated"),
    "invited": N_("invited"),
}

#: The before/after fields of audit rows.
FIELDS = {
    "role": N_("role"),
    "region_code": N_("region"),
    "location_codes": N_("locations"),
    "location_code": N_("location"),
    "source": N_("source"),
    "status": N_("status"),
    "state": N_("state"),
    "action": N_("action"),
    "practice": N_("practice"),
    "points": N_("points"),
    "listed": N_("on the list"),
    "note": N_("note"),
    "reason": N_("reason"),
    "beds": N_("beds"),
    "label": N_("label"),
    "valid_from": N_("valid from"),
    "answer": N_("answer"),
    "asked": N_("asked"),
    "rung": N_("rung"),
    "kind": N_("kind"),
    "count": N_("count"),
    "party": N_("party"),
    "approve": N_("approved"),
    "team": N_("team"),
    "pathway": N_("pathway"),
    "outcome": N_("outcome"),
    "patients": N_("patients"),
    "transfers": N_("transfers"),
    "reports": N_("reports"),
    "stale_override": N_("stale data overridden"),
}


def word(code: object) -> str:
    """A code in words, in the page's language (unknown codes: underscores as spaces)."""
    key = str(getattr(code, "value", code))
    return _(WORDS[key]) if key in WORDS else key.replace("_", " ")


def field_word(code: str) -> str:
    """An audit before/after field in words."""
    return _(FIELDS[code]) if code in FIELDS else code.replace("_", " ")
