"""ROAZ region shapes: the TopoJSON merge of their municipalities, for all 11 regions."""

from __future__ import annotations

import numpy as np
import pytest

from kraan.ingest.reference import TOPOLOGY, load_reference
from kraan.ingest.topology import Topology, load_topology, merge_rings, ring_coords
from kraan.settings import get_settings

RAW = get_settings().raw_data_dir
pytestmark = pytest.mark.skipif(not (RAW / TOPOLOGY).is_file(), reason="geography not found")


@pytest.fixture(scope="module")
def topology() -> Topology:
    return load_topology(RAW / TOPOLOGY)


@pytest.fixture(scope="module")
def reference():
    return load_reference(RAW)


def _signed_area(xy: np.ndarray) -> float:
    x, y = xy[:, 0], xy[:, 1]
    return float((x * np.roll(y, -1) - np.roll(x, -1) * y).sum() / 2)


def test_every_municipality_has_a_shape(topology, reference) -> None:
    shapes = topology.municipalities()
    assert {m.code for m in reference.municipalities} <= set(shapes)


def test_all_eleven_regions_have_a_closed_shape_of_the_same_area(topology, reference) -> None:
    shapes = topology.municipalities()
    for region in reference.regions:
        members = [shapes[code] for code in region.municipalities]
        rings = merge_rings(topology, members)
        assert rings, region.code
        member_rings = [r for f in members for poly in f.polygons for r in poly]
        assert len(rings) < len(member_rings)  # borders between municipalities are gone
        for ring in rings:
            xy = ring_coords(topology, ring)
            assert np.array_equal(xy[0], xy[-1]), (region.code, ring)  # closed
        # Shared borders run both ways and cancel: the union has the members' total area.
        merged = sum(_signed_area(ring_coords(topology, r)) for r in rings)
        total = sum(_signed_area(ring_coords(topology, r)) for r in member_rings)
        assert merged == pytest.approx(total, rel=1e-9)


def test_merging_one_feature_keeps_its_rings(topology) -> None:
    vr08 = topology.safety_regions()["VR08"]
    rings = merge_rings(topology, [vr08])
    assert sorted(map(sorted, rings)) == sorted(sorted(r) for poly in vr08.polygons for r in poly)
