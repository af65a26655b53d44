"""An experiment's results: per arm counts from its impressions, each arm against the control, and the checks.

In: an `Experiment`. Out: `Results` with, per arm, its units and successes for the primary metric (rails shown and
rails clicked for ctr, rails shown and rails with a cart addition for add_to_cart, shoppers and shoppers who bought
for conversion), the comparison with the control (recommender.experiments.stats: difference, its interval,
p-value, significant at the experiment's alpha), the sample-ratio check of shoppers per arm against the shares,
the sample size per arm the observed difference needs and how many more that is, and the daily series of the
metric per arm for the chart. Counts come straight from the impressions (one query), so they include today's.
A winner is named only when its difference is significant and the sample ratio is sound.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from recommender.experiments import stats
from recommender.experiments.serving import arm_failures

_COUNTS = """
WITH a AS (
    SELECT impression_id, bool_or(kind = 'click') AS clicked, bool_or(kind = 'cart') AS carted,
           bool_or(kind = 'purchase') AS bought, coalesce(sum(revenue) FILTER (WHERE kind = 'purchase'), 0) AS revenue
      FROM recommender_attribution
     WHERE impression_id IN (SELECT id FROM recommender_impression WHERE experiment_id = %(id)s)
     GROUP BY impression_id
)
SELECT i.arm, count(*), count(*) FILTER (WHERE a.clicked), count(*) FILTER (WHERE a.carted),
       count(DISTINCT coalesce('u' || i.user_id, 's' || i.session_key)),
       count(DISTINCT coalesce('u' || i.user_id, 's' || i.session_key)) FILTER (WHERE a.bought),
       coalesce(sum(a.revenue), 0)
  FROM recommender_impression i LEFT JOIN a ON a.impression_id = i.id
 WHERE i.experiment_id = %(id)s
 GROUP BY i.arm
"""
# primary metric -> (units, successes) among an arm's counts
UNITS = {"ctr": ("impressions", "clicked"), "add_to_cart": ("impressions", "carted"),
         "conversion": ("visitors", "purchasers")}


@dataclass
class ArmResult:
    name: str
    share: int
    is_control: bool
    impressions: int = 0
    clicked: int = 0
    carted: int = 0
    visitors: int = 0
    purchasers: int = 0
    revenue: float = 0.0
    failures: int = 0
    rate: float = 0.0
    comparison: stats.Comparison | None = None  # None for the control

    @property
    def rate_percent(self) -> str:
        return f"{self.rate * 100:.2f} %"

    @property
    def revenue_per_visitor(self) -> float | None:
        return self.revenue / self.visitors if self.visitors else None


@dataclass
class Results:
    metric: str
    alpha: float
    arms: list[ArmResult]
    sample_ratio: stats.SampleRatio
    needed_per_arm: int | None
    still_needed: int | None
    winner: str | None
    daily: dict[str, list[tuple[str, float | None]]] = field(default_factory=dict)


def arm_counts(experiment_id: int) -> dict[str, dict]:
    with connection.cursor() as cursor:
        cursor.execute(_COUNTS, {"id": experiment_id})
        return {arm: {"impressions": n, "clicked": c, "carted": k, "visitors": v, "purchasers": p,
                      "revenue": float(r)} for arm, n, c, k, v, p, r in cursor.fetchall()}


def experiment_results(experiment) -> Results:
    arms = list(experiment.arms.all())
    counts = arm_counts(experiment.pk)
    units, successes = UNITS[experiment.primary_metric]
    results = []
    for arm in arms:
        row = ArmResult(name=arm.name, share=arm.share, is_control=arm.is_control, **counts.get(arm.name, {}),
                        failures=arm_failures(experiment_id=experiment.pk, arm=arm.name))
        trials = getattr(row, units)
        row.rate = getattr(row, successes) / trials if trials else 0.0
        results.append(row)
    control = next((r for r in results if r.is_control), results[0])
    control_p = stats.Proportion(getattr(control, successes), getattr(control, units))
    for row in results:
        if row is not control:
            row.comparison = stats.proportion_compare(
                control_p, stats.Proportion(getattr(row, successes), getattr(row, units)), alpha=experiment.alpha)
    ratio = stats.sample_ratio_check({r.name: r.visitors for r in results}, {r.name: r.share for r in results})
    compared = [r for r in results if r.comparison is not None]
    # The smallest observed difference decides how many units are still needed.
    needed = None
    for row in compared:
        n = stats.sample_size_per_arm(control.rate, row.rate, alpha=experiment.alpha, power=experiment.power)
        if n is not None:
            needed = n if needed is None else max(needed, n)
    still = stats.sample_still_needed([getattr(r, units) for r in results], needed)
    winner = None
    if not ratio.mismatch:
        best = max(compared, key=lambda r: r.comparison.difference, default=None)
        if best is not None and best.comparison.winner == "treatment":
            winner = best.name
        elif compared and all(r.comparison.winner == "control" for r in compared):
            winner = control.name
    return Results(metric=experiment.primary_metric, alpha=experiment.alpha, arms=results, sample_ratio=ratio,
                   needed_per_arm=needed, still_needed=still, winner=winner, daily=daily_series(experiment))


def daily_series(experiment) -> dict[str, list[tuple[str, float | None]]]:
    """The primary metric per arm and day, from the daily aggregate (recommender.impressions.metrics)."""
    from recommender.impressions.selectors import metric_rows, metric_series

    rows = metric_rows(days=400, experiment_id=experiment.pk)
    series = metric_series(rows, by="arm")
    rate = {"ctr": lambda d: d["ctr"],
            "add_to_cart": lambda d: d["carts"] / d["impressions"] if d["impressions"] else None,
            "conversion": lambda d: d["conversion"]}[experiment.primary_metric]
    return {arm: [(d["day"], rate(d)) for d in days] for arm, days in series.items()}


def results_as_dict(results: Results) -> dict:
    def comparison(c: stats.Comparison | None):
        if c is None:
            return None
        return {"difference": round(c.difference, 6), "ci_low": round(c.low, 6), "ci_high": round(c.high, 6),
                "lift": round(c.lift, 6) if c.lift is not None else None, "p_value": round(c.p_value, 6),
                "significant": c.significant}

    return {
        "metric": results.metric, "alpha": results.alpha, "winner": results.winner,
        "arms": [{"name": r.name, "share": r.share, "is_control": r.is_control, "impressions": r.impressions,
                  "clicked_impressions": r.clicked, "carted_impressions": r.carted, "visitors": r.visitors,
                  "purchasers": r.purchasers, "revenue": round(r.revenue, 2),
                  "revenue_per_visitor": round(r.revenue_per_visitor, 4) if r.revenue_per_visitor is not None
                  else None, "rate": round(r.rate, 6), "failures": r.failures,
                  "vs_control": comparison(r.comparison)} for r in results.arms],
        "sample_ratio": {"p_value": round(results.sample_ratio.p_value, 6),
                         "mismatch": results.sample_ratio.mismatch,
                         "observed": results.sample_ratio.observed,
                         "expected": {k: round(v, 2) for k, v in results.sample_ratio.expected.items()}},
        "sample_size_per_arm": results.needed_per_arm, "sample_still_needed": results.still_needed,
        "daily": {arm: [{"day": d, "value": v} for d, v in points] for arm, points in results.daily.items()},
    }
