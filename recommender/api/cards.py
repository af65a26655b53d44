"""Product cards (the `product` of each item in /api/recommendations/), serialised once per product and cached.

A returning shopper's first request after the feed batch (recommender.feed_batch) finds their ranked items ready
but not their payload, and serialising a dozen products (three listing queries, DRF's field machinery) cost more
than the rest of the request: in `bench feed` such requests ran at 156 a second against 422 for repeats. The same
products recur across shoppers' feeds, so each card is cached on its own, under the catalogue version (edits in
admin bump it, `recommender.feeds.catalogue_touched`) and the host and scheme its image URL names. Sizes in stock
are never taken from the cache: each card keeps its sizes in display order and the request's own stock check
picks the ones in stock. As for cached payloads, FEED_CACHE_SECONDS bounds how stale a bulk-imported name or price
can be. With the cache down every card is serialised.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from django.core.cache import cache

from recommender.api.serializers import ProductSerializer
from recommender.conf import recommender_setting
from recommender.feeds import CATALOGUE_VERSION_KEY
from shop.catalog.models import Product

logger = logging.getLogger(__name__)

SIZES = "_sizes"  # every size of the product in display order; never shown


def product_cards(request, product_ids: Sequence[int], stock: Mapping[int, frozenset[str]]) -> dict[int, dict]:
    """{product id: serialised product} for the products that exist, sizes in stock as `stock` says."""
    place = f"{request.get_host()}:{int(request.is_secure())}"
    keys: dict[int, str] = {}
    found: dict[str, dict] = {}
    try:
        version = cache.get(CATALOGUE_VERSION_KEY, 0)
        keys = {pid: f"recommender:card:{version}:{place}:{pid}" for pid in product_ids}
        found = cache.get_many(list(keys.values()))
    except Exception:
        logger.warning("feed cache unavailable: serialising every card", exc_info=True)
        keys = {}
    cards = {pid: found[key] for pid, key in keys.items() if key in found}
    missing = [pid for pid in product_ids if pid not in cards]
    if missing:
        fresh = {
            pid: {**ProductSerializer(product, context={"request": request}).data,
                  SIZES: [variant.size for variant in product.variants.all()]}
            for pid, product in Product.objects.for_listing().in_bulk(missing).items()
        }
        cards.update(fresh)
        if keys:
            try:
                cache.set_many({keys[pid]: card for pid, card in fresh.items()},
                               timeout=int(recommender_setting("FEED_CACHE_SECONDS")))
            except Exception:
                logger.warning("feed cache unavailable: cards not stored", exc_info=True)
    return {pid: _in_stock(card, stock.get(pid, frozenset())) for pid, card in cards.items()}


def _in_stock(card: dict, in_stock: frozenset[str]) -> dict:
    shown = {name: value for name, value in card.items() if name != SIZES}
    shown["sizes_in_stock"] = [size for size in card[SIZES] if size in in_stock]
    return shown
