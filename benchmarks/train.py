"""bench train: time fitting the learned ranker's two models at shop scale, on synthetic data in memory.

In: events (1M), products (100k), shoppers (50k), groups (training requests for the ranker, 5,000 of 200
candidates). Out: {"events", "products", "als_s", "groups", "rows", "ranker_s", "seconds", ...}: `als_s` is
`collaborative.train.factors_train` (ALS with 48 factors and 15 iterations, then the vector-to-factor map for the
products nobody touched: 256-d vectors plus category and colour one-hots), `ranker_s` is `learning.ltr.ranker_select`
(the three hyper-parameter choices fitted on the deeper periods with early stopping on the validation one, then
the final fit), on a feature matrix of `rows` x len(FEATURES). `als_cpu_s` / `ranker_cpu_s`: CPU seconds of this process (all its
threads) in each: on cores shared with other work the wall time says more about the neighbours than the code.
Not timed: gathering each training request's candidates through the serving path (a feed's cost per shopper and
period, bounded in `train_ranker` by MAX_TRAIN_SHOPPERS), and reading the log (one query).

Synthetic log: shoppers belong to one of 200 taste clusters; each cluster favours 2,000 products drawn Zipf-like;
80 % views, 10 % carts, 10 % purchases over 8 weeks. Features: random, with labels depending on a few columns, so
the ranker has something to learn.
"""

from __future__ import annotations

import time

import numpy as np


def synthetic_log(*, events: int, products: int, shoppers: int, seed: int):
    from recommender.collaborative.train import Log

    rng = np.random.default_rng(seed)
    clusters = 200
    favourites = rng.integers(0, products, size=(clusters, 2000))
    cluster_of = rng.integers(0, clusters, size=shoppers)
    who = rng.integers(0, shoppers, size=events)
    rank = np.minimum(rng.zipf(1.3, size=events) - 1, 1999)
    what = favourites[cluster_of[who], rank]
    weights = rng.choice([1.0, 4.0, 6.0], p=[0.8, 0.1, 0.1], size=events)
    ages = rng.uniform(0, 56, size=events)
    return Log(who.astype(np.int64), what.astype(np.int64), weights, ages)


class _Group:
    def __init__(self, rng, size: int, depth: int, columns: int):
        self.matrix = rng.random((size, columns), dtype=np.float32)
        signal = self.matrix[:, 0] + 0.5 * self.matrix[:, 3] + 0.2 * rng.standard_normal(size)
        self.labels = (signal > np.quantile(signal, 0.985)).astype(np.float32)
        self.depth = depth


def run(*, events: int = 1_000_000, products: int = 100_000, shoppers: int = 50_000, groups: int = 5000,
        candidates: int = 200, seed: int = 5, log=print) -> dict:
    from recommender.collaborative.train import factors_train
    from recommender.learning.ltr import ranker_select
    from recommender.ranking.features import FEATURES

    rng = np.random.default_rng(seed)
    log(f"generating {events:,} events over {products:,} products and {shoppers:,} shoppers")
    interactions = synthetic_log(events=events, products=products, shoppers=shoppers, seed=seed)
    vectors = rng.standard_normal((products, 256)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    attributes = {p: (int(p % 50), int(p % 20)) for p in range(products)}
    log("fitting ALS and the vector map")
    started, cpu = time.perf_counter(), time.process_time()
    model = factors_train(interactions, product_ids=range(products), vectors=dict(enumerate(vectors)),
                          attributes=attributes, seed=seed)
    als, als_cpu = time.perf_counter() - started, time.process_time() - cpu
    log(f"ALS {als:.1f} s; fitting the ranker on {groups:,} groups of {candidates}")
    training = [_Group(rng, candidates, 1 + i % 3, len(FEATURES)) for i in range(groups)]
    started, cpu = time.perf_counter(), time.process_time()
    _, selection = ranker_select(training, seed=seed)
    ranker, ranker_cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"events": events, "products": products, "shoppers": shoppers,
            "products_from_vectors": int(model.from_vectors.sum()), "als_s": round(als, 1), "groups": groups,
            "rows": groups * candidates, "ranker_s": round(ranker, 1), "chosen": {key: selection[key] for key in ("family", "params", "regularisation") if key in selection},
            "seconds": round(als + ranker, 1), "als_cpu_s": round(als_cpu, 1), "ranker_cpu_s": round(ranker_cpu, 1)}
