"""SVG charts for the care-at-home pages: the vaccination groups x weeks chart, a timeline.

Pure functions returning escaped markup, like :mod:`kraan.web.svg`.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from kraan.web.i18n import N_, fmt_percent
from kraan.web.i18n import gettext as _
from kraan.web.words import word

#: first-dose share 0 -> 1 from pale to deep blue (colour-blind safe, one hue)
_STEPS = ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594")


def _shade(share: float) -> str:
    if share <= 0.0:
        return "#ffffff"
    return _STEPS[min(len(_STEPS) - 1, 1 + int(share * (len(_STEPS) - 1)))]


def tip(label: str, week: str, share: float) -> str:
    return _("%(label)s, %(week)s: %(share)s first dose", label=label, week=week,
             share=fmt_percent(share))


def schedule_chart(
    rows: Sequence[tuple[str, Sequence[float]]],
    weeks: Sequence[str],
    *,
    title: str,
    label_width: int = 330,
    cell: int = 16,
    row_height: int = 16,
) -> str:
    """Groups x weeks: each cell shaded by the share of the cohort's uptake with a first dose."""
    width = label_width + cell * len(weeks) + 10
    height = 40 + row_height * len(rows) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="vaccination-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for n, week in enumerate(weeks):
        if n % 4 == 0:
            x = label_width + n * cell
            parts.append(
                f'<text x="{x}" y="30" font-size="10" fill="#333">{escape(week[2:])}</text>'
            )
    for r, (label, shares) in enumerate(rows):
        y = 40 + r * row_height
        short = label if len(label) <= 52 else label[:50] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + row_height - 4}" font-size="11" '
            f'text-anchor="end" fill="#222">{escape(short)}</text>'
        )
        for n, share in enumerate(shares):
            x = label_width + n * cell
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell - 1}" height="{row_height - 1}" '
                f'fill="{_shade(share)}" stroke="#e0e0e0" stroke-width="0.5">'
                f"<title>{escape(tip(label, weeks[n], share))}</title></rect>"
            )
    y = 40 + row_height * len(rows) + 14
    for k, share in enumerate((0.0, 0.25, 0.5, 0.75, 1.0)):
        x = label_width + k * 70
        parts.append(
            f'<rect x="{x}" y="{y - 9}" width="12" height="10" fill="{_shade(share)}" '
            f'stroke="#999" stroke-width="0.5"/><text x="{x + 16}" y="{y}" font-size="10">'
            f"{share:.0%}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


BAND_COLOURS = {"green": "#2e7d32", "amber": "#b26a00", "red": "#b71c1c"}


def spo2_timeline(
    points: Sequence[tuple[float, float, str, str]],
    *,
    title: str = N_("SpO2 over time"),
    width: int = 720,
    height: int = 220,
    red_at: float = 92.0,
    amber_at: float = 94.0,
) -> str:
    """(hours since enrolment, SpO2 %, band, label) per measurement; band lines at 92 and 94."""
    title = _(title)
    left, right, top, bottom = 44, width - 10, 20, height - 28
    lo, hi = 80.0, 100.0
    span = max((p[0] for p in points), default=1.0) or 1.0

    def x(h: float) -> float:
        return round(left + (right - left) * h / span, 1)

    def y(v: float) -> float:
        return round(bottom - (bottom - top) * (min(max(v, lo), hi) - lo) / (hi - lo), 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="spo2-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<rect x="{left}" y="{y(red_at)}" width="{right - left}" height="{bottom - y(red_at)}" '
        f'fill="#fdecec"/>',
        f'<rect x="{left}" y="{y(amber_at)}" width="{right - left}" '
        f'height="{y(red_at) - y(amber_at)}" fill="#fff8e6"/>',
    ]
    for tick in (80, 85, 92, 94, 100):
        parts.append(
            f'<text x="{left - 4}" y="{y(tick) + 3}" font-size="10" text-anchor="end">{tick}</text>'
            f'<line x1="{left}" x2="{right}" y1="{y(tick)}" y2="{y(tick)}" stroke="#eee"/>'
        )
    if len(points) > 1:
        path = " ".join(
            f"{'M' if n == 0 else 'L'}{x(p[0])},{y(p[1])}" for n, p in enumerate(points)
        )
        parts.append(f'<path d="{path}" fill="none" stroke="#0072b2" stroke-width="1.5"/>')
    for hours, value, band, label in points:
        colour = BAND_COLOURS.get(band, "#333")
        parts.append(
            f'<circle cx="{x(hours)}" cy="{y(value)}" r="3.5" fill="{colour}">'
            f"<title>{escape(label)}: {value:g} % ({escape(word(band))})</title></circle>"
        )
    parts.append(
        f'<text x="{left}" y="{height - 8}" font-size="10">'
        + escape(_("hours since enrolment (0 - %(hours)s)", hours=f"{span:.0f}"))
        + "</text></svg>"
    )
    return "".join(parts)
