"""SVG charts for the care-at-home pages: the vaccination groups x weeks chart, a timeline.

Pure functions returning escaped markup, like :mod:`kraan.web.svg`.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

#: first-dose share 0 -> 1 from pale to deep blue (colour-blind safe, one hue)
_STEPS = ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594")


def _shade(share: float) -> str:
    if share <= 0.0:
        return "#ffffff"
    return _STEPS[min(len(_STEPS) - 1, 1 + int(share * (len(_STEPS) - 1)))]


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
                f"<title>{escape(label)}, {escape(weeks[n])}: {share:.0%} first dose</title></rect>"
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
