"""How much of the catalogue search by meaning can see, and whether that is enough to rank by.

In: the text model's name (default ``RECOMMENDER["TEXT_MODEL"]``). Out: ``text_vector_coverage()`` ->
``TextCoverage(embedded, products)``: active products with a text vector from that model, and all
active products (one aggregate query). ``share`` is embedded / products in [0, 1]; ``enough`` says
whether the storefront may blend semantic hits in (semantic.semantic_search answers [] otherwise, so
the search is full-text only). The health page shows the same counts.

Why a threshold at all: the semantic side adds up to ~0.6 to a product's rank, about what a name match
earns. While only some products have vectors, those few outrank everything else for every query:
right after a start-up without text vectors, the one product saved in admin came first for "jeans",
"blue summer dress" and "beach" alike. A stale vector (the text changed since) still counts: it was
made from nearly the same words and is redone by the next save or sweep.

The storefront asks on every search, and the aggregate grows with the catalogue (6 ms at 600 products),
so each process keeps the answer for COVERAGE_SECONDS under a key of the newest product and text vector
ids: a new product or vector (an import, a sweep) asks again at once, while a deactivation or deletion is
seen within the minute. ``fresh=True`` (the health page) always counts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, Q

from recommender.conf import recommender_setting
from recommender.models import TextEmbedding
from shop.catalog.models import Product

# Blend meaning in only once 9 products in 10 have a vector: then at most one relevant product in ten
# misses the semantic boost, and the ranking is the catalogue's, not a sample's. Start-up (`make run`)
# and the ten-minute sweep bring a shop to 100 %; below 90 % is an import in progress (the workers
# embed ~64 products a task), during which words alone answer, as they always did.
MIN_TEXT_COVERAGE = 0.9
COVERAGE_SECONDS = 60.0

_clock = time.monotonic  # a name of its own, so a test can move this module's time alone
_remembered: dict[tuple, tuple[float, "TextCoverage"]] = {}


@dataclass(frozen=True)
class TextCoverage:
    embedded: int  # active products with a text vector from the model
    products: int  # active products

    @property
    def share(self) -> float:
        return self.embedded / self.products if self.products else 0.0

    @property
    def enough(self) -> bool:
        return self.products > 0 and self.share >= MIN_TEXT_COVERAGE


def text_vector_coverage(*, model: str | None = None, fresh: bool = False) -> TextCoverage:
    model = model or recommender_setting("TEXT_MODEL")
    if fresh:
        return _count(model)
    key = (connection.settings_dict["NAME"], model, *_newest_ids())
    now = _clock()
    hit = _remembered.get(key)
    if hit is not None and now - hit[0] < COVERAGE_SECONDS:
        return hit[1]
    found = _count(model)
    _remembered.clear()  # one entry is all a process needs: the newest ids only grow
    _remembered[key] = (now, found)
    return found


def _newest_ids() -> tuple[int | None, int | None]:
    """Two primary-key index look-ups, against the aggregate's scan of every active product."""
    return (
        Product.objects.aggregate(newest=Max("pk"))["newest"],
        TextEmbedding.objects.aggregate(newest=Max("pk"))["newest"],
    )


def _count(model: str) -> TextCoverage:
    vector = TextEmbedding.objects.filter(product=OuterRef("pk"), model=model)
    counts = Product.objects.filter(is_active=True).aggregate(
        products=Count("pk"), embedded=Count("pk", filter=Q(Exists(vector)))
    )
    return TextCoverage(embedded=counts["embedded"], products=counts["products"])
