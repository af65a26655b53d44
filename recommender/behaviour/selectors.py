"""Behaviour readers, one query each, on the live generation (see recommender.models.behaviour).

co_occurring  {product: [(neighbour, score 0..1), ...]} best first, at most k each
trending      [(product, trending 0..1), ...] best first, optionally within a category's subtree
"""

from __future__ import annotations

from typing import Iterable

from django.db.models import Subquery

from recommender.models import ItemNeighbour, ProductSignal, SignalGeneration
from shop.catalog.selectors import category_subtree_q


def _live():
    return Subquery(SignalGeneration.objects.filter(pk=1).values("current")[:1])


def co_occurring(*, product_ids: Iterable[int], kind: str, k: int = 10) -> dict[int, list[tuple[int, float]]]:
    ids = list(product_ids)
    found: dict[int, list[tuple[int, float]]] = {pid: [] for pid in ids}
    if not ids:
        return found
    rows = (ItemNeighbour.objects.filter(generation=_live(), kind=kind, product_id__in=ids)
            .order_by("product_id", "-score", "neighbour_id").values_list("product_id", "neighbour_id", "score"))
    for product_id, neighbour_id, score in rows:
        if len(found[product_id]) < k:
            found[product_id].append((neighbour_id, score))
    return found


def trending(*, k: int = 20, category_id: int | None = None, exclude: Iterable[int] = ()) -> list[tuple[int, float]]:
    rows = ProductSignal.objects.filter(generation=_live(), trending__gt=0)
    if category_id is not None:
        rows = rows.filter(category_subtree_q(category_id, field="product__category"))
    excluded = list(exclude)
    if excluded:
        rows = rows.exclude(product_id__in=excluded)
    return list(rows.order_by("-trending", "product_id").values_list("product_id", "trending")[:k])
