"""The factor model on a tiny synthetic log: plain arrays, no database."""

import numpy as np

from recommender.collaborative.factors import FactorModel
from recommender.collaborative.train import Log, factors_train
from recommender.learning.ltr import ranker_fit
from recommender.ranking.features import FEATURES


def two_taste_log(seed=3, shoppers=40):
    """Even shoppers buy from products 0-9 (blue), odd ones from 10-19 (red); product 20 is new (no events)."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(shoppers):
        base = 0 if s % 2 == 0 else 10
        for p in rng.choice(10, size=4, replace=False):
            rows.append((s, base + p, 6.0, float(rng.uniform(0, 30))))
    data = np.array(rows)
    return Log(data[:, 0].astype(np.int64), data[:, 1].astype(np.int64), data[:, 2], data[:, 3])


def vectors_by_colour():
    rng = np.random.default_rng(1)
    blue, red = np.eye(8, dtype=np.float32)[0], np.eye(8, dtype=np.float32)[1]
    found = {}
    for p in range(21):
        v = (blue if p < 10 or p == 20 else red) + 0.05 * rng.standard_normal(8).astype(np.float32)
        found[p] = v / np.linalg.norm(v)
    return found


def train(seed=7):
    attributes = {p: (1, "Blue" if p < 10 or p == 20 else "Red") for p in range(21)}
    return factors_train(two_taste_log(), product_ids=range(21), vectors=vectors_by_colour(), attributes=attributes,
                         seed=seed, factors=3, iterations=8, threads=1)


def test_a_shopper_folded_in_from_blue_purchases_is_offered_blue_items():
    model = train()
    user = model.fold_in({1: 12.0, 2: 12.0})
    top = [pid for pid, _ in model.top(user, k=5, exclude={1, 2})]
    assert top and all(pid < 10 or pid == 20 for pid in top)


def test_a_product_without_interactions_gets_factors_from_its_vector_and_reaches_blue_shoppers():
    model = train()
    assert model.from_vectors.tolist() == [False] * 20 + [True]
    user = model.fold_in({1: 12.0, 2: 12.0, 3: 12.0})
    scores = model.score_of(user, range(21))
    assert scores[20] > max(scores[p] for p in range(10, 20))


def test_training_is_deterministic_for_a_seed():
    first, second = train(seed=5), train(seed=5)
    assert np.array_equal(first.factors, second.factors)
    restored = FactorModel.from_bytes(first.to_bytes())
    assert np.array_equal(restored.factors, first.factors) and restored.regularization == first.regularization
    rng = np.random.default_rng(0)

    class Group:
        def __init__(self):
            self.matrix = rng.random((12, len(FEATURES))).astype(np.float32)
            self.labels = (self.matrix[:, 0] > 0.8).astype(np.float32)

    groups = [Group() for _ in range(30)]
    assert ranker_fit(groups, seed=5).model_to_string() == ranker_fit(groups, seed=5).model_to_string()
