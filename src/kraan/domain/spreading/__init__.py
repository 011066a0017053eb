"""Fair-share patient spreading: targets, a forecast-aware transfer plan (HiGHS), workflow.

Expert report (seed 001, "Landelijke spreiding"): spread COVID patients over the ROAZ
regions by a fair-share model so every region keeps equal access to care. The optimiser
sits behind :func:`kraan.domain.spreading.solve.solve_plan`; each constraint and penalty
is a named builder in :mod:`kraan.domain.spreading.builders`, switched by an option of
:class:`kraan.domain.spreading.model.SpreadSettings` (style.md item 5).
"""

from kraan.domain.spreading.model import Area, Plan, SpreadSettings, Transfer

__all__ = ["Area", "Plan", "SpreadSettings", "Transfer"]
