"""Care at home and prevention (issue 10): pure rules, no I/O.

- :mod:`.vaccination` and its solvers (:mod:`.vaccination_greedy`, :mod:`.vaccination_lp`):
  the priority order, group sizes, a delivery-driven schedule and what-ifs;
- :mod:`.triage`: the home-monitoring protocol (bands, alerts, missed measurements);
- :mod:`.risk_score`: the GP early-warning points score;
- :mod:`.bed_days`: bed-days saved and the simulation's module-1 parameters.
"""
