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
  its recency 0.5 ** (days / VIEW_HALF_LIFE_DAYS) (0 when never viewed, so "never" and "just now" differ), in how
  many separate visits it was viewed (events more than VISIT_GAP_DAYS apart start a new one), whether it was viewed
  in their latest visit, carted before, liked;
- the shopper's affinity for the candidate's season and for its descriptive attributes (the catalogue's own
  `attributes`: pattern, fit, fabric...; mean and max over the keys the product has), and the share of their
  latest visit spent in its category (this visit's intent, beside the long-run category affinity);
- the factor score over the request's best factor score (the collaborative source on one scale per request);
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
AFFINITIES = ("category", "colour", "usage", "department", "brand", "price_band", "season")
VIEW_HALF_LIFE_DAYS = 14.0
VISIT_GAP_DAYS = 30.0 / 1440.0  # the split's session gap: 30 minutes
PLACEMENT_CODES = {placement: i for i, placement in enumerate(Placement)}


@dataclass(frozen=True, slots=True)
class Attributes:
    category_id: int = 0
    colour: str = ""
    usage: str = ""
    department: str = ""
    brand: str = ""
    price: float = 0.0
    season: str = ""
    details: tuple[tuple[str, str], ...] = ()  # the catalogue's descriptive attributes (pattern, fit...) as pairs

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
    "view_recency", "visits_viewed", "viewed_last_visit", "affinity_details_mean", "affinity_details_max",
    "last_visit_category", "factor_relative",
)


def price_band(price: float) -> int:
    return int(math.floor(math.log(max(price, 1.0)) / math.log(PRICE_BAND_RATIO)))


def history_strength(views: float, days_since: float) -> float:
    """In [0, 1): more returns count more, each further one less; a month-old last view counts half."""
    return (1.0 - 0.5 ** views) * 0.5 ** (days_since / 30.0)


@dataclass
class _History:
    affinity: dict[str, dict[object, float]]
    details: dict[tuple[str, str], float]
    views: dict[int, int]
    last_view: dict[int, float]
    visits: dict[int, set[int]]
    carted: set[int]
    liked: set[int]
    bought: set[int]
    mean_log_price: float | None
    last_visit_categories: dict[int, float]


def _history(events: Sequence[Event]) -> _History:
    affinity: dict[str, dict[object, float]] = {name: defaultdict(float) for name in AFFINITIES}
    details: dict[tuple[str, str], float] = defaultdict(float)
    views: dict[int, int] = defaultdict(int)
    last_view: dict[int, float] = {}
    visits: dict[int, set[int]] = defaultdict(set)
    carted, liked, bought = set(), set(), set()
    total, log_price = 0.0, 0.0
    visit, previous = 0, None
    last_visit: dict[int, float] = defaultdict(float)
    for e in sorted(events, key=lambda e: e.age_days):  # newest first: visit 0 is the latest
        if previous is not None and e.age_days - previous > VISIT_GAP_DAYS:
            visit += 1
        previous = e.age_days
        w = KIND_WEIGHTS.get(e.kind, 1.0) * 0.5 ** (max(e.age_days, 0.0) / HISTORY_HALF_LIFE_DAYS)
        total += w
        for name in AFFINITIES:
            affinity[name][e.attributes.value(name)] += w
        for pair in e.attributes.details:
            details[pair] += w
        if visit == 0:
            last_visit[e.attributes.category_id] += 1.0
        if e.attributes.price > 0:
            log_price += w * math.log(e.attributes.price)
        if e.kind in ("view", "click"):
            views[e.product_id] += 1
            last_view[e.product_id] = min(last_view.get(e.product_id, math.inf), e.age_days)
            visits[e.product_id].add(visit)
        elif e.kind == "cart":
            carted.add(e.product_id)
        elif e.kind == "like":
            liked.add(e.product_id)
        elif e.kind == "purchase":
            bought.add(e.product_id)
    if total > 0:
        for name in AFFINITIES:
            affinity[name] = {key: value / total for key, value in affinity[name].items()}
        details = {key: value / total for key, value in details.items()}
    visit_events = sum(last_visit.values())
    return _History(affinity, dict(details), views, last_view, visits, carted, liked, bought,
                    log_price / total if total > 0 else None,
                    {c: n / visit_events for c, n in last_visit.items()} if visit_events else {})


def _inverse_ranks(values: Mapping[int, float]) -> dict[int, float]:
    order = sorted(values, key=lambda pid: (-values[pid], pid))
    return {pid: 1.0 / (i + 1) for i, pid in enumerate(order)}


def _detail_affinity(pairs: Sequence[tuple[str, str]], affinity: Mapping[tuple[str, str], float]
                     ) -> tuple[float, float]:
    """(mean, max) over the product's descriptive attributes of the shopper's affinity for its value."""
    if not pairs:
        return 0.0, 0.0
    values = [affinity.get(pair, 0.0) for pair in pairs]
    return sum(values) / len(values), max(values)


def _ranks_column(ids: Sequence[int], values: Mapping[int, float]) -> np.ndarray:
    """1 / rank of each id among `values` (best first, ties by id), 0 for ids `values` lacks."""
    ranks = _inverse_ranks(values)
    return np.fromiter((ranks.get(pid, 0.0) for pid in ids), dtype=np.float64, count=len(ids))


