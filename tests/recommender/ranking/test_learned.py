"""Ranking with a learned model: filters, exclusions, diversity and reasons still hold. No database."""

import numpy as np

from recommender.ranking import Candidate, Placement, Request, Shopper, Source
from recommender.ranking.features import FEATURES, Attributes, Context, Event
from recommender.ranking.learned import rank_learned
from tests.recommender.ranking.builders import catalogue, product


class PrefersHighIds:
    """A model double: the higher the product id, the higher the score (so excluded items would win)."""

    def __init__(self):
        self.shapes = []

    def predict(self, matrix):
        self.shapes.append(matrix.shape)
        return np.arange(matrix.shape[0], dtype=np.float64)


def test_filters_and_exclusions_hold_after_the_model():
    facts = catalogue(product(1), product(2), product(3, sizes=()), product(4, active=False), product(5),
                      product(6, price=500.0), product(7, sizes=("XL",)), product(8))
    candidates = [Candidate.from_source(pid, Source.TRENDING, 1.0) for pid in range(1, 9)]
    shopper = Shopper(sizes={"tops": frozenset({"M"})}, bought_ids=frozenset({5}), recently_viewed_ids=frozenset({8}))
    request = Request(placement=Placement.HOME, k=10, price_max=100.0, anchor_ids=frozenset({2}))
    model = PrefersHighIds()
    ranked = rank_learned(candidates, facts=facts, shopper=shopper, request=request, context=Context(), model=model,
                          mmr_lambda=1.0)
    assert [r.product_id for r in ranked] == [1]  # out of stock, inactive, bought, price, size, anchor, viewed
    assert model.shapes == [(1, len(FEATURES))]


def test_the_model_orders_the_list_and_the_reason_is_the_strongest_evidence():
    facts = catalogue(product(1), product(2), product(3))
    candidates = [Candidate.from_source(1, Source.TRENDING, 1.0), Candidate.from_source(2, Source.COLLAB, 1.0),
                  Candidate.from_source(3, Source.HISTORY, 0.7, label="last week"),
                  Candidate.from_source(3, Source.TRENDING, 0.2)]
    ranked = rank_learned(candidates, facts=facts, shopper=Shopper(), request=Request(placement=Placement.HOME, k=3),
                          context=Context(events=(Event(3, "view", 8.0, Attributes()),)), model=PrefersHighIds(),
                          mmr_lambda=1.0)
    assert [r.product_id for r in ranked] == [3, 2, 1]
    assert [r.reason for r in ranked] == ["You viewed this last week", "Shoppers like you bought this",
                                          "Trending now"]
    assert all(0 < r.score < 1 for r in ranked)


class Margins:
    """A model double with fixed raw scores per row: large and far apart, as a fitted lambdarank gives."""

    def __init__(self, raw):
        self.raw = raw

    def predict(self, matrix):
        return np.array(self.raw[: matrix.shape[0]], dtype=np.float64)


def test_diversity_weighs_the_models_margins_not_its_squashed_scores():
    twin = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    other = np.array([0.0, 1.0, 0.0], dtype=np.float32)
    facts = catalogue(product(1, vector=twin), product(2, vector=twin), product(3, vector=other))
    candidates = [Candidate.from_source(pid, Source.TRENDING, 1.0) for pid in (1, 2, 3)]
    # Raw 10 and 9.9 are both near certain against 2: the near-twin still beats the unlike but unlikely item.
    ranked = rank_learned(candidates, facts=facts, shopper=Shopper(), request=Request(placement=Placement.HOME, k=3),
                          context=Context(), model=Margins([10.0, 9.9, 2.0]), mmr_lambda=0.7)
    assert [r.product_id for r in ranked] == [1, 2, 3]
    assert ranked[0].score > ranked[1].score > ranked[2].score
