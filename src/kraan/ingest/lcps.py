"""Parsers for the LCPS national bed-occupancy datafeeds (old 2020 and new 2021+ format).

LCPS published one national row per day. Two layouts exist (SOURCES.md, section 1):

* new feed (``lcps_zubcevic/covid19.csv``): ``datum`` as dd-mm-yyyy, newest first, 12 columns,
  COVID / ontlabeld / abroad / non-COVID split, capacities; no weekend rows after 2022-04-15;
* old feed as re-shaped by mzelst (``mzelst_covid19/lcps_by_day.csv``): ISO ``date``, ``NA`` for
  missing values, two duplicated identical dates; ``IC_Bedden_COVID`` counts patients in Germany
  too and ontlabeld patients are not split off.

Days without a row are filled by linear interpolation and flagged ``imputed`` (domain.md,
"Reporting practice": weekend figures were imputed and must be flagged as such).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from pathlib import Path

import numpy as np

NEW_FEED = Path("lcps_zubcevic/covid19.csv")
OLD_FEED = Path("mzelst_covid19/lcps_by_day.csv")
IC_COUNTRY = Path("coronawatchnl/lcps_ic_country.csv")

#: Combined series: old feed up to the last day of 2020, the new feed from 2021-01-01.
COMBINED_START = date(2020, 2, 27)
NEW_FEED_FROM = date(2021, 1, 1)
COMBINED_END = date(2022, 6, 30)

_NEW_COLUMNS: dict[str, str] = {
    "IC_capaciteit_totaal": "ic_capacity",
    "kliniek_capaciteit_totaal": "ward_capacity",
    "IC_bezetting_covid": "ic_covid",
    "IC_bezetting_covid_internationaal": "ic_abroad",
    "IC_bezetting_ontlabeld": "ic_ontlabeld",
    "IC_bezetting_noncovid": "ic_non_covid",
    "kliniek_bezetting_covid": "ward_covid",
    "kliniek_bezetting_ontlabeld": "ward_ontlabeld",
    "kliniek_bezetting_noncovid": "ward_non_covid",
    "IC_opnames_covid": "ic_admissions",
    "kliniek_opnames_covid": "ward_admissions",
}
_OLD_COLUMNS: dict[str, str] = {
    "IC_Bedden_COVID": "ic_covid",  # incl. patients in Germany (SOURCES.md)
    "IC_Bedden_Non_COVID": "ic_non_covid",
    "Kliniek_Bedden": "ward_covid",  # incl. ontlabeld
    "IC_Nieuwe_Opnames_COVID": "ic_admissions",
    "Kliniek_Nieuwe_Opnames_COVID": "ward_admissions",
}
_DATE_COLUMNS = ("datum", "date", "Datum")
_MISSING = {"", "NA", "NaN", "nan"}


class LcpsFormatError(ValueError):
    """A raw LCPS file does not look like either datafeed; the message names file and line."""


@dataclass(frozen=True, eq=False)
class NationalSeries:
    """National LCPS figures over consecutive days (ascending), NaN where unknown."""

    dates: np.ndarray  # datetime64[D]
    ic_covid: np.ndarray  # COVID IC patients in NL (old feed alone: incl. abroad)
    ic_ontlabeld: np.ndarray
    ic_abroad: np.ndarray  # NL patients in ICUs abroad (Germany)
    ic_non_covid: np.ndarray
    ic_capacity: np.ndarray
    ward_covid: np.ndarray
    ward_ontlabeld: np.ndarray
    ward_non_covid: np.ndarray
    ward_capacity: np.ndarray
    ic_admissions: np.ndarray
    ward_admissions: np.ndarray
    imputed: np.ndarray  # bool: no row that day, or a missing cell filled in

    def __len__(self) -> int:
        return int(self.dates.shape[0])

    @property
    def start(self) -> date:
        return self.dates[0].astype(object)

    @property
    def end(self) -> date:
        return self.dates[-1].astype(object)

    def index_of(self, day: date) -> int:
        """Row of ``day``; KeyError when it lies outside the series."""
        i = int((np.datetime64(day, "D") - self.dates[0]).astype(int))
        if not 0 <= i < len(self):
            raise KeyError(f"{day} is outside the series {self.start}..{self.end}")
        return i

    def between(self, start: date, end: date) -> NationalSeries:
        """The sub-series ``start..end`` inclusive (clipped to the series)."""
        lo = max(0, int((np.datetime64(start, "D") - self.dates[0]).astype(int)))
        hi = min(len(self), int((np.datetime64(end, "D") - self.dates[0]).astype(int)) + 1)
        return replace(self, **{f.name: getattr(self, f.name)[lo:hi] for f in fields(self)})


VALUE_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(NationalSeries) if f.name not in ("dates", "imputed")
)


@dataclass(frozen=True, eq=False)
class IcCountrySeries:
    """COVID ICU patients located in NL and in Germany per day (coronawatchnl, 2020-2021)."""

    dates: np.ndarray  # datetime64[D], consecutive
    nl: np.ndarray  # NaN on days without a row
    de: np.ndarray  # NaN = unknown (not zero) after the last Germany row


def _fail(path: Path, line: int, what: str, todo: str) -> LcpsFormatError:
    return LcpsFormatError(f"{path}: line {line}: {what}. {todo}")


def _parse_date(text: str, path: Path, line: int) -> date:
    for fmt in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise _fail(path, line, f"bad date {text!r}", "Use YYYY-MM-DD or dd-mm-yyyy.")


def _parse_number(text: str, column: str, path: Path, line: int) -> float:
    text = text.strip()
    if text in _MISSING:
        return np.nan
    try:
        value = float(text)
    except ValueError:
        raise _fail(
            path,
            line,
            f"column {column!r} has non-numeric value {text!r}",
            "Fix the value, or leave it empty / NA when it is missing.",
        ) from None
    if not np.isfinite(value) or value < 0:
        raise _fail(
            path,
            line,
            f"column {column!r} has value {text!r} outside 0..inf",
            "Bed and admission counts are non-negative numbers.",
        )
    return value


def _read_rows(path: Path) -> tuple[dict[str, str], dict[date, list[float]], int]:
    """Read a feed: (column map of the detected format, values per date, date column index)."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise LcpsFormatError(
            f"{path}: cannot open ({exc}). Check the raw data directory."
        ) from exc
    with handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])]
        if set(_NEW_COLUMNS) <= set(header):
            columns = _NEW_COLUMNS
        elif set(_OLD_COLUMNS) <= set(header):
            columns = _OLD_COLUMNS
        else:
            raise _fail(
                path,
                1,
                f"unknown header {','.join(header)!r}",
                "Expected the LCPS datafeed header (new: datum,IC_capaciteit_totaal,...; "
                "old: date,IC_Bedden_COVID,...).",
            )
        date_col = next((header.index(c) for c in _DATE_COLUMNS if c in header), None)
        if date_col is None:
            raise _fail(path, 1, "no date column", f"Name it one of {', '.join(_DATE_COLUMNS)}.")
        wanted = [(header.index(name), name) for name in columns]
        rows: dict[date, list[float]] = {}
        for record in reader:
            line = reader.line_num
            if not record or all(not cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                raise _fail(
                    path,
                    line,
                    f"{len(record)} fields where the header has {len(header)}",
                    "Repair the line (a missing or extra comma?).",
                )
            day = _parse_date(record[date_col], path, line)
            values = [_parse_number(record[i], name, path, line) for i, name in wanted]
            previous = rows.get(day)
            if previous is not None and not np.array_equal(previous, values, equal_nan=True):
                raise _fail(
                    path,
                    line,
                    f"date {day} appears twice with different values",
                    "Keep one of the two rows.",
                )
            rows[day] = values
    if not rows:
        raise _fail(path, 2, "no data rows", "The file holds only a header.")
    return columns, rows, date_col


def _fill_gaps(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Interpolate interior NaN runs per column (rounded: counts); report which rows changed."""
    out = values.copy()
    filled = np.zeros(values.shape[0], dtype=bool)
    x = np.arange(values.shape[0])
    for j in range(values.shape[1]):
        col = out[:, j]
        known = ~np.isnan(col)
        if known.sum() < 2:
            continue
        first, last = np.flatnonzero(known)[[0, -1]]
        gap = ~known & (x > first) & (x < last)
        if gap.any():
            col[gap] = np.round(np.interp(x[gap], x[known], col[known]))
            filled |= gap
    return out, filled


def _build(dates: np.ndarray, data: dict[str, np.ndarray], imputed: np.ndarray) -> NationalSeries:
    n = dates.shape[0]
    arrays = {name: data.get(name, np.full(n, np.nan)).astype(float) for name in VALUE_FIELDS}
    return NationalSeries(dates=dates, imputed=imputed.astype(bool), **arrays)


def parse_lcps(path: Path) -> NationalSeries:
    """Parse either LCPS feed (format detected from the header) into a daily series.

    Old feed: ``ic_covid`` is the feed's total *including* patients in Germany and
    ``ic_abroad`` is NaN (use :func:`combined_national_series` for the split);
    ontlabeld is not split off, so it is 0.
    """
    path = Path(path)
    columns, rows, _ = _read_rows(path)
    days = sorted(rows)
    dates = np.arange(np.datetime64(days[0], "D"), np.datetime64(days[-1], "D") + 1)
    table = np.full((dates.shape[0], len(columns)), np.nan)
    offsets = (np.array(days, dtype="datetime64[D]") - dates[0]).astype(int)
    table[offsets] = np.array([rows[d] for d in days], dtype=float)
    no_row = np.ones(dates.shape[0], dtype=bool)
    no_row[offsets] = False
    table, filled = _fill_gaps(table)
    data = {name: table[:, j] for j, name in enumerate(columns.values())}
    if columns is _OLD_COLUMNS:
        data["ic_ontlabeld"] = np.zeros(dates.shape[0])
        data["ward_ontlabeld"] = np.zeros(dates.shape[0])
    return _build(dates, data, no_row | filled)


def parse_ic_country(path: Path) -> IcCountrySeries:
    """Parse coronawatchnl's long table ``Datum,Land,Aantal`` (Nederland / Duitsland).

    The origin has Germany rows only while patients were there; on a day with a Nederland
    row and no Germany row, Germany is 0 up to the last Germany row in the file and unknown
    (NaN) after it: patients abroad were reported again from late December 2020 without
    rows here (SOURCES.md, "treat Germany as missing, not zero, after 2020-11-05").
    """
    path = Path(path)
    counts: dict[str, dict[date, float]] = {"Nederland": {}, "Duitsland": {}}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])]
        if header != ["Datum", "Land", "Aantal"]:
            raise _fail(
                path,
                1,
                f"unknown header {','.join(header)!r}",
                "Expected Datum,Land,Aantal (coronawatchnl lcps_ic_country.csv).",
            )
        for record in reader:
            line = reader.line_num
            if not record:
                continue
            if len(record) != 3:
                raise _fail(path, line, f"{len(record)} fields instead of 3", "Repair the line.")
            day = _parse_date(record[0], path, line)
            if record[1] not in counts:
                raise _fail(
                    path, line, f"unknown country {record[1]!r}", "Use Nederland or Duitsland."
                )
            counts[record[1]][day] = _parse_number(record[2], "Aantal", path, line)
    if not counts["Nederland"]:
        raise _fail(path, 2, "no Nederland rows", "The file holds no data.")
    all_days = sorted(set(counts["Nederland"]) | set(counts["Duitsland"]))
    dates = np.arange(np.datetime64(all_days[0], "D"), np.datetime64(all_days[-1], "D") + 1)
    last_de = max(counts["Duitsland"], default=date.min)
    nl = np.full(dates.shape[0], np.nan)
    de = np.full(dates.shape[0], np.nan)
    for i, d64 in enumerate(dates):
        day = d64.astype(object)
        nl[i] = counts["Nederland"].get(day, np.nan)
        if day in counts["Duitsland"]:
            de[i] = counts["Duitsland"][day]
        elif day <= last_de and not np.isnan(nl[i]):
            de[i] = 0.0
    return IcCountrySeries(dates=dates, nl=nl, de=de)


def _abroad_2020(old: NationalSeries, country: IcCountrySeries) -> np.ndarray:
    """Patients in Germany per day of the old feed: Germany rows, else old total - Nederland.

    Where Nederland equals the old total, Germany is 0. From 2020-12-22 the origin lost its
    Germany rows, yet old total - Nederland (2..11) matches the new feed's
    ``IC_bezetting_covid_internationaal`` at the seam (11 vs 10 on 2021-01-01), so the
    difference is used. NaN where neither is known (before 2020-04-04).
    """
    abroad = np.full(len(old), np.nan)
    offset = int((country.dates[0] - old.dates[0]).astype(int))
    for i in range(len(country.dates)):
        j = i + offset
        if not 0 <= j < len(old):
            continue
        if not np.isnan(country.de[i]):
            abroad[j] = country.de[i]
        elif not np.isnan(country.nl[i]) and country.nl[i] <= old.ic_covid[j]:
            abroad[j] = old.ic_covid[j] - country.nl[i]
    return abroad


def combined_national_series(
    raw_dir: Path, start: date = COMBINED_START, end: date = COMBINED_END
) -> NationalSeries:
    """The demo's national truth: old feed to 2020-12-31, new feed from 2021-01-01.

    In 2020 ``ic_covid`` = old total - patients in Germany (the new feed's meaning); where
    abroad is unknown the old total is kept. Check: 2020-12-21 gives 586 (LCPS that day).
    """
    raw_dir = Path(raw_dir)
    old = parse_lcps(raw_dir / OLD_FEED).between(start, date(NEW_FEED_FROM.year - 1, 12, 31))
    new = parse_lcps(raw_dir / NEW_FEED).between(NEW_FEED_FROM, end)
    abroad = _abroad_2020(old, parse_ic_country(raw_dir / IC_COUNTRY))
    if len(old) and len(new) and new.dates[0] - old.dates[-1] != np.timedelta64(1, "D"):
        raise LcpsFormatError(
            f"{raw_dir}: the old feed ends {old.end} and the new feed starts {new.start}; "
            "the combined series needs consecutive days. Check the raw files' ranges."
        )
    data = {name: np.concatenate([getattr(old, name), getattr(new, name)]) for name in VALUE_FIELDS}
    abroad_filled, filled = _fill_gaps(abroad[:, None])  # 2020-09-22/23: no rows at all
    abroad = abroad_filled[:, 0]
    known = ~np.isnan(abroad)
    data["ic_covid"][: len(old)][known] -= abroad[known]
    data["ic_abroad"] = np.concatenate([abroad, new.ic_abroad])
    imputed = np.concatenate([old.imputed | filled, new.imputed])
    return _build(np.concatenate([old.dates, new.dates]), data, imputed)