def _column(ids: Sequence[int], values: Mapping, default: float = 0.0) -> np.ndarray:
    return np.fromiter((values.get(pid, default) for pid in ids), dtype=np.float64, count=len(ids))


def features_matrix(candidates: Sequence[Candidate], *, facts: Mapping[int, ProductFacts],
                    context: Context) -> np.ndarray:
    """float32 [len(candidates), len(FEATURES)]; see the module docstring for each column. Column by column
    (numpy), with one pass over the candidates for what only Python objects hold."""
    n = len(candidates)
    columns: dict[str, np.ndarray] = {}
    if not n:
        return np.zeros((0, len(FEATURES)), dtype=np.float32)
    ids = [c.product_id for c in candidates]
    history = _history(context.events)
    normalised = normalised_evidence(candidates)
    per_source: dict[Source, dict[int, float]] = {s: {} for s in SOURCES}
    for product_id, items in normalised.items():
        combined: dict[Source, float] = defaultdict(lambda: 1.0)
        for evidence, value in items:
            combined[evidence.source] *= 1.0 - value
        for source, remaining in combined.items():
            per_source[source][product_id] = 1.0 - remaining
    for source in SOURCES:
        columns[f"score_{source.value}"] = _column(ids, per_source[source])
        columns[f"rank_{source.value}"] = _ranks_column(ids, per_source[source])
    blended = {s.product_id: s.score for s in blend(candidates, weights=context.blend_weights,
                                                    cosine_floor=context.cosine_floor,
                                                    normalised=normalised if not context.cosine_floor else None)} \
        if context.blend_weights else {}
    columns["blend_score"], columns["blend_rank"] = _column(ids, blended), _ranks_column(ids, blended)
    factor = {pid: context.factor_scores[pid] for pid in ids if pid in context.factor_scores}
    columns["factor_score"], columns["factor_rank"] = _column(ids, factor), _ranks_column(ids, factor)
    factor_best = max((v for v in factor.values() if v > 0), default=0.0)
    columns["factor_relative"] = np.maximum(columns["factor_score"], 0.0) / factor_best if factor_best > 0 \
        else np.zeros(n)

    stats = [context.items.get(pid) or ItemStats() for pid in ids]
    found = [facts.get(pid) for pid in ids]
    attributes = [s.attributes for s in stats]
    for name in AFFINITIES:
        shares = history.affinity[name]
        columns[f"affinity_{name}"] = np.fromiter((shares.get(a.value(name), 0.0) for a in attributes),
                                                  dtype=np.float64, count=n)
    details = [_detail_affinity(a.details, history.details) for a in attributes]
    columns["affinity_details_mean"] = np.array([d[0] for d in details])
    columns["affinity_details_max"] = np.array([d[1] for d in details])
    columns["last_visit_category"] = np.fromiter(
        (history.last_visit_categories.get(a.category_id, 0.0) for a in attributes), dtype=np.float64, count=n)

    profile = context.profile_vector
    cosine = np.zeros(n)
    if profile is not None:
        have = [i for i, f in enumerate(found) if f is not None and f.vector is not None
                and len(f.vector) == len(profile)]
        if have:
            cosine[have] = np.stack([found[i].vector for i in have]) @ np.asarray(profile)
    columns["profile_cosine"] = cosine
    prices = np.array([f.price if f is not None else a.price for f, a in zip(found, attributes)], dtype=np.float64)
    columns["price_distance"] = np.abs(np.log(np.maximum(prices, 1.0)) - history.mean_log_price) \
        if history.mean_log_price is not None else np.zeros(n)

    columns["views"] = _column(ids, history.views)
    columns["days_since_view"] = _column(ids, history.last_view, NEVER_VIEWED)
    viewed = np.fromiter((pid in history.last_view for pid in ids), dtype=bool, count=n)
    columns["view_recency"] = np.where(viewed, 0.5 ** (columns["days_since_view"] / VIEW_HALF_LIFE_DAYS), 0.0)
    columns["visits_viewed"] = np.fromiter((len(history.visits.get(pid, ())) for pid in ids), dtype=np.float64,
                                           count=n)
    columns["viewed_last_visit"] = np.fromiter((0 in history.visits.get(pid, ()) for pid in ids), dtype=np.float64,
                                               count=n)
    columns["carted_before"] = np.fromiter((pid in history.carted and pid not in history.bought for pid in ids),
                                           dtype=np.float64, count=n)
    columns["liked"] = np.fromiter((pid in history.liked for pid in ids), dtype=np.float64, count=n)
    columns["popularity"] = np.array([s.popularity for s in stats], dtype=np.float64)
    columns["trending"] = np.array([s.trending for s in stats], dtype=np.float64)
    columns["product_age_days"] = np.array([s.age_days for s in stats], dtype=np.float64)
    columns["sizes_in_stock"] = np.array([len(f.sizes_in_stock) if f is not None else 0 for f in found],
                                         dtype=np.float64)
    columns["placement"] = np.full(n, float(PLACEMENT_CODES[Placement(context.placement)]))
    columns["sources"] = np.array([len({e.source for e in c.evidence}) for c in candidates], dtype=np.float64)
    columns["history_length"] = np.full(n, float(len(context.events)))
    return np.column_stack([columns[name] for name in FEATURES]).astype(np.float32)
