"""The daily online metrics: impressions and their attributions summed into `OnlineMetric`, and old rows pruned.

In: impressions shown since the first day rebuilt, with their attributions. Out: one `OnlineMetric` row per day
(UTC), placement, rail, source ("" for the rail as a whole), experiment (0: none) and arm, replacing those days'
rows in one transaction. Days are those of the impressions: a purchase the day after the rail counts for the
rail's day, so a day's figures settle once ATTRIBUTION_HOURS have passed, and only those days are rebuilt
(`online_metrics_rebuild(days=None)`); an empty table is filled for every kept day.

Per source, a row counts the impressions that held an item of that source, the items of that source shown, and
the clicks, cart additions and purchases of those items. Rates are read off the counts (recommender.impressions
.selectors): CTR = clicked_impressions / impressions, add-to-cart after a click = carts_after_click / clicks,
conversion = purchasers / visitors, revenue per visitor = revenue / visitors, items per order = items_ordered /
orders.

`impressions_prune()` deletes impressions older than IMPRESSION_KEEP_DAYS (their attributions with them) and the
metric rows of those days.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection, transaction
from django.utils import timezone

from recommender.conf import recommender_setting
from recommender.impressions.codes import SOURCE_CODES

_SHOWN = {
    # whole rail: one row per impression
    "rail": """SELECT id, (shown_at AT TIME ZONE 'UTC')::date AS day, placement, rail, ''::text AS source,
                      coalesce(experiment_id, 0) AS exp, arm, cardinality(product_ids) AS n,
                      coalesce('u' || user_id, 's' || session_key, 'r' || request_id) AS who
                 FROM recommender_impression WHERE shown_at >= %(since)s""",
    # per source: one row per impression and source it held
    "source": """SELECT i.id, (i.shown_at AT TIME ZONE 'UTC')::date AS day, i.placement, i.rail,
                        coalesce((%(names)s::text[])[s.code + 1], '') AS source, coalesce(i.experiment_id, 0) AS exp,
                        i.arm, count(*) AS n,
                        coalesce('u' || i.user_id, 's' || i.session_key, 'r' || i.request_id) AS who, s.code
                   FROM recommender_impression i, unnest(i.sources) AS s(code)
                  WHERE i.shown_at >= %(since)s
                  GROUP BY i.id, s.code""",
}

_REBUILD = """
WITH imp AS ({shown}),
att AS (
    SELECT imp.day, imp.placement, imp.rail, imp.source, imp.exp, imp.arm, imp.id AS imp_id, imp.who, a.kind,
           a.order_id, a.quantity, a.revenue,
           a.kind = 'cart' AND EXISTS (SELECT 1 FROM recommender_attribution c WHERE c.impression_id = a.impression_id
                                          AND c.product_id = a.product_id AND c.kind = 'click') AS after_click
      FROM recommender_attribution a JOIN imp ON imp.id = a.impression_id {source_match}
),
shown AS (
    SELECT day, placement, rail, source, exp, arm, count(*) AS impressions, sum(n) AS items,
           count(DISTINCT who) AS visitors
      FROM imp GROUP BY 1, 2, 3, 4, 5, 6
),
acted AS (
    SELECT day, placement, rail, source, exp, arm,
           count(*) FILTER (WHERE kind = 'click') AS clicks,
           count(DISTINCT imp_id) FILTER (WHERE kind = 'click') AS clicked,
           count(*) FILTER (WHERE kind = 'cart') AS carts,
           count(*) FILTER (WHERE after_click) AS carts_after_click,
           count(DISTINCT order_id) FILTER (WHERE kind = 'purchase') AS orders,
           count(DISTINCT who) FILTER (WHERE kind = 'purchase') AS purchasers,
           coalesce(sum(quantity) FILTER (WHERE kind = 'purchase'), 0) AS items_ordered,
           coalesce(sum(revenue) FILTER (WHERE kind = 'purchase'), 0) AS revenue
      FROM att GROUP BY 1, 2, 3, 4, 5, 6
)
INSERT INTO recommender_onlinemetric (day, placement, rail, source, experiment_id, arm, impressions, items_shown,
                                      visitors, clicks, clicked_impressions, carts, carts_after_click, orders,
                                      purchasers, items_ordered, revenue)
SELECT s.day, s.placement, s.rail, s.source, s.exp, s.arm, s.impressions, s.items, s.visitors,
       coalesce(a.clicks, 0), coalesce(a.clicked, 0), coalesce(a.carts, 0), coalesce(a.carts_after_click, 0),
       coalesce(a.orders, 0), coalesce(a.purchasers, 0), coalesce(a.items_ordered, 0), coalesce(a.revenue, 0)
  FROM shown s LEFT JOIN acted a USING (day, placement, rail, source, exp, arm)
"""


def _days_to_rebuild() -> int:
    from recommender.models import OnlineMetric

    if not OnlineMetric.objects.exists():
        return int(recommender_setting("IMPRESSION_KEEP_DAYS"))
    return math.ceil(float(recommender_setting("ATTRIBUTION_HOURS")) / 24) + 1


def online_metrics_rebuild(*, days: int | None = None, today: date | None = None) -> dict:
    """Rebuild the last `days` days (today included); returns {"since": iso day, "rows": rows written}."""
    from recommender.models import OnlineMetric

    days = _days_to_rebuild() if days is None else days
    today = today or timezone.now().date()
    since_day = today - timedelta(days=max(days, 1) - 1)
    since = datetime.combine(since_day, time.min, tzinfo=UTC)
    params = {"since": since, "names": list(SOURCE_CODES)}
    rows = 0
    with transaction.atomic():
        OnlineMetric.objects.filter(day__gte=since_day).delete()
        with connection.cursor() as cursor:
            for variant, match in (("rail", ""), ("source", "AND a.source = imp.code")):
                cursor.execute(_REBUILD.format(shown=_SHOWN[variant], source_match=match), params)
                rows += max(cursor.rowcount, 0)
    return {"since": since_day.isoformat(), "rows": rows}


def impressions_prune(*, now=None) -> dict:
    from recommender.models import Impression, OnlineMetric

    now = now or timezone.now()
    cutoff = now - timedelta(days=float(recommender_setting("IMPRESSION_KEEP_DAYS")))
    with transaction.atomic():
        # Attributions go with their impressions (ON DELETE CASCADE in Django: one DELETE per table here).
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM recommender_attribution a USING recommender_impression i "
                           "WHERE a.impression_id = i.id AND i.shown_at < %s", [cutoff])
            attributions = cursor.rowcount
            cursor.execute("DELETE FROM recommender_impression WHERE shown_at < %s", [cutoff])
            impressions = cursor.rowcount
        metrics = OnlineMetric.objects.filter(day__lt=cutoff.date()).delete()[0]
    return {"impressions": impressions, "attributions": attributions, "metrics": metrics}
