"""Reference tables: 11 ROAZ regions over 25 safety regions, municipalities, centroids."""

from __future__ import annotations

import pytest

from kraan.ingest.reference import ROAZ_TABLE, load_reference, load_roaz_table
from kraan.settings import get_settings

RAW = get_settings().raw_data_dir
pytestmark = pytest.mark.skipif(not RAW.is_dir(), reason="raw public data not found")

EXPECTED = {
    "AZNN": ("VR01", "VR02", "VR03"),
    "NAZZ": ("VR04", "VR25"),
    "AZE": ("VR05",),
    "NAZO": ("VR06", "VR07", "VR08"),
    "NAZMN": ("VR09",),
    "NAZNW": ("VR10", "VR12"),
    "SZN": ("VR11", "VR13", "VR14"),
    "NAZW": ("VR15", "VR16"),
    "TZWN": ("VR17", "VR18", "VR19"),
    "NAZB": ("VR20", "VR21", "VR22"),
    "NAZL": ("VR23", "VR24"),
}


@pytest.fixture(scope="module")
def reference():
    return load_reference(RAW)


def test_eleven_regions_with_the_agreed_mapping(reference):
    assert {r.code: r.safety_regions for r in reference.regions} == EXPECTED


def test_every_safety_region_mapped_exactly_once(reference):
    assert len(reference.safety_regions) == 25
    mapped = [vr for r in reference.regions for vr in r.safety_regions]
    expected = [f"VR{i:02d}" for i in range(1, 26)]
    assert sorted(mapped) == sorted(reference.safety_regions) == expected
    assert reference.safety_regions["VR05"] == "Twente"


def test_table_is_labelled_an_approximation():
    assert "APPROXIMATION" in ROAZ_TABLE.read_text(encoding="utf-8").splitlines()[0]
    rows = load_roaz_table()
    assert len(rows) == 25
    names = {r["safety_region_code"]: r["safety_region_name"] for r in rows}
    assert names["VR02"] == "Fryslân"


def test_duplicate_safety_region_is_rejected(tmp_path):
    extra = "VR01,Groningen,NAZZ,Netwerk Acute Zorg Zwolle\n"
    text = ROAZ_TABLE.read_text(encoding="utf-8") + extra
    path = tmp_path / "roaz.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="VR01"):
        load_roaz_table(path)


def test_municipalities_drop_placeholders_and_sum_to_regions(reference):
    codes = {m.code for m in reference.municipalities}
    assert len(reference.municipalities) == 352
    assert not codes & {"GM0000", "GM1980", "GM1982", "GM1991"}
    assert all(m.population > 1 for m in reference.municipalities)
    by_vr: dict[str, int] = {}
    for m in reference.municipalities:
        by_vr[m.safety_region_code] = by_vr.get(m.safety_region_code, 0) + m.population
    for region in reference.regions:
        assert region.population == sum(by_vr[vr] for vr in region.safety_regions)
    total = sum(r.population for r in reference.regions)
    assert 17_000_000 < total < 18_000_000


def test_centroids_lie_in_their_place(reference):
    for m in reference.municipalities:
        lat, lon = reference.centroids[m.code]
        assert 50.7 < lat < 53.6 and 3.3 < lon < 7.3, m
    lat, lon = reference.centroids["GM0363"]  # Amsterdam
    assert abs(lat - 52.37) < 0.05 and abs(lon - 4.90) < 0.1
    lat, lon = reference.centroids["GM0935"]  # Maastricht
    assert abs(lat - 50.85) < 0.05 and abs(lon - 5.69) < 0.1
