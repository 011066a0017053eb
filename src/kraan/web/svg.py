"""Server-side SVG charts, so the dashboard needs no JavaScript charting library or CDN.

Every function is pure and returns a markup string. All text is escaped; numbers are
rounded to 0.1 px to keep the markup small. Colours are given as presentation
attributes so an SVG also reads well on its own (exports, tests); classes let
``kraan.css`` restyle them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

import numpy as np
import numpy.typing as npt

from kraan.web.i18n import fmt_date, fmt_decimal

FloatArray = npt.NDArray[np.float64]

#: Colour-blind-safe default palette (Okabe-Ito), used when a series names no colour.
PALETTE: tuple[str, ...] = (
    "#0072b2",
    "#d55e00",
    "#009e73",
    "#cc79a7",
    "#e69f00",
    "#56b4e9",
    "#000000",
)
MONTHS: tuple[str, ...] = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"

_MARGIN_LEFT = 58.0
_MARGIN_RIGHT = 16.0
_MARGIN_TOP = 38.0
_MARGIN_BOTTOM = 50.0  # x tick labels plus one legend row


@dataclass(frozen=True, slots=True)
class Series:
    """One line on a chart; ``None`` values are gaps (no report), not zeros."""

    name: str
    values: Sequence[float | None]
    css_class: str = ""
    colour: str | None = None
    dashed: bool = False
    fill: bool = False


@dataclass(frozen=True, slots=True)
class Band:
    """A shaded interval between two lines (a forecast interval); ``None`` = no band."""

    name: str
    lower: Sequence[float | None]
    upper: Sequence[float | None]
    colour: str = "#d55e00"
    opacity: float = 0.2


@dataclass(frozen=True, slots=True)
class HLine:
    """A horizontal reference line, e.g. a capacity level of the scale-up plan."""

    value: float
    label: str
    label_left: bool = False  # fan charts: the right end is where the forecast is drawn


def fmt_number(value: float) -> str:
    """Thousands separators and no spurious decimals, in the page's language:
    1350 -> '1.350' (nl) / '1,350' (en), 2.5 -> '2,5' / '2.5', never '-0'."""
    if not math.isfinite(value):
        return "–"
    return fmt_decimal(value)


def nice_ticks(lo: float, hi: float, target: int = 5) -> list[float]:
    """About ``target`` round ticks (steps of 1, 2, 2.5 or 5 x 10^n) covering lo..hi."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0, 1.0]
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / max(target - 1, 1)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * magnitude >= raw)
    start = math.floor(lo / step) * step
    stop = math.ceil(hi / step) * step
    count = int(round((stop - start) / step)) + 1
    return [round(start + i * step, 10) for i in range(count)]


def _day_ticks(first: date, last: date) -> list[date]:
    """Days in range, thinned to at most ~8 labels."""
    span = (last - first).days
    step = max(1, math.ceil((span + 1) / 8))
    return [first + timedelta(days=k) for k in range(0, span + 1, step)]


def _month_ticks(first: date, last: date) -> list[date]:
    """First days of months in range, thinned to keep at most ~8 labels."""
    months: list[date] = []
    year, month = first.year, first.month
    if first.day != 1:
        month += 1
    while True:
        if month > 12:
            year, month = year + 1, 1
        tick = date(year, month, 1)
        if tick > last:
            break
        months.append(tick)
        month += 1
    stride = next((s for s in (1, 2, 3, 4, 6, 12) if len(months) / s <= 8), 12)
    return [m for m in months if (m.month - 1) % stride == 0] if stride > 1 else months


def _path_d(xs: FloatArray, ys: FloatArray) -> str:
    """Polyline path with a new subpath after each gap (NaN); lone points become dots."""
    finite = np.isfinite(ys)
    if not finite.any():
        return ""
    prev = np.concatenate(([False], finite[:-1]))
    nxt = np.concatenate((finite[1:], [False]))
    starts = finite & ~prev
    lone = starts & ~nxt
    idx = np.flatnonzero(finite)
    cmd = np.where(starts[idx], "M", "L")
    xr = np.round(xs[idx], 1)
    yr = np.round(ys[idx], 1)
    tail = np.where(lone[idx], "h0", "")
    return " ".join(f"{c}{x:g},{y:g}{t}" for c, x, y, t in zip(cmd, xr, yr, tail, strict=True))


