"""Plain-data builders for the ranking tests: products, candidates, shoppers. No database."""

from __future__ import annotations

import numpy as np

from recommender.ranking import Candidate, ProductFacts, Request, Shopper

WEIGHTS = {
    "visual": 1.0,
    "co_buy": 0.9,
    "co_view": 0.6,
    "profile": 0.8,
    "session": 0.7,
    "attribute": 0.3,
    "trending": 0.3,
}


def product(
    pid: int,
    *,
    name: str | None = None,
    category_id: int = 1,
    category_name: str = "Tshirts",
    price: float = 20.0,
    active: bool = True,
    sizes: tuple[str, ...] = ("S", "M", "L"),
    size_type: str | None = "tops",
    colour: str = "",
    brand: str = "",
    vector=None,
) -> ProductFacts:
    return ProductFacts(
        product_id=pid,
        name=name or f"Product {pid}",
        category_id=category_id,
        category_name=category_name,
        price=price,
        active=active,
        sizes_in_stock=frozenset(sizes),
        size_type=size_type,
        colour=colour,
        brand=brand,
        vector=None if vector is None else np.asarray(vector, dtype=np.float32),
    )


def catalogue(*products: ProductFacts) -> dict[int, ProductFacts]:
    return {p.product_id: p for p in products}


def visual(pid: int, score: float, *, anchor: int | None = None, name: str | None = None) -> Candidate:
    return Candidate.from_source(pid, "visual", score, anchor_id=anchor, anchor_name=name)


def counted(source: str, pid: int, count: float, *, anchor: int | None = None, label: str | None = None) -> Candidate:
    return Candidate.from_source(pid, source, count, anchor_id=anchor, label=label)


GUEST = Shopper()


def on(placement: str = "home", **kwargs) -> Request:
    return Request(placement=placement, **kwargs)
