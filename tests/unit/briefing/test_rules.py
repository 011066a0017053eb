"""The rules that turn a week's figures into the decisions asked."""

from __future__ import annotations

from datetime import datetime

from kraan.domain.briefing.rules import Crossing, DecisionInputs, decisions, next_meeting


def kinds(inputs: DecisionInputs) -> list[str]:
    return [d.kind for d in decisions(inputs)]


def test_no_change_no_decision() -> None:
    assert decisions(DecisionInputs(phase_now="2B", phase_week_before="2B")) == []


def test_phase_change_up_is_high_and_down_is_medium() -> None:
    up = decisions(DecisionInputs(phase_now="2C", phase_week_before="2B"))
    down = decisions(DecisionInputs(phase_now="2A", phase_week_before="2B"))
    assert [(d.kind, d.severity) for d in up] == [("phase_change", "high")]
    assert [(d.kind, d.severity) for d in down] == [("phase_change", "medium")]
    assert up[0].params == {"before": "2B", "after": "2C"}


def test_unknown_phase_asks_nothing() -> None:
    assert kinds(DecisionInputs(phase_now="unknown", phase_week_before="2B")) == []


def crossing(**kw: object) -> Crossing:
    base: dict[str, object] = dict(
        target="ic", label="LNAZ scale-up plan: 1,350 IC beds", beds=1350.0,
        median_days=None, upper90_days=None, above_now=False,
    )  # fmt: skip
    base.update(kw)
    return Crossing(**base)  # type: ignore[arg-type]


def test_crossings_within_the_horizon_only() -> None:
    inputs = DecisionInputs(
        phase_now="2B",
        phase_week_before="2B",
        crossings=[
            crossing(median_days=5),
            crossing(target="ward", median_days=None, upper90_days=6),
            crossing(median_days=12, upper90_days=9),  # beyond 7 days: not this week
        ],
    )
    assert kinds(inputs) == ["crossing", "possible_crossing"]


def test_above_now_is_reported_before_a_crossing() -> None:
    got = decisions(
        DecisionInputs(phase_now="2B", phase_week_before="2B", crossings=[crossing(above_now=True)])
    )
    assert [d.kind for d in got] == ["above_capacity"]


def test_an_unreliable_forecast_raises_no_warning() -> None:
    inputs = DecisionInputs(
        phase_now="2B", phase_week_before="2B", crossings=[crossing(median_days=2, reliable=False)]
    )
    assert decisions(inputs) == []


def test_high_decisions_come_first() -> None:
    inputs = DecisionInputs(
        phase_now="2B",
        phase_week_before="2B",
        crossings=[crossing(upper90_days=3)],
        module_gaps=[("AZE", "4A")],
        msob_pending=2,
    )
    got = decisions(inputs)
    assert [d.kind for d in got] == ["msob_pending", "possible_crossing", "module_not_ready"]
    assert got[-1].params["region_codes"] == "AZE"


def test_next_meeting_is_the_next_monday_at_16_amsterdam() -> None:
    # seed 000: the meeting of Monday 21 Dec 2020 16:00 named the next one on 28 Dec 16:00
    end_of_day = datetime(2020, 12, 21, 22, 59, 59)  # 23:59:59 CET
    assert next_meeting(end_of_day, weekday=0, hour=16, minute=0, zone="Europe/Amsterdam") == (
        datetime(2020, 12, 28, 15, 0)  # 16:00 CET in UTC
    )
    morning = datetime(2020, 12, 21, 8, 0)  # 09:00 CET: the meeting is still ahead
    assert next_meeting(morning, weekday=0, hour=16, minute=0, zone="Europe/Amsterdam") == (
        datetime(2020, 12, 21, 15, 0)
    )
    summer = datetime(2021, 6, 30, 12, 0)  # CEST: 16:00 is 14:00 UTC
    assert next_meeting(summer, weekday=0, hour=16, minute=0, zone="Europe/Amsterdam") == (
        datetime(2021, 7, 5, 14, 0)
    )