def _area_d(xs: FloatArray, ys: FloatArray, base: float) -> str:
    """Closed area between each unbroken run of the line and the baseline."""
    finite = np.isfinite(ys)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], finite.astype(np.int8), [0]))))
    parts: list[str] = []
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        line = _path_d(xs[start:stop], ys[start:stop])
        parts.append(f"{line} L{xs[stop - 1]:.1f},{base:.1f} L{xs[start]:.1f},{base:.1f} Z")
    return " ".join(parts)


def _band_d(xs: FloatArray, lo: FloatArray, hi: FloatArray) -> str:
    """Per unbroken run: along the upper edge, back along the lower edge, closed."""
    finite = np.isfinite(lo) & np.isfinite(hi)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], finite.astype(np.int8), [0]))))
    parts: list[str] = []
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        top = [f"{xs[i]:.1f},{hi[i]:.1f}" for i in range(start, stop)]
        bottom = [f"{xs[i]:.1f},{lo[i]:.1f}" for i in range(stop - 1, start - 1, -1)]
        parts.append("M" + " L".join(top + bottom) + " Z")
    return " ".join(parts)


def _values(values: Sequence[float | None]) -> FloatArray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)


def _scale(values: FloatArray, lo: float, hi: float, out_lo: float, out_hi: float) -> FloatArray:
    """Linear map lo..hi onto out_lo..out_hi, vectorised."""
    span = hi - lo or 1.0
    return out_lo + (values - lo) * (out_hi - out_lo) / span


