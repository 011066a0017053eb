"""The municipality -> ROAZ table: complete, each municipality once, corrections stated."""

from __future__ import annotations

import csv

from kraan.ingest.reference import load_municipalities, load_roaz_table
from kraan.ingest.roaz_mapping import load_municipality_roaz, safety_region_spans
from kraan.settings import PACKAGE_DATA, get_settings

TWENTE = {"GM0141", "GM0147", "GM1774", "GM0153", "GM0158", "GM0163", "GM0164", "GM1735",
          "GM0168", "GM0173", "GM1742", "GM0183", "GM1700", "GM0189"}  # fmt: skip


def test_every_municipality_has_one_roaz_region_and_the_corrections_are_stated() -> None:
    table = load_municipality_roaz()
    municipalities = load_municipalities(get_settings().raw_data_dir)
    assert {m.code for m in municipalities} == set(table)
    assert {m.roaz_code for m in table.values()} == {r["roaz_code"] for r in load_roaz_table()}
    for code in TWENTE:
        assert table[code].roaz_code == "AZE" and "Twente" in table[code].basis
    assert table["GM0363"].roaz_code == "NAZNW" and table["GM0363"].corrected
    corrected = {c for c, m in table.items() if m.corrected}
    assert corrected == TWENTE | {"GM0363", "GM1979"}
    for m in municipalities:  # the safety region agrees with the CBS/RIVM table
        assert table[m.code].safety_region_code == m.safety_region_code


def test_the_table_follows_its_source() -> None:
    source = PACKAGE_DATA / "population_masterfile.csv"
    with source.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3380
    table = load_municipality_roaz()
    uncorrected = {c for c, m in table.items() if not m.corrected}
    assert uncorrected == {r["Municipality_code"] for r in rows} - {"GM0363"}


def test_safety_regions_that_span_two_roaz_regions() -> None:
    municipalities = load_municipalities(get_settings().raw_data_dir)
    spans = safety_region_spans(load_municipality_roaz(),
                                {m.code: m.population for m in municipalities})  # fmt: skip
    assert len(spans["VR06"]) == 3  # Noord- en Oost-Gelderland: Euregio, Oost and Zwolle
    assert set(spans["VR05"]) == {"AZE"}
