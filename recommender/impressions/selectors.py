"""Reads of the online metrics: daily rows with their rates, and series for charts.

In: filters (days back, placement, rail, source, experiment, arm). Out: plain dicts, one per aggregate row, with
the counts and the rates computed from them (None where the denominator is 0): ctr, add_to_cart_after_click,
conversion, revenue_per_visitor, items_per_order. `metric_series` sums rows per day and per series key (a rail, or
an experiment's arm) for the charts.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

COUNTS = ("impressions", "items_shown", "visitors", "clicks", "clicked_impressions", "carts", "carts_after_click",
          "orders", "purchasers", "items_ordered", "revenue")
RATES = {
    "ctr": ("clicked_impressions", "impressions"),
    "add_to_cart_after_click": ("carts_after_click", "clicks"),
    "conversion": ("purchasers", "visitors"),
    "revenue_per_visitor": ("revenue", "visitors"),
    "items_per_order": ("items_ordered", "orders"),
}


def with_rates(row: dict) -> dict:
    out = {**row, "revenue": float(row["revenue"])}
    for name, (top, bottom) in RATES.items():
        out[name] = round(float(row[top]) / row[bottom], 6) if row[bottom] else None
    return out


def metric_rows(*, days: int = 28, placement: str | None = None, rail: str | None = None, source: str | None = "",
                experiment_id: int | None = None, arm: str | None = None) -> list[dict]:
    """`source`: "" the whole rails' rows, a source's name its rows, None every source's rows (not the rails')."""
    from recommender.models import OnlineMetric

    rows = OnlineMetric.objects.filter(day__gt=timezone.now().date() - timedelta(days=days))
    rows = rows.exclude(source="") if source is None else rows.filter(source=source)
    if placement:
        rows = rows.filter(placement=placement)
    if rail:
        rows = rows.filter(rail=rail)
    if experiment_id is not None:
        rows = rows.filter(experiment_id=experiment_id)
    if arm is not None:
        rows = rows.filter(arm=arm)
    return [with_rates({**row, "day": row["day"].isoformat()}) for row in rows.values(
        "day", "placement", "rail", "source", "experiment_id", "arm", *COUNTS)]


def metric_series(rows: list[dict], *, by: str) -> dict[str, list[dict]]:
    """{series key: [per-day summed counts with rates, oldest first]}; `by` is a row field ("rail", "arm")."""
    summed: dict[str, dict[str, dict]] = defaultdict(dict)
    for row in rows:
        key = row[by] or "default"
        day = summed[key].setdefault(row["day"], {"day": row["day"], **{c: 0 for c in COUNTS}})
        for count in COUNTS:
            day[count] += Decimal(str(row[count])) if count == "revenue" else row[count]
    return {key: [with_rates(day) for _, day in sorted(days.items())] for key, days in sorted(summed.items())}


def metric_totals(rows: list[dict]) -> dict:
    total = {c: 0 for c in COUNTS}
    for row in rows:
        for count in COUNTS:
            total[count] += Decimal(str(row[count])) if count == "revenue" else row[count]
    return with_rates(total)
