"""The storefront's SHOP_POPULARITY_PROVIDER: what "Most popular" sorts by when the recommender is installed.

In: `limit`, how many products at most. Out: [(product id, popularity in 0..1)], most popular first, read in
one query from the live generation of behaviour signals (recommender.behaviour): every view, click, like,
cart addition and purchase, weighted by kind and decayed over POPULARITY_HALF_LIFE_DAYS, scaled so the top
product is 1. Products without events are left out; before the first rebuild the list is empty, and the shop
falls back to its own order (units sold plus likes).
"""

from __future__ import annotations

from django.db.models import Subquery

from recommender.models import ProductSignal, SignalGeneration


def product_popularity(*, limit: int) -> list[tuple[int, float]]:
    live = Subquery(SignalGeneration.objects.filter(pk=1).values("current")[:1])
    rows = (ProductSignal.objects.filter(generation=live, popularity__gt=0)
            .order_by("-popularity", "product_id").values_list("product_id", "popularity"))
    return list(rows[:limit])