def line_chart(
    series: Sequence[Series],
    *,
    width: int = 720,
    height: int = 260,
    title: str,
    y_label: str,
    x_dates: Sequence[date],
    marker_date: date | None = None,
    hlines: Sequence[HLine] = (),
    bands: Sequence[Band] = (),
    css_class: str = "line-chart",
    y_cap: float | None = None,
    clip_note: str = "",
) -> str:
    """A dated line chart with round y ticks, month x ticks, legend, capacity lines,
    and shaded bands (drawn under the lines). ``y_cap`` limits the y axis (bands above
    it are cut at the top and ``clip_note`` says so), so a wide band cannot squash the
    lines."""
    n = len(x_dates)
    for s in series:
        if len(s.values) != n:
            raise ValueError(f"series {s.name!r} has {len(s.values)} values for {n} dates")
    for b in bands:
        if not len(b.lower) == len(b.upper) == n:
            raise ValueError(f"band {b.name!r} needs {n} lower and upper values")
    left, right = _MARGIN_LEFT, width - _MARGIN_RIGHT
    top, bottom = _MARGIN_TOP, height - _MARGIN_BOTTOM
    data = [_values(s.values) for s in series]
    band_data = [(_values(b.lower), _values(b.upper)) for b in bands]
    finite = [a[np.isfinite(a)] for a in data + [v for pair in band_data for v in pair]]
    all_y = np.concatenate([*finite, np.array([h.value for h in hlines], dtype=np.float64)])
    y_lo = min(0.0, float(all_y.min())) if all_y.size else 0.0
    y_hi = float(all_y.max()) if all_y.size else 1.0
    clipped = y_cap is not None and y_hi > y_cap
    if clipped:
        y_hi = float(y_cap)  # type: ignore[arg-type]
    ticks = nice_ticks(y_lo, y_hi)
    y_min, y_max = ticks[0], ticks[-1]
    ordinals = np.array([d.toordinal() for d in x_dates], dtype=np.float64)
    x_first = float(ordinals.min()) if n else 0.0
    x_last = float(ordinals.max()) if n else 1.0
    xs = _scale(ordinals, x_first, x_last, left, right)

    def y_of(v: float) -> float:
        return float(_scale(np.array([v]), y_min, y_max, bottom, top)[0])

    def x_of(d: date) -> float:
        return float(_scale(np.array([float(d.toordinal())]), x_first, x_last, left, right)[0])

    span = f"{x_dates[0].isoformat()} to {x_dates[-1].isoformat()}" if n else "no dates"
    names = ", ".join(s.name for s in series) or "no series"
    aria = f"{title}: {names}; {span}"
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {escape(css_class)}" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-label="{escape(aria)}" font-family="{escape(FONT)}" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<text class="chart-title" x="{left:.0f}" y="16" font-size="13" font-weight="600" '
        f'fill="#1f2933">{escape(title)}</text>',
        f'<text class="axis-label" x="4" y="{top - 7:.0f}" text-anchor="start" '
        f'fill="#52606d">{escape(y_label)}</text>',
    ]
    # y grid and ticks
    out.append('<g class="axis axis-y">')
    for t in ticks:
        y = y_of(t)
        out.append(
            f'<line x1="{left:.1f}" x2="{right:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#e4e7eb" stroke-width="1"/>'
            f'<text x="{left - 6:.1f}" y="{y + 3.5:.1f}" text-anchor="end" '
            f'fill="#52606d">{escape(fmt_number(t))}</text>'
        )
    out.append("</g>")
    # x month ticks
    out.append('<g class="axis axis-x">')
    out.append(
        f'<line x1="{left:.1f}" x2="{right:.1f}" y1="{bottom:.1f}" y2="{bottom:.1f}" '
        f'stroke="#9aa5b1" stroke-width="1"/>'
    )
    if n:
        short = (x_dates[-1] - x_dates[0]).days <= 45  # weeks: day ticks, not months
        ticks_x = _day_ticks(x_dates[0], x_dates[-1]) if short else _month_ticks(
            x_dates[0], x_dates[-1]
        )
        for i, m in enumerate(ticks_x):
            x = x_of(m)
            if short:
                label = fmt_date(m, "d MMM")
            else:
                label = fmt_date(m, "LLL") + (f" {m.year}" if i == 0 or m.month == 1 else "")
            anchor = "end" if x > right - 16 else "start" if x < left + 16 else "middle"
            out.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{bottom:.1f}" y2="{bottom + 4:.1f}" '
                f'stroke="#9aa5b1"/>'
                f'<text x="{x:.1f}" y="{bottom + 16:.1f}" text-anchor="{anchor}" '
                f'fill="#52606d">{escape(label)}</text>'
            )
    out.append("</g>")
    # capacity lines
    for h in hlines:
        y = y_of(h.value)
        out.append(
            f'<g class="hline" data-value="{h.value:g}">'
            f'<line x1="{left:.1f}" x2="{right:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#7b8794" stroke-width="1.2" stroke-dasharray="2 3"/>'
            f'<text x="{left + 4 if h.label_left else right - 2:.1f}" y="{y - 4:.1f}" '
            f'text-anchor="{"start" if h.label_left else "end"}" '
            f'fill="#3e4c59">{escape(h.label)}</text></g>'
        )
    # bands under the lines
    for b, (lo, hi) in zip(bands, band_data, strict=True):
        ys_lo = _scale(np.minimum(lo, y_max), y_min, y_max, bottom, top)
        ys_hi = _scale(np.minimum(hi, y_max), y_min, y_max, bottom, top)
        out.append(
            f'<path class="band" data-band="{escape(b.name)}" d="{_band_d(xs, ys_lo, ys_hi)}" '
            f'fill="{escape(b.colour)}" fill-opacity="{b.opacity:g}" stroke="none"/>'
        )
    # series
    out.append('<g class="series">')
    for i, (s, values) in enumerate(zip(series, data, strict=True)):
        colour = s.colour or PALETTE[i % len(PALETTE)]
        ys = np.where(np.isfinite(values), _scale(values, y_min, y_max, bottom, top), np.nan)
        cls = escape(f"line {s.css_class}".strip())
        if s.fill:
            out.append(
                f'<path class="area {escape(s.css_class)}" data-area="{escape(s.name)}" '
                f'd="{_area_d(xs, ys, bottom)}" fill="{escape(colour)}" '
                f'fill-opacity="0.15" stroke="none"/>'
            )
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        out.append(
            f'<path class="{cls}" data-series="{escape(s.name)}" d="{_path_d(xs, ys)}" '
            f'fill="none" stroke="{escape(colour)}" stroke-width="2" '
            f'stroke-linejoin="round" stroke-linecap="round"{dash}/>'
        )
    out.append("</g>")
    # as-of marker
    if marker_date is not None and n and x_dates[0] <= marker_date <= x_dates[-1]:
        x = x_of(marker_date)
        anchor = "end" if x > (left + right) / 2 else "start"
        dx = -4 if anchor == "end" else 4
        out.append(
            f'<g class="marker" data-date="{marker_date.isoformat()}">'
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top:.1f}" y2="{bottom:.1f}" '
            f'stroke="#1f2933" stroke-width="1.5"/>'
            f'<text x="{x + dx:.1f}" y="{top + 10:.1f}" text-anchor="{anchor}" '
            f'fill="#1f2933">{escape(fmt_date(marker_date, "dd-MM-yyyy"))}</text></g>'
        )
    if clipped and clip_note:
        out.append(
            f'<text class="clip-note" x="{right:.1f}" y="{top - 7:.0f}" text-anchor="end" '
            f'fill="#52606d">{escape(clip_note)}</text>'
        )
    out.append(_legend(series, bands, left=left, y=height - 12.0))
    if not any(a.size for a in finite):
        out.append(
            f'<text class="no-data" x="{(left + right) / 2:.1f}" y="{(top + bottom) / 2:.1f}" '
            f'text-anchor="middle" fill="#52606d">No data</text>'
        )
    out.append("</svg>")
    return "".join(out)


