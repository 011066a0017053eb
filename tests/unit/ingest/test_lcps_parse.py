"""The two LCPS feeds parse, combine to the known LCPS values, and bad files fail clearly."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from kraan.ingest.lcps import (
    IC_COUNTRY,
    NEW_FEED,
    OLD_FEED,
    LcpsFormatError,
    combined_national_series,
    parse_ic_country,
    parse_lcps,
)
from kraan.settings import get_settings

RAW = get_settings().raw_data_dir
pytestmark = pytest.mark.skipif(not RAW.is_dir(), reason="raw public data not found")

NEW_HEADER = (
    "datum,IC_capaciteit_totaal,kliniek_capaciteit_totaal,IC_bezetting_covid,"
    "IC_bezetting_covid_internationaal,IC_bezetting_ontlabeld,IC_bezetting_noncovid,"
    "kliniek_bezetting_covid,kliniek_bezetting_ontlabeld,kliniek_bezetting_noncovid,"
    "IC_opnames_covid,kliniek_opnames_covid"
)


def at(series, name: str, day: date) -> float:
    return float(getattr(series, name)[series.index_of(day)])


def assert_consecutive(dates: np.ndarray) -> None:
    assert (np.diff(dates) == np.timedelta64(1, "D")).all()


def test_new_feed_parses_ascending_and_complete():
    s = parse_lcps(RAW / NEW_FEED)
    assert (s.start, s.end) == (date(2021, 1, 1), date(2022, 6, 30))
    assert s.dates.dtype == np.dtype("datetime64[D]")
    assert_consecutive(s.dates)
    got = {
        name: at(s, name, date(2021, 1, 3))
        for name in (
            "ic_capacity",
            "ward_capacity",
            "ic_covid",
            "ic_abroad",
            "ic_ontlabeld",
            "ic_non_covid",
            "ward_covid",
            "ward_ontlabeld",
            "ward_non_covid",
            "ic_admissions",
            "ward_admissions",
        )
    }
    assert got == {
        "ic_capacity": 1270,
        "ward_capacity": 13765,
        "ic_covid": 643,
        "ic_abroad": 9,
        "ic_ontlabeld": 52,
        "ic_non_covid": 360,
        "ward_covid": 1826,
        "ward_ontlabeld": 180,
        "ward_non_covid": 9028,
        "ic_admissions": 29,
        "ward_admissions": 241,
    }
    assert not s.imputed[s.index_of(date(2021, 1, 3))]


def test_new_feed_weekends_after_2022_04_15_are_filled_and_flagged():
    s = parse_lcps(RAW / NEW_FEED)
    for day in (date(2022, 4, 16), date(2022, 4, 17), date(2022, 6, 25), date(2022, 6, 26)):
        assert s.imputed[s.index_of(day)], day
    for day in (date(2022, 4, 15), date(2022, 4, 19), date(2022, 6, 24), date(2022, 6, 27)):
        assert not s.imputed[s.index_of(day)], day
    assert not s.imputed[: s.index_of(date(2022, 4, 15)) + 1].any()
    fri, sat = at(s, "ic_covid", date(2022, 4, 15)), at(s, "ic_covid", date(2022, 4, 16))
    tue = at(s, "ic_covid", date(2022, 4, 19))  # Easter Monday 18 April has no row either
    assert min(fri, tue) <= sat <= max(fri, tue)
    for name in ("ic_covid", "ward_non_covid", "ic_capacity"):
        values = getattr(s, name)
        assert not np.isnan(values).any()
        assert (values == np.round(values)).all()


def test_old_feed_parses_with_na_and_duplicate_dates():
    s = parse_lcps(RAW / OLD_FEED)
    assert (s.start, s.end) == (date(2020, 2, 27), date(2021, 3, 30))
    assert len(s) == 398  # 400 rows, 2020-03-18/19 twice
    assert_consecutive(s.dates)
    assert at(s, "ic_covid", date(2020, 12, 21)) == 586  # old total, incl. Germany
    assert (s.ic_ontlabeld == 0).all() and (s.ward_ontlabeld == 0).all()
    assert np.isnan(at(s, "ic_non_covid", date(2020, 4, 17)))
    assert at(s, "ic_non_covid", date(2020, 4, 18)) == 356
    assert np.isnan(s.ic_capacity).all() and np.isnan(s.ic_abroad).all()
    # Kliniek_Bedden is NA on 2020-04-05 only: interpolated and flagged.
    assert s.imputed[s.index_of(date(2020, 4, 5))]
    assert 2570 <= at(s, "ward_covid", date(2020, 4, 5)) <= 2912
    assert s.imputed.sum() == 1


def test_ic_country_germany_is_unknown_after_its_last_row():
    c = parse_ic_country(RAW / IC_COUNTRY)
    i = int((np.datetime64("2020-04-04") - c.dates[0]).astype(int))
    assert (c.nl[i], c.de[i]) == (1343, 17)
    day = {str(d): k for k, d in enumerate(c.dates)}
    assert c.de[day["2020-07-01"]] == 0
    assert c.de[day["2020-11-05"]] == 2
    assert np.isnan(c.de[day["2020-11-06"]]) and np.isnan(c.de[day["2020-12-22"]])
    assert np.isnan(c.nl[day["2020-09-22"]])


def test_combined_series_matches_lcps_on_known_days():
    s = combined_national_series(RAW)
    assert (s.start, s.end) == (date(2020, 2, 27), date(2022, 6, 30))
    assert len(s) == 855
    assert_consecutive(s.dates)
    assert at(s, "ic_covid", date(2020, 12, 21)) == 586
    assert at(s, "ic_abroad", date(2020, 12, 21)) == 0
    assert (at(s, "ic_covid", date(2020, 4, 4)), at(s, "ic_abroad", date(2020, 4, 4))) == (1343, 17)
    # From 2020-12-22 Germany comes from old total - Nederland; it meets the new feed's value.
    assert at(s, "ic_abroad", date(2020, 12, 31)) == 11
    assert at(s, "ic_abroad", date(2021, 1, 1)) == 10
    assert at(s, "ic_covid", date(2021, 1, 1)) == 642
    assert np.isnan(at(s, "ic_abroad", date(2020, 3, 1)))
    assert at(s, "ic_abroad", date(2020, 9, 22)) == 0  # no rows that day; both sides 0
    assert np.isnan(at(s, "ward_non_covid", date(2020, 12, 31)))
    assert at(s, "ward_capacity", date(2021, 1, 1)) == 13698


def write(tmp_path: Path, text: str, name: str = "feed.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD_ROW = "03-01-2021,1270,13765,643,9,52,360,1826,180,9028,29,241"


@pytest.mark.parametrize(
    ("body", "line", "fragment"),
    [
        (
            f"{NEW_HEADER}\n{GOOD_ROW}\n02-01-2021,1279,abc,650,9,39,379,1819,186,8873,37,248\n",
            3,
            "non-numeric",
        ),
        (f"{NEW_HEADER}\n{GOOD_ROW}\n31-02-2021,1,1,1,1,1,1,1,1,1,1,1\n", 3, "bad date"),
        (f"{NEW_HEADER}\n{GOOD_ROW}\n02-01-2021,1279,13841\n", 3, "fields"),
        (f"{NEW_HEADER}\n{GOOD_ROW}\n03-01-2021,1,1,1,1,1,1,1,1,1,1,1\n", 3, "twice"),
        (
            f"{NEW_HEADER}\n{GOOD_ROW}\n02-01-2021,1279,-5,650,9,39,379,1819,186,8873,37,248\n",
            3,
            "outside",
        ),
        ("when,what,how\n1,2,3\n", 1, "unknown header"),
        (f"{NEW_HEADER}\n", 2, "no data rows"),
    ],
)
def test_bad_file_names_file_and_line(tmp_path, body, line, fragment):
    path = write(tmp_path, body)
    with pytest.raises(LcpsFormatError) as caught:
        parse_lcps(path)
    message = str(caught.value)
    assert str(path) in message
    assert f"line {line}:" in message
    assert fragment in message
    assert isinstance(caught.value, ValueError)


def test_bad_ic_country_file_names_line(tmp_path):
    path = write(tmp_path, "Datum,Land,Aantal\n2020-04-04,Nederland,1343\n2020-04-04,Belgie,3\n")
    with pytest.raises(LcpsFormatError, match=r"line 3: unknown country"):
        parse_ic_country(path)


def test_missing_day_in_small_file_is_imputed(tmp_path):
    body = (
        '"date","IC_Bedden_COVID","IC_Bedden_Non_COVID","Kliniek_Bedden",'
        '"IC_Nieuwe_Opnames_COVID","Kliniek_Nieuwe_Opnames_COVID"\n'
        "2020-10-04,30,500,100,NA,NA\n2020-10-01,0,500,10,NA,NA\n"
    )
    s = parse_lcps(write(tmp_path, body))
    assert len(s) == 4
    assert s.imputed.tolist() == [False, True, True, False]
    assert s.ic_covid.tolist() == [0, 10, 20, 30]
    assert np.isnan(s.ic_admissions).all()
