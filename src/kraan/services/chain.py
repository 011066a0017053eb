"""Signals, ELV scale-up orders and the IC stockpiles for the API, pages and briefing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection


def briefing_figures(conn: Connection, as_of: datetime) -> dict[str, Any]:
    """Open signals by classification, ELV per region, medicines below norm, ventilators."""
    return {}
