"""Care at home and prevention (issue 10): use cases joining the store and the domain.

For other features:

- :func:`module1_parameters` (the simulation's module 1: bed-days saved per patient and
  the readmission rate, per region and nationally);
- :func:`briefing_summary` (the weekly briefing: aggregates only, no patient-level data).
"""

from kraan.services.care_at_home.aggregates import (
    briefing_summary,
    module1_parameters,
    regional_summary,
)

__all__ = ["briefing_summary", "module1_parameters", "regional_summary"]
