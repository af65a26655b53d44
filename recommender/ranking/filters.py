"""Hard filters: which candidates may be shown at all. Nothing here scores.

In: candidates, `ProductFacts` by id, a `Shopper`, a `Request`. Out: the candidates that pass, in input order;
`why_excluded` gives the reason a single product is dropped (for tests, logs and the admin preview).

Always excluded, on every placement:
- a product with no facts (deleted since the neighbours were computed), inactive, or with no size in stock;
- not in the wanted size: the request's explicit `size` when given, else the shopper's usual sizes for the
  product's `size_type` when known. A product without a size type (bags, sunglasses) passes; so does every
  product for a shopper whose size for that type is unknown, since guessing would hide the whole catalogue;
- outside the request's price range or category set;
- the request's anchors: the product on the page, the products already in the cart.

Excluded by placement (`EXCLUSIONS`):
- bought: hidden on product, home and cart (fashion is seldom bought twice), shown in search, which answers a query
  and must find an item a shopper wants again;
- recently viewed: hidden only on home, whose "for you" should not replay the last visit; kept under a product
  and in the cart, where an item the shopper weighed a moment ago is exactly what helps them decide.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .candidates import Candidate, Placement, ProductFacts, Request, Shopper


@dataclass(frozen=True, slots=True)
class Exclusions:
    bought: bool
    recently_viewed: bool


EXCLUSIONS: Mapping[Placement, Exclusions] = {
    Placement.PRODUCT: Exclusions(bought=True, recently_viewed=False),
    Placement.HOME: Exclusions(bought=True, recently_viewed=True),
    Placement.CART: Exclusions(bought=True, recently_viewed=False),
    Placement.SEARCH: Exclusions(bought=False, recently_viewed=False),
}


def wanted_sizes(facts: ProductFacts, *, shopper: Shopper, request: Request) -> frozenset[str] | None:
    """The sizes that would make this product fit; None when any size will do."""
    if request.size is not None:
        return frozenset({request.size}) if facts.size_type is not None else None
    if facts.size_type is None:
        return None
    return frozenset(shopper.sizes.get(facts.size_type, ())) or None


def why_excluded(product_id: int, facts: ProductFacts | None, *, shopper: Shopper, request: Request) -> str | None:
    """None when the product may be shown, else a short reason."""
    if facts is None:
        return "unknown product"
    if not facts.active:
        return "inactive"
    if not facts.sizes_in_stock:
        return "out of stock"
    sizes = wanted_sizes(facts, shopper=shopper, request=request)
    if sizes is not None and not sizes & facts.sizes_in_stock:
        return "not in stock in the wanted size"
    if request.price_min is not None and facts.price < request.price_min:
        return "below the price range"
    if request.price_max is not None and facts.price > request.price_max:
        return "above the price range"
    if request.category_ids is not None and facts.category_id not in request.category_ids:
        return "outside the category"
    if product_id in request.anchor_ids:
        return "is the anchor"
    exclusions = EXCLUSIONS[request.placement]
    if exclusions.bought and product_id in shopper.bought_ids:
        return "already bought"
    if exclusions.recently_viewed and product_id in shopper.recently_viewed_ids:
        return "recently viewed"
    return None


def filter_candidates(
    candidates: Iterable[Candidate], *, facts: Mapping[int, ProductFacts], shopper: Shopper, request: Request
) -> list[Candidate]:
    return [
        c
        for c in candidates
        if why_excluded(c.product_id, facts.get(c.product_id), shopper=shopper, request=request) is None
    ]
