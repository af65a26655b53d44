"""The health page's online metrics: time-series charts per rail and a table per rail and source.

In: the daily aggregate (recommender.impressions.selectors), the last DAYS days, outside experiments and inside
them alike. Out: `OnlinePanel` with inline SVG charts (CTR, conversion and revenue per visitor, one line per rail),
the period's totals per rail and per source, and the running experiment's name; empty (`has_data` False) before
the first impressions are aggregated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.safestring import mark_safe

from recommender.impressions.charts import line_chart, percent
from recommender.impressions.selectors import metric_rows, metric_series, metric_totals

DAYS = 28
CHARTS = (("ctr", "Click-through rate (rails clicked / rails shown)", percent),
          ("conversion", "Conversion (shoppers who bought a recommended item / shoppers)", percent),
          ("revenue_per_visitor", "Revenue per shopper shown a rail", lambda v: f"{v:.2f}"))


@dataclass
class OnlinePanel:
    has_data: bool
    charts: list = field(default_factory=list)
    rails: list = field(default_factory=list)  # (placement / rail, totals)
    sources: list = field(default_factory=list)  # (source, totals)
    experiment: object = None


def online_panel() -> OnlinePanel:
    from recommender.models import Experiment, ExperimentStatus

    rows = metric_rows(days=DAYS)
    experiment = Experiment.objects.filter(status=ExperimentStatus.RUNNING).first()
    if not rows:
        return OnlinePanel(has_data=False, experiment=experiment)
    for row in rows:
        row["series"] = f"{row['placement']}/{row['rail']}"
    series = metric_series(rows, by="series")
    # line_chart escapes every text it draws: its SVG is safe to insert as it is.
    charts = [mark_safe(line_chart({name: [(d["day"], d[rate]) for d in days]  # noqa: S308
                                    for name, days in series.items()}, title=title, fmt=fmt))
              for rate, title, fmt in CHARTS]
    rails = [(name, _shown(metric_totals([r for r in rows if r["series"] == name]))) for name in series]
    by_source = metric_rows(days=DAYS, source=None)
    names = sorted({r["source"] for r in by_source if r["source"]})
    sources = [(name, _shown(metric_totals([r for r in by_source if r["source"] == name]))) for name in names]
    return OnlinePanel(has_data=True, charts=charts, rails=rails, sources=sources, experiment=experiment)


def _shown(totals: dict) -> dict:
    """The totals with each rate as the table prints it ("—" where it has no denominator)."""
    def text(value, fmt):
        return "—" if value is None else fmt(value)

    return {**totals, "text": {
        "ctr": text(totals["ctr"], percent), "cart": text(totals["add_to_cart_after_click"], percent),
        "conversion": text(totals["conversion"], percent),
        "rpv": text(totals["revenue_per_visitor"], lambda v: f"{v:.2f}"),
        "ipo": text(totals["items_per_order"], lambda v: f"{v:.1f}")}}
