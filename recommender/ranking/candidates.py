"""The plain data that ranking works on: evidence from each source, candidates, product facts, shopper, request.

In (built by `recommender.recommend.candidates` from database rows, never here):
- `Evidence(source, score, anchor_id, anchor_name, label)`: one reason a source gives for one product. The score
  contract depends on the source:
  * visual, profile, session: a cosine similarity in [-1, 1]; negatives count as 0.
  * co_view, co_buy: the association score in [0, 1] of `recommender.behaviour` (co-occurrence cosine, shrunk
    towards 0 when seen together only a few times). Absolute: comparable across products and requests.
  * attribute: a match fraction in [0, 1].
  * history: how strongly the shopper came back to an item they did not buy, in [0, 1] (see
    `recommender.ranking.features.history_strength`).
  * collab: any non-negative factor score (the learned model's dot product); relative, like trending.
  * trending: any non-negative decayed popularity (behaviour's is scaled so the catalogue's top product is 1);
    only its ratio to the request's best trending candidate is used, see `blend`.
  A score outside its range raises `ValueError` at construction (a raw count or a distance passed, say).
- `Candidate(product_id, evidence)`: one product with every piece of evidence that reached it; `merge` joins the
  candidates of several sources so a product reached twice keeps both.
- `ProductFacts`: what filters, diversity and reasons need to know about a product.
- `Shopper`, `Request`: who asks and where; see `recommender.ranking.filters` for what each field excludes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Source(StrEnum):
    """Declaration order breaks ties between equally strong reasons: the more specific reason first."""

    HISTORY = "history"  # viewed (or carted) before and not bought: "You viewed this last week"
    CO_BUY = "co_buy"
    VISUAL = "visual"
    CO_VIEW = "co_view"
    PROFILE = "profile"
    COLLAB = "collab"  # near the shopper's factors in the model learned from the log: "Shoppers like you bought this"
    SESSION = "session"  # a guest's (or anyone's) items viewed this visit: "Because you viewed X"
    ATTRIBUTE = "attribute"
    TRENDING = "trending"

    @property
    def is_relative(self) -> bool:
        """True when the score's scale means nothing on its own (it is rescaled within each request)."""
        return self in RELATIVE_SOURCES

    @property
    def lowest(self) -> float:
        return -1.0 if self in COSINE_SOURCES else 0.0


COSINE_SOURCES = frozenset({Source.VISUAL, Source.PROFILE, Source.SESSION})
RELATIVE_SOURCES = frozenset({Source.TRENDING, Source.COLLAB})


class Placement(StrEnum):
    PRODUCT = "product"  # "you may also like" under one product; anchors = that product
    HOME = "home"  # "for you"
    CART = "cart"  # "complete the look"; anchors = the cart's products
    SEARCH = "search"  # photo or text search results


@dataclass(frozen=True, slots=True)
class Evidence:
    source: Source
    score: float
    anchor_id: int | None = None  # the product this one looks like / was bought with / the liked item
    anchor_name: str | None = None  # shown in the reason; looked up in the facts when missing
    label: str | None = None  # free text for anchorless reasons, e.g. the category a product trends in

    def __post_init__(self) -> None:
        source = Source(self.source)  # accepts plain strings, rejects unknown ones
        object.__setattr__(self, "source", source)
        score = float(self.score)
        if not math.isfinite(score):
            raise ValueError(f"{source} score must be finite, got {self.score!r}")
        if score < source.lowest or (not source.is_relative and score > 1.0 + 1e-6):
            bound = "[0, inf)" if source.is_relative else f"[{source.lowest:g}, 1]"
            raise ValueError(f"{source} score must be in {bound}, got {score}")
        object.__setattr__(self, "score", score)


@dataclass(frozen=True, slots=True)
class Candidate:
    product_id: int
    evidence: tuple[Evidence, ...]

    @classmethod
    def from_source(
        cls,
        product_id: int,
        source: Source | str,
        score: float,
        *,
        anchor_id: int | None = None,
        anchor_name: str | None = None,
        label: str | None = None,
    ) -> Candidate:
        return cls(product_id, (Evidence(Source(source), score, anchor_id, anchor_name, label),))


def merge(candidates: Iterable[Candidate]) -> list[Candidate]:
    """One candidate per product id, ordered by id, keeping every piece of evidence (duplicates dropped)."""
    evidence: dict[int, dict[Evidence, None]] = {}
    for candidate in candidates:
        evidence.setdefault(candidate.product_id, {}).update(dict.fromkeys(candidate.evidence))
    return [Candidate(pid, tuple(evidence[pid])) for pid in sorted(evidence)]


@dataclass(frozen=True, slots=True)
class ProductFacts:
    product_id: int
    name: str
    category_id: int
    category_name: str
    price: float
    active: bool
    sizes_in_stock: frozenset[str]  # sizes with stock > 0; empty = out of stock
    size_type: str | None = None  # key into Shopper.sizes ("tops", "shoes"...); None = one size / no sizing
    colour: str = ""
    brand: str = ""
    # What staff rules match on (recommender.ranking.rules): department is the catalogue's gender.
    department: str = ""
    season: str = ""
    created_at: datetime | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    # L2-normalised embedding for diversity; vectors of a minority dimension (an encoder switch under way) are
    # treated as missing.
    vector: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Shopper:
    """Unknown shopper = `Shopper()`: no sizes, nothing bought or viewed."""

    sizes: Mapping[str, frozenset[str]] = field(default_factory=dict, compare=False)  # size type -> usual sizes
    bought_ids: frozenset[int] = frozenset()
    recently_viewed_ids: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Request:
    placement: Placement
    k: int = 12
    anchor_ids: frozenset[int] = frozenset()  # the product on the page, or the cart's products: never recommended
    category_ids: frozenset[int] | None = None  # the caller expands a category to its subtree
    price_min: float | None = None
    price_max: float | None = None
    size: str | None = None  # an explicit size filter; overrides the shopper's usual sizes
    # k counts only items new to the shopper: what the list brings back because they viewed it before (its strongest
    # evidence the history source) comes beside them, so the home page can show both apart (recommender.rails).
    history_beside: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "placement", Placement(self.placement))
        if self.k < 1:
            raise ValueError(f"k must be at least 1, got {self.k}")
        if self.price_min is not None and self.price_max is not None and self.price_min > self.price_max:
            raise ValueError(f"price_min {self.price_min} is above price_max {self.price_max}")
