"""Product cards (the `product` of each item in /api/recommendations/), serialised once per product and cached.

Serialising a dozen products (three listing queries, DRF's field machinery) cost more than the rest of a feed
request: in `bench feed` a returning shopper's first request ran at 156 a second against 422 for repeats. The
same products recur across shoppers' feeds, so each card is cached on its own, and whoever ranks a feed ahead of
the shopper (the hourly batch, the refresh after an action: recommender.recommend.feeds.feed_refresh) makes the cards it
shows (`cards_made`): the request only assembles them.

A card is made without a request: its image URL is the storage's (a path for local media), made absolute for
each request's host and scheme when served. It is stored with the catalogue version it was made under: edits in
admin, a size added or removed and catalogue imports bump the version (`catalogue_touched`, from
recommender.receivers), and a card made under another version is made again. One round trip reads the version and
every card. Sizes in stock are never taken from the cache: each card keeps its sizes in display order and the
request's own stock check picks the ones in stock. A card lives as long as the longest-lived feed that may show it
(FEED_BATCH_SECONDS), which bounds how stale an unsignalled write (raw SQL) can leave it. With the cache down
every card is serialised on the request.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from django.core.cache import cache

from recommender.api.serializers import ProductSerializer
from recommender.conf import recommender_setting
from shop.catalog.models import Product

logger = logging.getLogger(__name__)

CATALOGUE_VERSION_KEY = "recommender:catalogue-version"
SIZES = "_sizes"  # every size of the product in display order; never shown


def catalogue_touched() -> None:
    """A product, its sizes, its images or its category changed: cached cards that show them are made again."""
    try:
        if not cache.add(CATALOGUE_VERSION_KEY, 1, timeout=None):
            cache.incr(CATALOGUE_VERSION_KEY)
    except Exception:
        logger.warning("feed cache: could not bump the catalogue version", exc_info=True)


def product_cards(request, product_ids: Sequence[int], stock: Mapping[int, frozenset[str]]) -> dict[int, dict]:
    """{product id: serialised product} for the products that exist, sizes in stock as `stock` says, image URLs
    absolute for this request."""
    try:
        version, cards = _cached(product_ids)
    except Exception:
        logger.warning("feed cache unavailable: serialising every card", exc_info=True)
        version, cards = None, {}
    missing = [pid for pid in product_ids if pid not in cards]
    if missing:
        fresh = _made(missing)
        cards.update(fresh)
        if version is not None:
            _store(version, fresh)
    return {pid: _shown(card, stock.get(pid, frozenset()), request) for pid, card in cards.items()}


def cards_made(product_ids: Sequence[int]) -> int:
    """Make and cache the cards of these products that are not cached under the current catalogue version (for
    workers ranking feeds ahead of the shopper). Returns how many were made; 0 with the cache down."""
    try:
        version, cards = _cached(product_ids)
    except Exception:
        logger.warning("feed cache unavailable: cards not made", exc_info=True)
        return 0
    fresh = _made([pid for pid in product_ids if pid not in cards])
    _store(version, fresh)
    return len(fresh)


def _key(product_id: int) -> str:
    return f"recommender:card:{product_id}"


def _cached(product_ids: Sequence[int]) -> tuple[int, dict[int, dict]]:
    found = cache.get_many([CATALOGUE_VERSION_KEY, *(_key(pid) for pid in product_ids)])
    version = found.get(CATALOGUE_VERSION_KEY, 0)
    cards = {}
    for pid in product_ids:
        made_under, card = found.get(_key(pid), (None, None))
        if made_under == version:
            cards[pid] = card
    return version, cards


def _made(product_ids: Sequence[int]) -> dict[int, dict]:
    if not product_ids:
        return {}
    return {
        pid: {**ProductSerializer(product).data, SIZES: [variant.size for variant in product.variants.all()]}
        for pid, product in Product.objects.for_listing().in_bulk(product_ids).items()
    }


def _store(version: int, cards: dict[int, dict]) -> None:
    if not cards:
        return
    seconds = max(int(recommender_setting("FEED_CACHE_SECONDS")), int(recommender_setting("FEED_BATCH_SECONDS")))
    try:
        cache.set_many({_key(pid): (version, card) for pid, card in cards.items()}, timeout=seconds)
    except Exception:
        logger.warning("feed cache unavailable: cards not stored", exc_info=True)


def _shown(card: dict, in_stock: frozenset[str], request) -> dict:
    shown = {name: value for name, value in card.items() if name != SIZES}
    if shown.get("image"):
        shown["image"] = request.build_absolute_uri(shown["image"])
    shown["sizes_in_stock"] = [size for size in card[SIZES] if size in in_stock]
    return shown
