"""Words for internal codes: a page never shows a code such as ``no_critical_planned``.

Terms follow the seeds (fase, ontlabeld, kliniek, IC, ROAZ, LCPS) and
``docs/glossary.md``. The strings are msgids, translated at render time.
"""

from __future__ import annotations

from kraan.web.i18n import N_
from kraan.web.i18n import gettext as _

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