def _legend(series: Sequence[Series], bands: Sequence[Band], *, left: float, y: float) -> str:
    """One row of swatches under the x axis; width estimated from the name length."""
    parts = ['<g class="legend">']
    x = left
    for b in bands:
        parts.append(
            f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="18" height="10" '
            f'fill="{escape(b.colour)}" fill-opacity="{b.opacity:g}"/>'
            f'<text x="{x + 22:.1f}" y="{y:.1f}" fill="#1f2933">{escape(b.name)}</text>'
        )
        x += 22 + 6.5 * len(b.name) + 16
    for i, s in enumerate(series):
        colour = s.colour or PALETTE[i % len(PALETTE)]
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        parts.append(
            f'<line class="{escape(s.css_class)}" x1="{x:.1f}" x2="{x + 18:.1f}" '
            f'y1="{y - 4:.1f}" y2="{y - 4:.1f}" stroke="{escape(colour)}" '
            f'stroke-width="2.5"{dash}/>'
            f'<text x="{x + 22:.1f}" y="{y:.1f}" fill="#1f2933">{escape(s.name)}</text>'
        )
        x += 22 + 6.5 * len(s.name) + 16
    parts.append("</g>")
    return "".join(parts)


def bar_gauge(
    value: float | None,
    capacity: float | None,
    *,
    label: str,
    width: int = 180,
    height: int = 14,
) -> str:
    """Occupancy against capacity as a small bar; over 100 % shows a red overflow tick."""
    if value is None or capacity is None or capacity <= 0:
        known, ratio, level, text = False, 0.0, "unknown", f"{label}: unknown"
    else:
        known, ratio = True, value / capacity
        level = "ok" if ratio < 0.8 else "warn" if ratio < 0.95 else "high"
        text = f"{label}: {fmt_number(value)} of {fmt_number(capacity)} ({ratio:.0%})"
    fills = {"ok": "#2e7d32", "warn": "#b26a00", "high": "#b71c1c", "unknown": "#9aa5b1"}
    bar_w = width * min(max(ratio, 0.0), 1.0)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="gauge gauge-{level}" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-label="{escape(text)}" data-ratio="{ratio:.3f}">',
        f"<title>{escape(text)}</title>",
        f'<rect class="gauge-track" x="0" y="0" width="{width}" height="{height}" rx="3" '
        f'fill="#e4e7eb"/>',
        f'<rect class="gauge-fill" x="0" y="0" width="{bar_w:.1f}" height="{height}" rx="3" '
        f'fill="{fills[level]}"/>',
    ]
    if known and ratio > 1.0:
        out.append(
            f'<rect class="gauge-over" x="{width - 4}" y="0" width="4" height="{height}" '
            f'fill="#7f0000"/>'
        )
    out.append("</svg>")
    return "".join(out)
