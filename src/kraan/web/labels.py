"""Words for internal codes: a page never shows a code such as ``no_critical_planned``.

Terms follow the seeds (fase, ontlabeld, kliniek, IC, ROAZ, LCPS) and
``docs/glossary.md``. The strings are msgids, translated at render time.
"""

from __future__ import annotations

from datetime import datetime

from kraan.web.i18n import N_, fmt_datetime
from kraan.web.i18n import gettext as _
from kraan.web.words import field_word, word

STATUS = {
    "unknown": N_("unknown"),
    "normal": N_("normal"),
    "under_pressure": N_("under pressure"),
    "no_critical_planned": N_("cannot guarantee critical planned care"),
    "no_acute": N_("cannot guarantee (semi-)acute care"),
}
STATUS_SHORT = {
    "unknown": N_("unknown"),
    "normal": N_("normal"),
    "under_pressure": N_("under pressure"),
    "no_critical_planned": N_("planned care at risk"),
    "no_acute": N_("acute care at risk"),
}
PROVENANCE = {
    "actual": N_("reported"),
    "imputed": N_("imputed"),
    "estimated": N_("estimated"),
    "synthetic": N_("synthetic"),
}
PROVENANCE_SHORT = {
    "actual": N_("rep."),
    "imputed": N_("imp."),
    "estimated": N_("est."),
    "synthetic": N_("syn."),
}
LEVEL = {
    "ic": N_("IC"),
    "ward": N_("ward (kliniek)"),
    "elv_vvt": N_("ELV/VVT"),
    "hfno": N_("HFNO"),
    "pacu": N_("PACU"),
}
LEVEL_STATUS = {
    "available": N_("available"),
    "limited": N_("limited"),
    "not_available": N_("not available"),
}
KIND = {
    "hospital": N_("hospital"),
    "vvt": N_("VVT/ELV provider"),
    "zbc": N_("ZBC"),
    "abroad": N_("abroad (DE)"),
}
ROLE = {
    "reporter": N_("reporter"),
    "regional_coordinator": N_("regional coordinator"),
    "national_coordinator": N_("national coordinator"),
    "viewer": N_("viewer"),
    "safety_region_chair": N_("chair of the safety region"),
    "lotc": N_("LOT-C"),
    "defence": N_("Defence"),
    "umbrella_body": N_("umbrella body (ActiZ / ZN)"),
    "stock_office": N_("stock office"),
    "control_centre_nurse": N_("control-centre nurse"),
    "gp": N_("GP"),
}


#: The chain outside the hospital, as the phase context cites it (domain.phases.CHAIN_NAMES).
CHAIN = {
    "elv_vvt": N_("VVT/ELV"),
    "grz": N_("GRZ"),
    "care_hotel": N_("care hotels"),
    "district_nursing": N_("district-nursing teams"),
    "gp_practice": N_("GP practices"),
    "gp_post": N_("GP posts"),
}


def _word(table: dict[str, str], code: object) -> str:
    key = str(getattr(code, "value", code))
    return _(table[key]) if key in table else key.replace("_", " ")


def status_label(code: object) -> str:
    return _word(STATUS, code)


def status_short(code: object) -> str:
    return _word(STATUS_SHORT, code)


def provenance_label(code: object, short: bool = False) -> str:
    return _word(PROVENANCE_SHORT if short else PROVENANCE, code)


def level_label(code: object) -> str:
    return _word(LEVEL, code)


def level_status_label(code: object) -> str:
    return _word(LEVEL_STATUS, code)


def kind_label(code: object) -> str:
    return _word(KIND, code)


def role_label(code: object) -> str:
    return _word(ROLE, code)


def chain_label(code: object, in_sentence: bool = False) -> str:
    """In a sentence, a capitalised word starts small ('Huisartsenposten' -> 'huisartsenposten');
    an abbreviation such as 'GP posts' or 'GRZ' keeps its capitals."""
    word = _word(CHAIN, code)
    if in_sentence and word[:1].isupper() and word[1:2].islower():
        return word[0].lower() + word[1:]
    return word


TRANSFER_STATE = {
    "requested": N_("requested"),
    "offered": N_("offered"),
    "accepted": N_("accepted"),
    "in_transport": N_("in transport"),
    "arrived": N_("arrived"),
    "cancelled": N_("cancelled"),
}


def transfer_state_label(code: object) -> str:
    return _word(TRANSFER_STATE, code)


