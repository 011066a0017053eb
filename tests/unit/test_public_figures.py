"""data/public_figures.json: every figure loads, with a unit and a source, and the code uses it."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from kraan.domain.forecast.params import MIN_HISTORY_DAYS
from kraan.figures import FIGURES_FILE, load_figures, public_figures
from kraan.ingest.synthetic import IC_BEDS_NORMAL, IC_BEDS_SCALE_UP, WARD_BEDS
from kraan.services.live_forecast import IC_MAX_BEDS, IC_SCALE_UP_BEDS, WARD_2B_COVID_BEDS
from kraan.settings import Settings


def test_every_figure_has_a_value_unit_and_source() -> None:
    loaded = load_figures()
    assert loaded.version
    for name, figure in loaded.figures:
        assert figure.value > 0, name
        assert figure.unit.strip() and len(figure.source) > 15, name


def test_the_published_figures() -> None:
    figures = public_figures()
    assert (figures.ic_beds_normal.value, figures.ic_beds_scale_up.value) == (1150, 1350)
    assert (figures.ic_beds_max.value, figures.ward_covid_beds_2b.value) == (1700, 2700)
    assert figures.divi_max_count.value == 999 and figures.divi_correction_days.value == 14


def test_the_code_reads_its_figures_from_the_file() -> None:
    figures = public_figures()
    assert figures.ic_beds_normal.value == IC_BEDS_NORMAL
    assert IC_BEDS_SCALE_UP == IC_SCALE_UP_BEDS == figures.ic_beds_scale_up.value
    assert figures.ic_beds_max.value == IC_MAX_BEDS
    assert figures.ward_covid_beds_2b.value == WARD_2B_COVID_BEDS
    assert figures.ward_beds.value == WARD_BEDS
    # The pure domain reads no files; its one constant must equal the data file.
    assert figures.forecast_min_history_days.value == MIN_HISTORY_DAYS
    settings = Settings()
    assert settings.max_beds_per_level == settings.max_admissions_24h == 999
    assert settings.correction_window.days == figures.divi_correction_days.value


def test_a_figure_without_a_source_does_not_load(tmp_path) -> None:  # type: ignore[no-untyped-def]
    document = json.loads(FIGURES_FILE.read_text(encoding="utf-8"))
    del document["figures"]["ic_beds_max"]["source"]
    broken = tmp_path / "figures.json"
    broken.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ValidationError, match="ic_beds_max"):
        load_figures(broken)


def test_no_module_repeats_a_public_figure_as_a_number() -> None:
    """The bed figures live in the data file only: no int literal 1150, 1350, ... in code."""
    import ast
    from pathlib import Path

    import kraan

    figures = public_figures()
    watched = {
        f.value
        for name, f in figures
        if name.startswith(("ic_beds", "ward_", "elv_vvt")) and f.value >= 900
    }
    found = []
    for path in Path(kraan.__file__).parent.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and type(node.value) is int and node.value in watched:
                found.append(f"{path.name}:{node.lineno} {node.value}")
    assert not found, "use kraan.figures.public_figures() instead: " + ", ".join(found)
