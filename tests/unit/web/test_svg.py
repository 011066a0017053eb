"""The SVG charts are well-formed, accessible and draw what they are given."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from kraan.web.fan import fan_chart
from kraan.web.svg import Band, HLine, Series, bar_gauge, fmt_number, line_chart, nice_ticks

NS = {"svg": "http://www.w3.org/2000/svg"}
START = date(2020, 3, 1)


def _dates(n: int) -> list[date]:
    return [START + timedelta(days=i) for i in range(n)]


def _parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def _series_paths(root: ET.Element) -> dict[str, str]:
    return {
        p.attrib["data-series"]: p.attrib["d"]
        for p in root.iterfind(".//svg:path", NS)
        if "data-series" in p.attrib
    }


def _chart(
    *, width: int = 720, height: int = 260, marker_date: date | None = START + timedelta(days=60)
) -> str:
    n = 120
    series = [
        Series("IC", [500.0 + i for i in range(n)], fill=True),
        Series("Ward", [1500.0 - i for i in range(n)], css_class="s-ward"),
        Series("Forecast", [None] * 90 + [700.0 + i for i in range(30)], dashed=True),
    ]
    return line_chart(
        series,
        width=width,
        height=height,
        title="COVID beds occupied",
        y_label="beds",
        x_dates=_dates(n),
        marker_date=marker_date,
        hlines=(HLine(1350, "IC 1,350 scale-up plan"),),
    )


def test_chart_parses_and_is_accessible() -> None:
    root = _parse(_chart())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.attrib["role"] == "img"
    assert "COVID beds occupied" in root.attrib["aria-label"]
    title = root.find("svg:title", NS)
    assert title is not None and title.text == "COVID beds occupied"


def test_one_path_per_series() -> None:
    paths = _series_paths(_parse(_chart()))
    assert set(paths) == {"IC", "Ward", "Forecast"}


def test_none_values_split_the_line() -> None:
    values: list[float | None] = [1.0, 2.0, 3.0, None, None, 4.0, 5.0, None, 6.0, 7.0]
    markup = line_chart(
        [Series("gappy", values)], title="t", y_label="y", x_dates=_dates(len(values))
    )
    d = _series_paths(_parse(markup))["gappy"]
    assert d.count("M") == 3
    assert d.count("L") == len([v for v in values if v is not None]) - 3


def test_lone_point_is_still_drawn() -> None:
    values: list[float | None] = [None, 5.0, None]
    markup = line_chart([Series("dot", values)], title="t", y_label="y", x_dates=_dates(3))
    d = _series_paths(_parse(markup))["dot"]
    assert d.startswith("M") and "h0" in d


def test_points_stay_inside_the_plot() -> None:
    width, height = 720, 260
    d = _series_paths(_parse(_chart(width=width, height=height)))["IC"]
    numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)]
    xs, ys = numbers[0::2], numbers[1::2]
    assert all(0 <= x <= width for x in xs)
    assert all(0 <= y <= height for y in ys)
    assert xs == sorted(xs)


def test_marker_and_capacity_line_present() -> None:
    root = _parse(_chart())
    marker = root.find(".//svg:g[@class='marker']", NS)
    assert marker is not None
    assert marker.attrib["data-date"] == (START + timedelta(days=60)).isoformat()
    hline = root.find(".//svg:g[@class='hline']", NS)
    assert hline is not None
    assert "IC 1,350 scale-up plan" in "".join(hline.itertext())


def test_marker_outside_range_is_left_out() -> None:
    root = _parse(_chart(marker_date=START - timedelta(days=1)))
    assert root.find(".//svg:g[@class='marker']", NS) is None


def test_fill_and_dash() -> None:
    root = _parse(_chart())
    area = root.find(".//svg:path[@data-area='IC']", NS)
    assert area is not None and area.attrib["d"].rstrip().endswith("Z")
    forecast = root.find(".//svg:path[@data-series='Forecast']", NS)
    assert forecast is not None and "stroke-dasharray" in forecast.attrib


def test_text_is_escaped() -> None:
    nasty = '<script>alert("x")</script> & co'
    markup = line_chart(
        [Series(nasty, [1.0, 2.0])],
        title=nasty,
        y_label=nasty,
        x_dates=_dates(2),
        hlines=(HLine(1.5, nasty),),
    )
    root = _parse(markup)
    assert "<script>" not in markup
    assert nasty in _series_paths(root)


def test_month_ticks_and_legend() -> None:
    root = _parse(_chart())
    axis = root.find(".//svg:g[@class='axis axis-x']", NS)
    assert axis is not None
    labels = [t.text for t in axis.iterfind("svg:text", NS)]
    assert labels[:2] == ["Mar 2020", "Apr"]
    legend = root.find(".//svg:g[@class='legend']", NS)
    assert legend is not None
    assert [t.text for t in legend.iterfind("svg:text", NS)] == ["IC", "Ward", "Forecast"]


def test_about_nine_hundred_points() -> None:
    n = 900
    values: list[float | None] = [float(i % 97) if i % 200 else None for i in range(n)]
    markup = line_chart([Series("long", values)], title="t", y_label="y", x_dates=_dates(n))
    d = _series_paths(_parse(markup))["long"]
    assert d.count("M") == 5


def test_all_missing_and_length_mismatch() -> None:
    root = _parse(
        line_chart([Series("none", [None, None])], title="t", y_label="y", x_dates=_dates(2))
    )
    assert _series_paths(root)["none"] == ""
    with pytest.raises(ValueError):
        line_chart([Series("short", [1.0])], title="t", y_label="y", x_dates=_dates(2))


@pytest.mark.parametrize(
    ("lo", "hi"), [(0, 1350), (0, 7), (0, 0.3), (0, 123_456), (-40, 60), (0, 0)]
)
def test_nice_ticks_are_round_and_cover(lo: float, hi: float) -> None:
    ticks = nice_ticks(lo, hi)
    assert ticks[0] <= lo and ticks[-1] >= hi
    assert 3 <= len(ticks) <= 8
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1


def test_fmt_number() -> None:
    assert fmt_number(1350) == "1,350"
    assert fmt_number(2.5) == "2.5"
    assert fmt_number(float("nan")) == "–"


def test_bar_gauge() -> None:
    root = _parse(bar_gauge(1050, 1350, label="IC"))
    assert root.attrib["role"] == "img"
    assert "1,050 of 1,350" in root.attrib["aria-label"]
    fill = root.find("svg:rect[@class='gauge-fill']", NS)
    assert fill is not None
    assert float(fill.attrib["width"]) == pytest.approx(180 * 1050 / 1350, abs=0.1)


def test_bar_gauge_overflow_and_unknown() -> None:
    over = _parse(bar_gauge(1500, 1350, label="IC"))
    assert "gauge-high" in over.attrib["class"]
    assert over.find("svg:rect[@class='gauge-over']", NS) is not None
    unknown = _parse(bar_gauge(None, 0, label="<IC>"))
    assert "gauge-unknown" in unknown.attrib["class"]
    assert unknown.attrib["aria-label"] == "<IC>: unknown"


def _fan() -> str:
    history: list[float | None] = [500.0 + i for i in range(30)]
    history[10] = None  # a day without reports stays a gap
    median = [530.0 + 5 * h for h in range(1, 15)]
    return fan_chart(
        history_dates=_dates(30),
        history=history,
        forecast_dates=[START + timedelta(days=30 + i) for i in range(14)],
        median=median,
        intervals=[
            (
                "90 % interval",
                [m - 40 - 3 * h for h, m in enumerate(median)],
                [m + 60 + 6 * h for h, m in enumerate(median)],
            ),
            ("50 % interval", [m - 10 for m in median], [m + 15 for m in median]),
        ],
        title="IC: COVID patients, forecast 14 days",
        hlines=(HLine(1350, "plan: 1,350", label_left=True),),
    )


def test_fan_chart_draws_history_median_and_closed_bands() -> None:
    root = _parse(_fan())
    assert "fan-chart" in root.attrib["class"]
    paths = _series_paths(root)
    assert set(paths) == {"Reported", "Forecast median"}
    assert paths["Reported"].count("M") == 2  # the gap splits the history
    median = paths["Forecast median"]
    assert median.count("M") == 1 and median.count("L") == 14  # from the last report on
    assert "stroke-dasharray" in root.find(".//svg:path[@data-series='Forecast median']", NS).attrib  # type: ignore[union-attr]
    bands = {b.attrib["data-band"]: b for b in root.iterfind(".//svg:path[@class='band']", NS)}
    assert list(bands) == ["90 % interval", "50 % interval"]  # widest drawn first
    for band in bands.values():
        d = band.attrib["d"]
        assert d.startswith("M") and d.endswith("Z") and d.count("M") == 1
    assert float(bands["90 % interval"].attrib["fill-opacity"]) < float(
        bands["50 % interval"].attrib["fill-opacity"]
    )
    marker = root.find(".//svg:g[@class='marker']", NS)
    assert (
        marker is not None
        and marker.attrib["data-date"] == (START + timedelta(days=29)).isoformat()
    )
    label = root.find(".//svg:g[@class='hline']/svg:text", NS)
    assert label is not None and label.attrib["text-anchor"] == "start"
    legend = root.find(".//svg:g[@class='legend']", NS)
    assert legend is not None
    names = [t.text for t in legend.iterfind("svg:text", NS)]
    assert names == ["90 % interval", "50 % interval", "Reported", "Forecast median"]


def test_bands_count_for_the_y_range_and_must_match_the_dates() -> None:
    band = Band("wide", [0.0, 0.0, 0.0], [10.0, 5000.0, 10.0])
    root = _parse(
        line_chart(
            [Series("s", [1.0, 2.0, 3.0])], title="t", y_label="y", x_dates=_dates(3), bands=[band]
        )
    )
    ticks = [t.text for t in root.iterfind(".//svg:g[@class='axis axis-y']/svg:text", NS)]
    assert float(ticks[-1].replace(",", "")) >= 5000  # the band sets the top
    with pytest.raises(ValueError, match="band"):
        line_chart([], title="t", y_label="y", x_dates=_dates(3), bands=[Band("b", [1.0], [2.0])])
