"""Roles and scopes: who may read and write what (pure rules, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    VIEWER = "viewer"
    REPORTER = "reporter"  # writes reports for its own locations only
    REGIONAL_COORDINATOR = "regional_coordinator"  # its own region
    NATIONAL_COORDINATOR = "national_coordinator"  # everything, manages access
    # help requests and the chain (issue 14, docs/requests.md)
    SAFETY_REGION_CHAIR = "safety_region_chair"  # region_code holds the safety region (VRnn)
    LOTC = "lotc"  # national crisis coordination (LOT-C / LOCC): takes MSOB requests in
    DEFENCE = "defence"  # fact-finding and its part of the joint MSOB decision
    UMBRELLA_BODY = "umbrella_body"  # ActiZ / ZN: classify bottleneck signals
    STOCK_OFFICE = "stock_office"  # Bureau LCH (CIBG) and the LCG: IC stockpiles
    # care at home (issue 10): patient-level data stays with the team or practice that holds it
    CONTROL_CENTRE_NURSE = "control_centre_nurse"  # its teams (location_codes) only
    GP = "gp"  # its practices (location_codes) only


@dataclass(frozen=True, slots=True)
class Principal:
    username: str
    role: Role
    region_code: str | None = None
    location_codes: frozenset[str] = field(default_factory=frozenset)


def can_report_for(principal: Principal, *, location_code: str, region_code: str) -> bool:
    if principal.role is Role.NATIONAL_COORDINATOR:
        return True
    if principal.role is Role.REGIONAL_COORDINATOR:
        return principal.region_code == region_code
    if principal.role is Role.REPORTER:
        return location_code in principal.location_codes
    return False


def can_declare_status(principal: Principal, *, region_code: str) -> bool:
    if principal.role is Role.NATIONAL_COORDINATOR:
        return True
    return principal.role is Role.REGIONAL_COORDINATOR and principal.region_code == region_code


def can_read_details(principal: Principal) -> bool:
    """Non-public reads (rejections, audit log, report versions with their authors)."""
    return principal.role in (Role.REGIONAL_COORDINATOR, Role.NATIONAL_COORDINATOR)


def can_manage_access(principal: Principal) -> bool:
    return principal.role is Role.NATIONAL_COORDINATOR


#: Transfer moves the receiving region makes (offer a bed, accept, decline) and those the
#: sending region makes (the patient leaves, arrives). Either side may cancel.
RECEIVER_MOVES = frozenset({"offered", "accepted", "requested", "cancelled"})
SENDER_MOVES = frozenset({"in_transport", "arrived", "cancelled"})


def can_plan_spreading(principal: Principal) -> bool:
    """Plans cover every region, so only the national level (LCPS) makes them."""
    return principal.role is Role.NATIONAL_COORDINATOR


def can_offer_beds(principal: Principal, *, region_code: str) -> bool:
    """A region offers its own free beds; the national coordinator may for any region."""
    return can_declare_status(principal, region_code=region_code)


def can_move_transfer(principal: Principal, *, to_state: str, from_area: str, to_area: str) -> bool:
    """The receiver decides on beds, the sender on the road; national may do all."""
    if principal.role is Role.NATIONAL_COORDINATOR:
        return True
    if principal.role is not Role.REGIONAL_COORDINATOR:
        return False
    receiver = principal.region_code == to_area and to_state in RECEIVER_MOVES
    sender = principal.region_code == from_area and to_state in SENDER_MOVES
    return receiver or sender


# ---- help requests and the chain (issue 14, docs/requests.md) -----------------------------

#: Roles that handle the national rungs and may read every request in detail.
NATIONAL_DESK = frozenset({Role.NATIONAL_COORDINATOR, Role.LOTC, Role.DEFENCE})


def can_file_request(principal: Principal, *, location_code: str, region_code: str) -> bool:
    """The location's own reporter files; its region (DPG) or national may file for it."""
    return can_report_for(principal, location_code=location_code, region_code=region_code)


