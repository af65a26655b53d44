"""Learned-ranking features: one row of floats per candidate, computed from facts already fetched. Pure (numpy).

In: candidates (merged and filtered), `ProductFacts` by id and a `Context`: the shopper's history as plain `Event`s
(newest first, each with the attributes of its product), `ItemStats` of the candidates (popularity, trend, age,
usage, department), the candidates' factor scores from the collaborative model, the style-profile vector and the
placement. Out: `features_matrix(...)` -> float32 [n candidates, len(FEATURES)], rows in candidate order.

What the columns say (missing evidence is 0, so "not reached" and "weak" sit at the same end of each scale):
- per source: its normalised score ([0, 1], as `blend` puts it) and 1 / its rank among this request's candidates;
- the linear blend's score and 1 / its rank (with the weights the shop serves), so the model starts from it;
- the factor score (dot product, raw) and 1 / its rank; the cosine to the style profile;
- the shopper's affinity (share of their decayed, kind-weighted history) for the candidate's category, colour,
  usage, department, brand and price band, and its price's distance from their usual price (log ratio);
- viewed before and not bought: how often (views of this product), days since the last view (0 when never viewed),
  carted before, liked;
- popularity and trend (behaviour's 0..1), product age in days, sizes in stock, placement, how many sources reached it,
  how long the shopper's history is.
`history_strength` is the score the history source gives ("viewed before, not bought"), shared with its selector.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .blend import blend, normalised_evidence
from .candidates import Candidate, Placement, ProductFacts, Source

HISTORY_HALF_LIFE_DAYS = 21.0  # an act this old counts half in the shopper's affinities
PRICE_BAND_RATIO = 1.5  # price bands are powers of this: 10-15, 15-22.5, ...
NEVER_VIEWED = 0.0
KIND_WEIGHTS = {"view": 1.0, "click": 1.5, "like": 3.0, "cart": 4.0, "purchase": 6.0}
AFFINITIES = ("category", "colour", "usage", "department", "brand", "price_band")
PLACEMENT_CODES = {placement: i for i, placement in enumerate(Placement)}


@dataclass(frozen=True, slots=True)
class Attributes:
    category_id: int = 0
    colour: str = ""
    usage: str = ""
    department: str = ""
    brand: str = ""
    price: float = 0.0

    def value(self, name: str):
        if name == "price_band":
            return price_band(self.price)
        if name == "category":
            return self.category_id
        return getattr(self, name)


@dataclass(frozen=True, slots=True)
class Event:
    product_id: int
    kind: str  # view, click, like, cart, purchase
    age_days: float  # before the request's moment
    attributes: Attributes = Attributes()


@dataclass(frozen=True, slots=True)
class ItemStats:
    attributes: Attributes = Attributes()
    popularity: float = 0.0  # behaviour's decayed popularity, the catalogue's top product 1
    trending: float = 0.0
    age_days: float = 0.0  # since the product was created


@dataclass(frozen=True)
class Context:
    events: Sequence[Event] = ()
    items: Mapping[int, ItemStats] = field(default_factory=dict)
    factor_scores: Mapping[int, float] = field(default_factory=dict)
    profile_vector: Any = None  # unit vector or None
    placement: Placement = Placement.HOME
    blend_weights: Mapping[str, float] | None = None  # the linear blend the shop serves: its score is a feature
    cosine_floor: float = 0.0


SOURCES = tuple(Source)
FEATURES: tuple[str, ...] = (
    *(f"score_{s.value}" for s in SOURCES),
    *(f"rank_{s.value}" for s in SOURCES),
    "blend_score", "blend_rank", "factor_score", "factor_rank", "profile_cosine",
    *(f"affinity_{name}" for name in AFFINITIES),
    "price_distance",
    "views", "days_since_view", "carted_before", "liked",
    "popularity", "trending", "product_age_days", "sizes_in_stock", "placement", "sources", "history_length",
)


def price_band(price: float) -> int:
    return int(math.floor(math.log(max(price, 1.0)) / math.log(PRICE_BAND_RATIO)))


def history_strength(views: float, days_since: float) -> float:
    """In [0, 1): more returns count more, each further one less; a month-old last view counts half."""
    return (1.0 - 0.5 ** views) * 0.5 ** (days_since / 30.0)


@dataclass
class _History:
    affinity: dict[str, dict[object, float]]
    views: dict[int, int]
    last_view: dict[int, float]
    carted: set[int]
    liked: set[int]
    bought: set[int]
    mean_log_price: float | None


def _history(events: Sequence[Event]) -> _History:
    affinity: dict[str, dict[object, float]] = {name: defaultdict(float) for name in AFFINITIES}
    views: dict[int, int] = defaultdict(int)
    last_view: dict[int, float] = {}
    carted, liked, bought = set(), set(), set()
    total, log_price = 0.0, 0.0
    for e in events:
        w = KIND_WEIGHTS.get(e.kind, 1.0) * 0.5 ** (max(e.age_days, 0.0) / HISTORY_HALF_LIFE_DAYS)
        total += w
        for name in AFFINITIES:
            affinity[name][e.attributes.value(name)] += w
        if e.attributes.price > 0:
            log_price += w * math.log(e.attributes.price)
        if e.kind in ("view", "click"):
            views[e.product_id] += 1
            last_view[e.product_id] = min(last_view.get(e.product_id, math.inf), e.age_days)
        elif e.kind == "cart":
            carted.add(e.product_id)
        elif e.kind == "like":
            liked.add(e.product_id)
        elif e.kind == "purchase":
            bought.add(e.product_id)
    if total > 0:
        for name in AFFINITIES:
            affinity[name] = {key: value / total for key, value in affinity[name].items()}
    return _History(affinity, views, last_view, carted, liked, bought, log_price / total if total > 0 else None)


def _inverse_ranks(values: Mapping[int, float]) -> dict[int, float]:
    order = sorted(values, key=lambda pid: (-values[pid], pid))
    return {pid: 1.0 / (i + 1) for i, pid in enumerate(order)}


def features_matrix(candidates: Sequence[Candidate], *, facts: Mapping[int, ProductFacts],
                    context: Context) -> np.ndarray:
    """float32 [len(candidates), len(FEATURES)]; see the module docstring for each column."""
    history = _history(context.events)
    normalised = normalised_evidence(candidates)
    per_source: dict[Source, dict[int, float]] = {s: {} for s in SOURCES}
    for product_id, items in normalised.items():
        combined: dict[Source, float] = defaultdict(lambda: 1.0)
        for evidence, n in items:
            combined[evidence.source] *= 1.0 - n
        for source, remaining in combined.items():
            per_source[source][product_id] = 1.0 - remaining
    source_ranks = {s: _inverse_ranks(values) for s, values in per_source.items()}
    blended = {s.product_id: s.score for s in blend(candidates, weights=context.blend_weights,
                                                    cosine_floor=context.cosine_floor)} \
        if context.blend_weights and candidates else {}
    blend_ranks = _inverse_ranks(blended)
    factor = {c.product_id: context.factor_scores[c.product_id] for c in candidates
              if c.product_id in context.factor_scores}
    factor_ranks = _inverse_ranks(factor)
    profile = context.profile_vector
    placement = PLACEMENT_CODES[Placement(context.placement)]
    rows = np.zeros((len(candidates), len(FEATURES)), dtype=np.float32)
    for i, candidate in enumerate(candidates):
        pid = candidate.product_id
        fact = facts.get(pid)
        stats = context.items.get(pid, ItemStats())
        attributes = stats.attributes
        vector = fact.vector if fact is not None else None
        cosine = float(vector @ profile) if vector is not None and profile is not None \
            and len(vector) == len(profile) else 0.0
        price = fact.price if fact is not None else attributes.price
        distance = abs(math.log(max(price, 1.0)) - history.mean_log_price) if history.mean_log_price is not None \
            else 0.0
        row = [
            *(per_source[s].get(pid, 0.0) for s in SOURCES),
            *(source_ranks[s].get(pid, 0.0) for s in SOURCES),
            blended.get(pid, 0.0), blend_ranks.get(pid, 0.0), factor.get(pid, 0.0), factor_ranks.get(pid, 0.0), cosine,
            *(history.affinity[name].get(attributes.value(name), 0.0) for name in AFFINITIES),
            distance,
            float(history.views.get(pid, 0)), history.last_view.get(pid, NEVER_VIEWED),
            float(pid in history.carted and pid not in history.bought), float(pid in history.liked),
            stats.popularity, stats.trending, stats.age_days,
            float(len(fact.sizes_in_stock)) if fact is not None else 0.0, float(placement),
            float(len({e.source for e in candidate.evidence})), float(len(context.events)),
        ]
        rows[i] = row
    return rows
