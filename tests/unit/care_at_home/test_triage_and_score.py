"""Known answers: the triage protocol, the GP points score, bed-days saved, FHIR parsing."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from kraan.domain.care_at_home.bed_days import (
    SignedOff,
    expected_remaining_days,
    module1_from_summary,
    summarise,
    weibull_survival,
)
from kraan.domain.care_at_home.risk_score import score, suppress, validate_patient
from kraan.domain.care_at_home.triage import evaluate, missed_since, validate_values
from kraan.ingest.fhir_observations import parse
from kraan.settings import PACKAGE_DATA

PROTOCOL = json.loads((PACKAGE_DATA / "care_at_home" / "home_triage_protocol.json").read_text())
MODEL = json.loads((PACKAGE_DATA / "care_at_home" / "gp_risk_score.json").read_text())


@pytest.mark.parametrize(
    ("values", "band"),
    [
        ({"spo2": 92}, "red"),  # NHS Oximetry @home: <= 92 red
        ({"spo2": 93}, "amber"),
        ({"spo2": 94}, "amber"),
        ({"spo2": 95}, "green"),
        ({"spo2": 97, "resp_rate": 25}, "red"),  # NEWS2: >= 25 scores 3
        ({"spo2": 97, "resp_rate": 22}, "amber"),
        ({"spo2": 97, "heart_rate": 131}, "red"),
        ({"spo2": 97, "heart_rate": 100}, "green"),
        ({"temperature": 39.5}, "amber"),
        ({"temperature": 34.9}, "red"),
        ({"spo2": 96, "o2_flow": 6}, "red"),
        ({"spo2": 96, "o2_flow": 4}, "amber"),
    ],
)
def test_triage_bands(values: dict[str, float], band: str) -> None:
    triage = evaluate(values, PROTOCOL)
    assert triage.band == band
    assert all(r.source for r in triage.reasons)


def test_red_names_its_reason_and_response_time() -> None:
    triage = evaluate({"spo2": 91, "heart_rate": 80}, PROTOCOL)
    assert [r.parameter for r in triage.reasons] == ["spo2"]
    assert triage.response_minutes == 60 and "Oximetry" in triage.reasons[0].source


def test_ranges_one_message_per_field() -> None:
    problems = validate_values({"spo2": 120, "heart_rate": 5, "temperature": 37}, PROTOCOL)
    assert [f for f, _ in problems] == ["spo2", "heart_rate"]
    assert validate_values({}, PROTOCOL)[0][0] == "values"


def test_missed_measurement_after_interval_and_grace() -> None:
    last = datetime(2020, 12, 1, 8, 0)
    assert missed_since(last, "green", PROTOCOL, now=datetime(2020, 12, 1, 17, 59)) is None
    assert missed_since(last, "green", PROTOCOL, now=datetime(2020, 12, 1, 18, 0)) == datetime(
        2020, 12, 1, 18, 0
    )


def test_high_care_patients_are_due_every_hour() -> None:
    last = datetime(2020, 12, 1, 8, 0)
    assert missed_since(last, "green", PROTOCOL, now=datetime(2020, 12, 1, 11, 0)) is None
    assert missed_since(
        last, "green", PROTOCOL, now=datetime(2020, 12, 1, 11, 0), high_care=True
    ) == datetime(2020, 12, 1, 11, 0)


def test_risk_score_known_answers_and_why() -> None:
    result = score(74, ["diabetes", "chronic_kidney"], MODEL)
    assert result.points == 5 + 2 + 3 and result.listed
    assert [w["points"] for w in result.why] == [5, 3, 2]
    assert all("source" in w for w in result.why)
    assert not score(45, ["chronic_heart"], MODEL).listed
    assert validate_patient(130, ["nope"], MODEL) == [
        ("age", "must be between 0 and 120"),
        ("risk_groups", "unknown risk group 'nope'"),
    ]
    assert suppress(3) is None and suppress(0) == 0 and suppress(5) == 5


def test_bed_days_and_module1() -> None:
    survival = weibull_survival(9.0, 1.0)
    assert expected_remaining_days(survival, 0) == pytest.approx(9.0, rel=0.1)  # memoryless
    assert expected_remaining_days(survival, 5) == pytest.approx(9.0, rel=0.1)
    episodes = [
        SignedOff("R1", "post_clinical", "recovered", 6.0, 0.0),
        SignedOff("R1", "post_clinical", "readmitted", 6.0, 8.0),
        SignedOff("R1", "pre_clinical", "recovered", 0.0, 0.0),
        SignedOff("R2", "post_clinical", None, 6.0, 0.0),
    ]
    table = summarise(episodes)
    assert table["R1"]["bed_days_saved"] == 4.0 and table["R1"][
        "readmission_rate"
    ] == pytest.approx(1 / 3, abs=1e-4)
    assert table["NL"]["enrolled"] == 4 and table["R1"]["admissions_avoided"] == 1
    params = module1_from_summary(table, default_saved=6.0, default_rate=0.1)
    assert params["R1"]["bed_days_saved_per_patient"] == 2.0 and params["R1"]["basis"] == "measured"
    assert params["R2"]["basis"] == "default" and params["R2"]["readmission_rate"] == 0.1


def _obs(code: str, value: float, unit: str, **extra: object) -> dict[str, object]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
        "subject": {"reference": "Patient/PSEUDO-1"},
        "device": {"reference": "Device/ox-7"},
        "effectiveDateTime": "2020-12-01T09:00:00+01:00",
        "valueQuantity": {
            "value": value,
            "unit": unit,
            "system": "http://unitsofmeasure.org",
            "code": unit,
        },
        **extra,
    }


def test_fhir_bundle_groups_one_measurement() -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": _obs("59408-5", 93, "%")}, {"resource": _obs("8867-4", 88, "/min")}],
    }
    measurements, problems = parse(bundle, PROTOCOL)
    assert problems == []
    assert len(measurements) == 1
    m = measurements[0]
    assert m.pseudonym == "PSEUDO-1" and m.values == {"spo2": 93.0, "heart_rate": 88.0}
    assert m.measured_at == datetime(2020, 12, 1, 8, 0)  # stored in UTC


def test_fhir_wrong_unit_and_unknown_code() -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": _obs("8310-5", 99.1, "[degF]")},
            {"resource": _obs("1234-5", 1, "%")},
        ],
    }
    _, problems = parse(bundle, PROTOCOL)
    assert [f for f, _ in problems] == [
        "entry[0].resource.valueQuantity.code",
        "entry[1].resource.code",
    ]
    assert "Cel" in problems[0][1]


def test_small_numbers_cannot_be_derived_from_the_other_figures() -> None:
    from kraan.services.care_at_home.aggregates import suppressed

    row = {"enrolled": 14, "active": 2, "signed_off": 12, "recovered": 11, "readmitted": 1,
           "died": 0, "readmission_rate": 1 / 12, "bed_days_saved": 50.0}  # fmt: skip
    out = suppressed(row, 5)
    assert out["enrolled"] == 14 and out["died"] == 0
    for key in ("active", "signed_off", "recovered", "readmitted", "readmission_rate"):
        assert out[key] is None, key
