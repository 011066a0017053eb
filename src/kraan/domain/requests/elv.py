"""ELV scale-up orders: beds ordered from standby, due within 72 hours.

Source: the action plan (seed 002, item 3): ZN, ActiZ and GGD GHOR agreed a standby
("waakvlam") level "waarbij opschaling binnen 72 uur is gegarandeerd". The 72 h is the
setting ``elv_scale_up``; an order keeps the deadline it was given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from kraan.domain.requests.rules import RuleViolation


@dataclass(frozen=True, slots=True)
class ElvOrder:
    region_code: str
    beds: int
    ordered_at: datetime
    deadline: datetime


@dataclass(frozen=True, slots=True)
class BedsUp:
    location_code: str
    beds: int
    reported_at: datetime


@dataclass(frozen=True, slots=True)
class OrderStatus:
    ordered: int
    available: int
    overdue: int  # beds not up after the deadline
    due_in_hours: float | None  # None once the deadline passed


def new_order(region_code: str, beds: int, *, at: datetime, scale_up: timedelta) -> ElvOrder:
    if not 1 <= beds <= 2000:
        raise RuleViolation("elv_order_beds", "order from 1 to 2,000 beds", "beds")
    return ElvOrder(region_code, beds, at, at + scale_up)


def check_report(order: ElvOrder, reported: list[BedsUp], new: BedsUp) -> None:
    """Beds come up one report at a time, never more than the order asked for."""
    if new.beds < 1:
        raise RuleViolation("elv_report_beds", "report at least one bed", "beds")
    if new.reported_at < order.ordered_at:
        raise RuleViolation("elv_report_time", "the beds came up before the order", "at")
    up = sum(r.beds for r in reported)
    if up + new.beds > order.beds:
        raise RuleViolation(
            "elv_beds_above_order",
            f"{up} of {order.beds} beds are up already; {new.beds} more is above the order",
            "beds",
        )


def status(order: ElvOrder, reported: list[BedsUp], *, as_of: datetime) -> OrderStatus:
    up = min(order.beds, sum(r.beds for r in reported if r.reported_at <= as_of))
    late = as_of > order.deadline
    due = None if late else round((order.deadline - as_of).total_seconds() / 3600, 1)
    return OrderStatus(order.beds, up, order.beds - up if late else 0, due)