def can_handle_regionally(principal: Principal, *, region_code: str) -> bool:
    """Rung 1 and 2 answers, escalation, deployments: the region's coordinator (or DPG)."""
    return can_declare_status(principal, region_code=region_code)


def can_sign_msob(principal: Principal, *, safety_region_code: str) -> bool:
    """Only the chair of the location's safety region signs a military support request."""
    return (
        principal.role is Role.SAFETY_REGION_CHAIR
        and bool(safety_region_code)
        and principal.region_code == safety_region_code
    )


def can_take_msob_step(principal: Principal, *, step: str, party: str | None = None) -> bool:
    """LOT-C takes in and records VWS's and GGD-GHOR/LOCC's decision; Defence runs the
    fact-finding and records its own decision."""
    if step == "intake":
        return principal.role is Role.LOTC
    if step == "fact_finding":
        return principal.role is Role.DEFENCE
    if step == "vote":
        if party == "defence":
            return principal.role is Role.DEFENCE
        return principal.role is Role.LOTC
    return False


def can_read_request(principal: Principal | None, *, location_code: str, region_code: str,
                     safety_region_code: str = "") -> bool:  # fmt: skip
    """Details (reasons, people) for those involved; everybody else sees aggregates."""
    if principal is None:
        return False
    if principal.role in NATIONAL_DESK:
        return True
    if principal.role is Role.SAFETY_REGION_CHAIR:
        return principal.region_code == safety_region_code
    return can_report_for(principal, location_code=location_code, region_code=region_code)


def can_file_signal(principal: Principal, *, region_code: str, location_code: str = "") -> bool:
    """A provider (its reporter) or the region files a bottleneck signal."""
    if location_code:
        return can_report_for(principal, location_code=location_code, region_code=region_code)
    return can_declare_status(principal, region_code=region_code)


def can_classify_signal(principal: Principal) -> bool:
    """ActiZ and ZN judge a signal: recognisable, general or specific; and act."""
    return principal.role is Role.UMBRELLA_BODY


def can_order_elv(principal: Principal, *, region_code: str) -> bool:
    return can_declare_status(principal, region_code=region_code)


def can_manage_stock(principal: Principal) -> bool:
    """The stock office assesses ventilator applications and keeps the CCV figures."""
    return principal.role in (Role.STOCK_OFFICE, Role.NATIONAL_COORDINATOR)
# ---- care at home (issue 10) -------------------------------------------------------------


def can_handle_home_patient(principal: Principal, *, team_code: str) -> bool:
    """Patient-level home monitoring (read, enrol, measure, acknowledge): the team's nurses."""
    return principal.role is Role.CONTROL_CENTRE_NURSE and team_code in principal.location_codes


def can_read_practice_list(principal: Principal, *, practice_code: str) -> bool:
    """A GP practice's risk list never leaves the practice's role."""
    return principal.role is Role.GP and practice_code in principal.location_codes


# ---- hardening (issue 8) -------------------------------------------------------------


def detail_scope(principal: Principal) -> str | None:
    """The region a coordinator's detail reads (audit, rejections) are limited to.

    None means everything (national); a regional coordinator sees its own region only.
    """
    if principal.role is Role.NATIONAL_COORDINATOR:
        return None
    return principal.region_code or "\x00none"


def token_conflict(
    holder: Principal, *, role: Role, region_code: str | None, location_codes: frozenset[str]
) -> str | None:
    """A token carries its user's rights, so a request must name exactly those rights.

    Asking a "viewer" token for a national coordinator's account would hand out national
    rights under a viewer label (issue 8, item 4): refused, with what the account holds.
    """
    same = holder.role is role
    if same and role is Role.REGIONAL_COORDINATOR:
        same = holder.region_code == region_code
    if same and role is Role.REPORTER:
        same = holder.location_codes == location_codes
    if same:
        return None
    return (
        f"user '{holder.username}' exists as {holder.role.value}"
        + (f" of {holder.region_code}" if holder.region_code else "")
        + "; a token carries its user's rights: ask with exactly those, or use a new username"
    )
