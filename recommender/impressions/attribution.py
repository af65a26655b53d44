"""Cart additions and purchases of shown products, tied to the impression that showed them.

In: interaction rows of kind cart and purchase recorded in the last ATTRIBUTION_HOURS (+ SWEEP_MARGIN), and the
impressions. Out: `Attribution` rows. A cart addition or purchase of product p by a shopper at t counts for one
impression: among that shopper's impressions holding p shown in (t - ATTRIBUTION_HOURS, t], the latest one on
which they clicked p, else the latest one. So a purchase after the same rail was shown twice counts once, for the
arm that showed it (a shopper has one arm for the experiment's whole run). A purchase carries the revenue of its
order line (unit price x quantity).

Idempotent: each interaction is attributed at most once (a unique index and NOT EXISTS), so the beat task may run
the sweep as often as it likes; a guest's impressions follow them into their account at login (receivers).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from recommender.conf import recommender_setting

SWEEP_MARGIN = timedelta(hours=1)  # interactions recorded late (a queue backlog) are still swept

_SWEEP = """
INSERT INTO recommender_attribution (impression_id, kind, product_id, source, at, interaction_id, order_id, quantity,
                                     revenue)
SELECT DISTINCT ON (x.id)
       imp.id, x.kind, x.product_id, coalesce(imp.sources[array_position(imp.product_ids, x.product_id)], 0),
       x.created_at, x.id, x.order_id,
       CASE WHEN x.kind = 'purchase' THEN coalesce(ol.quantity, 1) ELSE 1 END,
       CASE WHEN x.kind = 'purchase' THEN coalesce(ol.unit_price * ol.quantity, 0) ELSE 0 END
  FROM recommender_interaction x
  JOIN recommender_impression imp
    ON imp.product_ids @> ARRAY[x.product_id]
   AND imp.shown_at <= x.created_at + %(skew)s AND imp.shown_at > x.created_at - %(window)s
   AND (CASE WHEN x.user_id IS NOT NULL THEN imp.user_id = x.user_id
             ELSE imp.user_id IS NULL AND imp.session_key = x.session_key END)
  LEFT JOIN orders_orderline ol
    ON x.kind = 'purchase' AND ol.order_id = x.order_id AND ol.variant_id = x.variant_id
 WHERE x.kind IN ('cart', 'purchase') AND x.created_at > %(since)s
   AND (x.user_id IS NOT NULL OR x.session_key IS NOT NULL)
   AND NOT EXISTS (SELECT 1 FROM recommender_attribution a WHERE a.interaction_id = x.id)
 ORDER BY x.id,
          EXISTS (SELECT 1 FROM recommender_attribution c WHERE c.impression_id = imp.id AND c.kind = 'click'
                     AND c.product_id = x.product_id) DESC,
          imp.shown_at DESC, imp.id DESC
ON CONFLICT DO NOTHING
"""


def attribution_sweep(*, now: datetime | None = None) -> int:
    """Attribute the window's cart additions and purchases not attributed yet; returns rows written."""
    from recommender.impressions.flush import CLOCK_SKEW

    now = now or timezone.now()
    window = timedelta(hours=float(recommender_setting("ATTRIBUTION_HOURS")))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_SWEEP, {"since": now - window - SWEEP_MARGIN, "window": window, "skew": CLOCK_SKEW})
        return max(cursor.rowcount, 0)


def impressions_follow_login(*, session_key: str, user_id: int) -> int:
    """A guest's impressions become the account's (at login), as their interactions do: their purchase, made
    signed in, is then matched to what they were shown as a guest. Returns rows moved."""
    from recommender.impressions.buffer import login_remember
    from recommender.models import Impression

    login_remember(session_key=session_key, user_id=user_id)  # for those still in the buffer
    return Impression.objects.filter(session_key=session_key, user_id__isnull=True).update(user_id=user_id)
