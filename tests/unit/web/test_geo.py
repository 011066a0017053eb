"""The bundled TopoJSON decodes into a map of the 25 safety regions, grouped as asked."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kraan.ingest.reference import load_reference
from kraan.settings import get_settings
from kraan.web.geo import (
    Topology,
    load_topology,
    region_groups,
    region_map_svg,
    region_outlines,
    region_paths,
    safety_region_centroids,
)

NS = {"svg": "http://www.w3.org/2000/svg"}
WIDTH, HEIGHT = 420, 500

#: A hand-made grouping of safety regions, 11 groups covering VR01..VR25 (the real ROAZ
#: regions are groups of municipalities: test_the_map_draws_the_real_regions).
GROUPS: dict[str, list[str]] = {
    "AZNN": ["VR01", "VR02", "VR03"],
    "EUREGIO": ["VR05", "VR06"],
    "ZWOLLE": ["VR04", "VR25"],
    "NOORDWEST": ["VR10", "VR11", "VR12"],
    "AMSTERDAM": ["VR13", "VR14"],
    "MIDDEN": ["VR07", "VR09"],
    "WEST": ["VR15", "VR16"],
    "ZUIDWEST": ["VR17", "VR18", "VR19"],
    "BRABANT": ["VR20", "VR21", "VR22"],
    "LIMBURG": ["VR23", "VR24"],
    "OOST": ["VR08"],
}


def _topo_path() -> Path:
    return get_settings().raw_data_dir / "geo" / "geography-simplified.topo.json"


@pytest.fixture(scope="module")
def topology() -> Topology:
    path = _topo_path()
    if not path.is_file():
        pytest.skip(f"bundled geography not found at {path}")
    return load_topology(path)


def _coords(d: str) -> list[tuple[float, float]]:
    numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)]
    return list(zip(numbers[0::2], numbers[1::2], strict=True))


def test_decodes_25_safety_regions(topology: Topology) -> None:
    regions = topology.safety_regions()
    assert sorted(regions) == [f"VR{i:02d}" for i in range(1, 26)]
    assert regions["VR13"].properties["vrname"] == "Amsterdam-Amstelland"


def test_topology_is_cached(topology: Topology) -> None:
    assert load_topology(_topo_path()) is topology


def test_eleven_groups_give_eleven_paths_inside_the_box(topology: Topology) -> None:
    assert sorted(c for codes in GROUPS.values() for c in codes) == [
        f"VR{i:02d}" for i in range(1, 26)
    ]
    paths = region_paths(topology, GROUPS, width=WIDTH, height=HEIGHT)
    assert set(paths) == set(GROUPS)
    everything: list[tuple[float, float]] = []
    for d in paths.values():
        assert d.startswith("M") and d.endswith("Z")
        points = _coords(d)
        assert len(points) > 20
        everything.extend(points)
    assert all(0 <= x <= WIDTH and 0 <= y <= HEIGHT for x, y in everything)
    xs = [x for x, _ in everything]
    ys = [y for _, y in everything]
    # fitted: the country fills the box along one axis (minus padding)
    assert max(max(xs) - min(xs), (max(ys) - min(ys)) * WIDTH / HEIGHT) > 0.9 * WIDTH


def test_north_is_up_and_west_is_left(topology: Topology) -> None:
    paths = region_paths(topology, {"N": ["VR01"], "S": ["VR24"], "W": ["VR19"]})

    def mean(d: str, axis: int) -> float:
        pts = _coords(d)
        return sum(p[axis] for p in pts) / len(pts)

    assert mean(paths["N"], 1) < mean(paths["S"], 1)
    assert mean(paths["W"], 0) < mean(paths["N"], 0)


def test_outlines_leave_out_internal_borders(topology: Topology) -> None:
    outlines = region_outlines(topology, GROUPS)
    paths = region_paths(topology, GROUPS)
    assert set(outlines) == set(GROUPS)
    for code in GROUPS:
        assert outlines[code]
        assert len(_coords(outlines[code])) <= len(_coords(paths[code]))
    single = region_outlines(topology, {"OOST": ["VR08"]})["OOST"]
    assert len(_coords(single)) >= 0.9 * len(_coords(paths["OOST"]))


def test_unknown_code_is_refused(topology: Topology) -> None:
    with pytest.raises(ValueError):
        region_paths(topology, {"X": ["VR99"]})


def test_map_svg_links_and_titles(topology: Topology) -> None:
    paths = region_paths(topology, GROUPS)
    statuses = {"AZNN": "under_pressure", "LIMBURG": "no_acute"}
    labels = {code: f"Netwerk {code.title()} & co" for code in GROUPS}
    links = {code: f"/regions/{code}?day=2020-11-01&x=1" for code in GROUPS}
    markup = region_map_svg(
        paths,
        statuses=statuses,
        labels=labels,
        links=links,
        outlines=region_outlines(topology, GROUPS),
    )
    root = ET.fromstring(markup)
    assert root.attrib["role"] == "group"  # it holds links: not an image (axe)
    anchors = root.findall(".//svg:a", NS)
    assert len(anchors) == 11
    by_region = {}
    for a in anchors:
        path = a.find("svg:path", NS)
        assert path is not None
        by_region[path.attrib["data-region"]] = (a, path)
    a, path = by_region["AZNN"]
    assert a.attrib["href"] == "/regions/AZNN?day=2020-11-01&x=1"
    assert path.attrib["class"] == "status-under_pressure"
    title = path.find("svg:title", NS)
    assert title is not None and title.text == "Netwerk Aznn & co: under_pressure"
    assert by_region["LIMBURG"][1].attrib["class"] == "status-no_acute"
    assert by_region["MIDDEN"][1].attrib["class"] == "status-unknown"


def test_map_svg_without_link_and_with_status_labels() -> None:
    markup = region_map_svg(
        {"R": "M0,0 10,0 10,10 Z"},
        statuses={"R": "no_critical_planned"},
        labels={"R": "Region"},
        links={},
        status_labels={"no_critical_planned": "no critical planned care"},
    )
    root = ET.fromstring(markup)
    assert root.find(".//svg:a", NS) is None
    title = root.find(".//svg:path/svg:title", NS)
    assert title is not None and title.text == "Region: no critical planned care"


def test_centroids(topology: Topology) -> None:
    centroids = safety_region_centroids(topology)
    assert len(centroids) == 25
    lat, lon = centroids["VR13"]
    assert lat == pytest.approx(52.3, abs=0.3)
    assert lon == pytest.approx(4.9, abs=0.3)
    assert all(50.7 < la < 53.6 and 3.3 < lo < 7.3 for la, lo in centroids.values())
    assert centroids["VR01"][0] > centroids["VR24"][0]  # Groningen north of Limburg-Zuid


def test_the_map_draws_the_real_regions_from_municipalities(topology: Topology) -> None:
    reference = load_reference(get_settings().raw_data_dir)
    groups = dict(region_groups(reference.regions))
    assert list(groups) == [r.code for r in reference.regions]
    assert "GM0153" in groups["AZE"]  # Enschede: Twente is drawn in Acute Zorg Euregio
    paths = region_paths(topology, groups)
    assert set(paths) == set(groups) and all(d.startswith("M") for d in paths.values())