AUDIT_ACTION = {
    "login.ok": N_("login"),
    "login.failed": N_("failed login"),
    "session.end": N_("logout"),
    "token.issue": N_("API token issued"),
    "user.create": N_("user created"),
    "user.reset_password": N_("password reset"),
    "user.disable": N_("user disabled"),
    "status.declare": N_("status declared"),
    "plan.create": N_("spreading plan stored"),
    "transfer.request": N_("transfer requested"),
    "offer.create": N_("beds offered"),
    "offer.withdraw": N_("offer withdrawn"),
    "report.bulk_load": N_("reports loaded"),
    "reference.load": N_("reference data loaded"),
    "location.create": N_("location created"),
    "help_request.create": N_("help requested"),
    "report.create": N_("report stored"),
    "report.correct": N_("report corrected"),
}
#: The subject of an action "subject.verb" not listed above; the verb goes through word().
AUDIT_SUBJECT = {
    "help_request": N_("help request"),
    "signal": N_("signal"),
    "elv_order": N_("ELV order"),
    "ccv": N_("CCV stock"),
    "ventilators": N_("ventilators"),
    "chain_report": N_("chain report"),
    "team": N_("home-monitoring team"),
    "practice": N_("GP practice"),
    "patient": N_("home patient"),
    "alert": N_("alert"),
    "intervention": N_("intervention"),
    "gp_patient": N_("GP patient"),
    "gp_action": N_("GP action"),
}
#: Verbs of those actions.
AUDIT_VERB = {
    "create": N_("created"),
    "answer": N_("answered"),
    "escalate": N_("escalated"),
    "sign": N_("signed"),
    "intake": N_("taken in"),
    "fact_finding": N_("fact-finding"),
    "vote": N_("decision"),
    "deploy": N_("deployment"),
    "reconfirm": N_("re-confirmed"),
    "withdraw": N_("withdrawn"),
    "close": N_("closed"),
    "file": N_("filed"),
    "classify": N_("classified"),
    "act": N_("acted on"),
    "beds_up": N_("beds up"),
    "record": N_("recorded"),
    "count": N_("counted"),
    "apply": N_("applied for"),
    "granted": N_("granted"),
    "partly": N_("partly granted"),
    "refused": N_("refused"),
    "ship": N_("shipped"),
    "bulk": N_("loaded"),
    "save": N_("stored"),
    "upsert": N_("stored"),
    "enrol": N_("enrolled"),
    "sign_off": N_("signed off"),
    "raise": N_("raised"),
    "acknowledge": N_("acknowledged"),
    "add": N_("recorded"),
}
AUDIT_ENTITY = {
    "session": N_("session"),
    "token": N_("token"),
    "user": N_("user"),
    "region_status": N_("region status"),
    "transfer_plan": N_("spreading plan"),
    "transfer": N_("transfer"),
    "bed_offer": N_("bed offer"),
    "report": N_("report"),
    "location": N_("location"),
    "reference": N_("reference data"),
    "help_request": N_("help request"),
    "help_deployment": N_("deployment"),
    "bottleneck_signal": N_("signal"),
    "elv_order": N_("ELV order"),
    "ccv_medicine": N_("CCV medicine"),
    "ventilator_pool": N_("ventilator stock"),
    "ventilator_application": N_("ventilator request"),
    "chain_report": N_("chain report"),
    "home_team": N_("home-monitoring team"),
    "gp_practice": N_("GP practice"),
    "home_patient": N_("home patient"),
    "home_alert": N_("alert"),
    "gp_patient": N_("GP patient"),
}


def _humane(code: str) -> str:
    return code.replace(".", " · ").replace("_", " ")


def audit_action_label(code: str) -> str:
    if code in AUDIT_ACTION:
        return _(AUDIT_ACTION[code])
    subject, _dot, verb = code.partition(".")
    if subject in AUDIT_SUBJECT and verb in AUDIT_VERB:
        return f"{_(AUDIT_SUBJECT[subject])} · {_(AUDIT_VERB[verb])}"
    return _humane(code)


def audit_entity_label(code: str) -> str:
    return _(AUDIT_ENTITY[code]) if code in AUDIT_ENTITY else _humane(code)


def audit_value(key: str, value: object) -> str:
    """A before/after value in words: roles, statuses and states by their names."""
    if value is None or value == [] or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(audit_value(key, item) for item in value)
    if isinstance(value, dict):  # e.g. people asked for per kind of worker
        return ", ".join(f"{field_word(k)} {audit_value(k, v)}" for k, v in value.items())
    if key == "role":
        return role_label(value)
    if key == "status":
        return status_label(value)
    if key in ("state", "to_state", "from_state"):
        return transfer_state_label(value) if str(value) in TRANSFER_STATE else word(value)
    if key == "care_level":
        return level_label(value)
    text = str(value)
    if len(text) >= 16 and text[10:11] in ("T", " ") and text[:4].isdigit():
        try:  # a moment: Europe/Amsterdam with its zone, as every time on a page
            return fmt_datetime(datetime.fromisoformat(text))
        except ValueError:
            pass
    return word(text) if text.replace("_", "").isalpha() else text
