"""Comparing two weeks figure by figure."""

from __future__ import annotations

from kraan.domain.briefing.compare import compare
from kraan.domain.briefing.model import Briefing, Cell, Figure, Section, Table


def doc(ic: int, phase: str, extra: bool = False) -> Briefing:
    figures = (Figure("ic.covid.now", ic, "patients"), Figure("phase.now", phase, "phase"))
    table = Table("t", ("region", "x"), ((Cell(label="R1"), Cell(figure=Figure("r1", 3))),))
    sections = (Section("summary", True, figures, (table,)),)
    if extra:
        sections += (Section("stock", True, (Figure("stock.months", 4.5, "months"),)),)
    return Briefing("2020-12-21T23:59:59", None, "2026-01-01T00:00:00", "x", sections, ())


def test_only_changed_figures_with_their_delta() -> None:
    changes = compare(doc(503, "2C"), doc(586, "2C", extra=True))
    by_key = {c.key: c for c in changes}
    assert set(by_key) == {"ic.covid.now", "stock.months"}
    assert by_key["ic.covid.now"].delta == 83
    assert by_key["stock.months"].before is None


def test_text_changes_have_no_delta_and_gone_figures_are_listed() -> None:
    changes = compare(doc(500, "2B", extra=True), doc(500, "2C"))
    by_key = {c.key: c for c in changes}
    assert by_key["phase.now"].delta is None and by_key["phase.now"].after == "2C"
    assert by_key["stock.months"].after is None
