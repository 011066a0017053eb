"""Reference tables: 11 ROAZ regions made of municipalities, safety regions, centroids."""

from __future__ import annotations

from collections import defaultdict

import pytest

from kraan.domain.model import LocationKind
from kraan.ingest.reference import ROAZ_TABLE, load_reference, load_roaz_table
from kraan.ingest.roaz_mapping import MUNICIPALITY_ROAZ, load_municipality_roaz
from kraan.settings import get_settings

RAW = get_settings().raw_data_dir
pytestmark = pytest.mark.skipif(not RAW.is_dir(), reason="raw public data not found")

CODES = ("AZNN", "NAZZ", "AZE", "NAZO", "NAZMN", "NAZNW", "SZN", "NAZW", "TZWN", "NAZB", "NAZL")
ENSCHEDE, AMSTERDAM, MEPPEL = "GM0153", "GM0363", "GM0119"
ZAANSTAD, PURMEREND = "GM0479", "GM0439"


@pytest.fixture(scope="module")
def reference():
    return load_reference(RAW)


def test_eleven_regions_in_the_table_order(reference):
    assert tuple(r.code for r in reference.regions) == CODES
    assert reference.region("AZE").name == "Acute Zorg Euregio"
    rows = load_roaz_table()
    assert [r["roaz_code"] for r in rows] == list(CODES)
    assert "APPROXIMATION" not in ROAZ_TABLE.read_text(encoding="utf-8")


def test_every_municipality_is_in_exactly_one_of_the_eleven_regions(reference):
    table = load_municipality_roaz()
    assert len(reference.municipalities) == len(table) == 352
    members = [code for r in reference.regions for code in r.municipalities]
    assert len(members) == len(set(members)) == 352
    assert set(members) == set(table) == {m.code for m in reference.municipalities}
    for region in reference.regions:
        for code in region.municipalities:
            assert table[code].roaz_code == region.code
    assert {m.code: m.region_code for m in reference.municipalities} == {
        code: m.roaz_code for code, m in table.items()
    }


def test_twente_is_in_acute_zorg_euregio(reference):
    enschede = next(m for m in reference.municipalities if m.code == ENSCHEDE)
    assert (enschede.name, enschede.safety_region_code) == ("Enschede", "VR05")
    assert enschede.region_code == "AZE"
    assert ENSCHEDE in reference.region("AZE").municipalities
    twente = [m for m in reference.municipalities if m.safety_region_code == "VR05"]
    assert len(twente) == 14 and {m.region_code for m in twente} == {"AZE"}
    assert AMSTERDAM in reference.region("NAZNW").municipalities  # listed twice, counted once


def test_a_safety_region_spans_two_roaz_regions_by_municipality(reference):
    # Drenthe (VR03): Meppel is in the Zwolle network, Assen in Noord Nederland.
    assert "VR03" in reference.region("AZNN").safety_regions
    assert "VR03" in reference.region("NAZZ").safety_regions
    assert MEPPEL in reference.region("NAZZ").municipalities
    region_of = {m.code: m.region_code for m in reference.municipalities}
    regions_of_vr: dict[str, set[str]] = defaultdict(set)
    for loc in reference.locations:
        if loc.kind == LocationKind.ABROAD:
            continue
        assert loc.region_code == region_of[loc.municipality_code], loc
        regions_of_vr[loc.safety_region_code].add(loc.region_code)
    # Zaanstreek-Waterland (VR11): Zaanstad is in Noordwest, Purmerend in SpoedZorgNet, and
    # the (seeded) synthetic hospitals of both towns follow their municipality.
    assert regions_of_vr["VR11"] == {"NAZNW", "SZN"}
    assert {(region_of[c], c) for c in (ZAANSTAD, PURMEREND)} == {
        ("NAZNW", ZAANSTAD),
        ("SZN", PURMEREND),
    }


def test_safety_regions_all_known(reference):
    assert len(reference.safety_regions) == 25
    covered = {vr for r in reference.regions for vr in r.safety_regions}
    assert (
        sorted(covered) == sorted(reference.safety_regions) == [f"VR{i:02d}" for i in range(1, 26)]
    )
    assert reference.safety_regions["VR05"] == "Twente"


def test_duplicate_region_is_rejected(tmp_path):
    text = ROAZ_TABLE.read_text(encoding="utf-8") + "AZE,Acute Zorg Euregio\n"
    path = tmp_path / "roaz.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="AZE"):
        load_roaz_table(path)


def test_an_unmapped_municipality_is_refused(tmp_path):
    lines = MUNICIPALITY_ROAZ.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "municipality_roaz.csv"
    path.write_text("".join(line for line in lines if not line.startswith(ENSCHEDE)), "utf-8")
    with pytest.raises(ValueError, match=ENSCHEDE):
        load_reference(RAW, municipality_table=path)


def test_regional_populations_sum_to_the_national_population(reference):
    national = sum(m.population for m in reference.municipalities)
    assert sum(r.population for r in reference.regions) == national
    assert 17_000_000 < national < 18_000_000
    by_code = {m.code: m.population for m in reference.municipalities}
    for region in reference.regions:
        assert region.population == sum(by_code[c] for c in region.municipalities)


def test_municipalities_drop_placeholders(reference):
    codes = {m.code for m in reference.municipalities}
    assert not codes & {"GM0000", "GM1980", "GM1982", "GM1991"}
    assert all(m.population > 1 for m in reference.municipalities)


def test_centroids_lie_in_their_place(reference):
    for m in reference.municipalities:
        lat, lon = reference.centroids[m.code]
        assert 50.7 < lat < 53.6 and 3.3 < lon < 7.3, m
    lat, lon = reference.centroids["GM0363"]  # Amsterdam
    assert abs(lat - 52.37) < 0.05 and abs(lon - 4.90) < 0.1
    lat, lon = reference.centroids["GM0935"]  # Maastricht
    assert abs(lat - 50.85) < 0.05 and abs(lon - 5.69) < 0.1
