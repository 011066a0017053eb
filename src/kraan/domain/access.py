"""Roles and scopes: who may read and write what (pure rules, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    VIEWER = "viewer"
    REPORTER = "reporter"  # writes reports for its own locations only
    REGIONAL_COORDINATOR = "regional_coordinator"  # its own region
    NATIONAL_COORDINATOR = "national_coordinator"  # everything, manages access


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


def can_move_transfer(
    principal: Principal, *, to_state: str, from_area: str, to_area: str
) -> bool:
    """The receiver decides on beds, the sender on the road; national may do all."""
    if principal.role is Role.NATIONAL_COORDINATOR:
        return True
    if principal.role is not Role.REGIONAL_COORDINATOR:
        return False
    receiver = principal.region_code == to_area and to_state in RECEIVER_MOVES
    sender = principal.region_code == from_area and to_state in SENDER_MOVES
    return receiver or sender
