"""Time-series line charts as inline SVG, drawn on the server: no script, no CDN. Pure: no Django.

In: {series name: [(day label, value or None), ...]} sharing one run of days, a title and a value format. Out: an
SVG string (text escaped) with one polyline per series, a dot per day, the y axis from 0 to the largest value, and
a legend in rows of three below it (the drawing grows to hold them). A day without a value breaks the line. Colours come from a fixed palette (the arms or rails keep their
colour as long as their order does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from html import escape

PALETTE = ("#417690", "#c77700", "#2e7d32", "#b3261e", "#6a4c93", "#00838f")
WIDTH, HEIGHT = 560, 200
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 24, 40
LEGEND_COLUMNS, LEGEND_ROW, LEGEND_CHARS = 3, 16, 26  # a legend of any length wraps below the plot


def percent(value: float) -> str:
    return f"{value * 100:.1f} %"


def line_chart(series: Mapping[str, Sequence[tuple[str, float | None]]], *, title: str,
               fmt: Callable[[float], str] = percent) -> str:
    days = sorted({day for points in series.values() for day, _ in points})
    values = [v for points in series.values() for _, v in points if v is not None]
    top = max(values, default=0) or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    x_of = {day: LEFT + (plot_w * i / max(len(days) - 1, 1)) for i, day in enumerate(days)}

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / top)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="{escape(title)}" class="metric-chart" style="max-width:100%;height:auto">',
             f'<text x="{LEFT}" y="14" font-size="12" font-weight="600">{escape(title)}</text>']
    for fraction in (0, 0.5, 1):
        value = top * fraction
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                     f'stroke="#ccc" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 4}" y="{y(value) + 4:.1f}" font-size="10" text-anchor="end">'
                     f'{escape(fmt(value))}</text>')
    if days:
        # The first and last days, anchored inwards so that neither runs off the chart.
        for day, anchor in ((days[0], "start"), (days[-1], "end")) if len(days) > 1 else ((days[0], "middle"),):
            parts.append(f'<text x="{x_of[day]:.1f}" y="{TOP + plot_h + 14}" font-size="10" '
                         f'text-anchor="{anchor}">{escape(day)}</text>')
    if not values:
        parts.append(f'<text x="{LEFT + plot_w / 2}" y="{TOP + plot_h / 2}" font-size="12" text-anchor="middle" '
                     f'fill="#666">No data yet</text>')
    for index, (name, points) in enumerate(series.items()):
        colour = PALETTE[index % len(PALETTE)]
        runs, run = [], []
        for day, value in sorted(points):
            if value is None:
                runs, run = runs + [run] if run else runs, []
                continue
            run.append((x_of[day], y(value)))
        if run:
            runs.append(run)
        for run in runs:
            coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in run)
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{coords}"/>')
            parts += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{colour}"/>' for px, py in run]
        row, column = divmod(index, LEGEND_COLUMNS)
        lx, ly = LEFT + column * (plot_w / LEGEND_COLUMNS), TOP + plot_h + 24 + row * LEGEND_ROW
        parts.append(f'<rect x="{lx:.1f}" y="{ly}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{lx + 14:.1f}" y="{ly + 9}" font-size="11">{escape(name[:LEGEND_CHARS])}</text>')
    parts.append("</svg>")
    rows = (len(series) + LEGEND_COLUMNS - 1) // LEGEND_COLUMNS
    height = TOP + plot_h + 24 + max(rows, 1) * LEGEND_ROW
    parts[0] = parts[0].replace(f'viewBox="0 0 {WIDTH} {HEIGHT}"', f'viewBox="0 0 {WIDTH} {height}"')
    return "".join(parts)
