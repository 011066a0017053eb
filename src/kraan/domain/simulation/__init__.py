"""What-if simulation of the care chain (issue 9): pure numpy, no I/O.

``params`` (defaults as data), ``stays`` (length of stay), ``inputs`` (arrivals),
``engine`` (the patient-flow model), ``modules`` (plugins), ``planned`` (U3..U5),
``ensemble`` (members, seeds, the JSON contract) and ``scenario`` (the scenario file).
"""
