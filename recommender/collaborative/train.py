"""Train the factor model: implicit ALS on the kind-weighted, age-decayed log, plus a map from vectors to factors.

In (plain arrays, fetched by `recommender.collaborative.data`): per event the shopper's index, the product id, the
recorded weight (view 1 ... purchase 6, conf INTERACTION_WEIGHTS) and its age in days; the catalogue's product ids
with, for each, a unit image vector (or None) and its attributes (category, colour, department, usage).
Out: a `FactorModel` over every catalogue product.

- confidence c(shopper, item) = ALPHA x sum over their events of weight x 0.5 ** (age / HALF_LIFE_DAYS);
- ALS (the `implicit` package, CPU, conjugate-gradient solves (implicit's 3 steps per factor update, warm-started: several times faster
  than exact Cholesky solves at 48 factors, python manage.py bench train), `seed`): same log and seed, same factors;
- a product nobody has interacted with gets factors from a ridge regression of factors on [image vector, one-hot
  attributes], fitted on the products that have both: a new product sits where look-alikes of its kind sit, so it
  is never invisible to the collaborative source.
Hyper-parameters are fixed here, chosen before any measurement and not tuned on a reported period.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from recommender.collaborative.factors import FactorModel

FACTORS = 48
REGULARIZATION = 0.05
ITERATIONS = 15
ALPHA = 2.0
HALF_LIFE_DAYS = 60.0
RIDGE = 1.0


@dataclass(frozen=True)
class Log:
    shoppers: np.ndarray  # int [n events]: index of the shopper
    products: np.ndarray  # int64 [n events]
    weights: np.ndarray  # float [n events]: the recorded weight
    ages_days: np.ndarray  # float [n events]

    def __len__(self) -> int:
        return len(self.products)


def confidence_matrix(log: Log, *, item_index: Mapping[int, int], shoppers: int):
    """scipy CSR [shoppers, items] of ALPHA x decayed weight, duplicates summed."""
    from scipy.sparse import csr_matrix

    keep = np.array([pid in item_index for pid in log.products.tolist()], dtype=bool) if len(log) else np.zeros(0, bool)
    columns = np.array([item_index[pid] for pid in log.products[keep].tolist()], dtype=np.int32)
    values = ALPHA * log.weights[keep] * 0.5 ** (np.maximum(log.ages_days[keep], 0.0) / HALF_LIFE_DAYS)
    matrix = csr_matrix((values.astype(np.float32), (log.shoppers[keep], columns)),
                        shape=(shoppers, len(item_index)))
    matrix.sum_duplicates()
    return matrix


def side_features(product_ids: Sequence[int], vectors: Mapping[int, np.ndarray | None],
                  attributes: Mapping[int, tuple]) -> np.ndarray:
    """[n, d + one-hot attributes + 1]: the image vector (zeros when missing), each attribute one-hot, a bias."""
    dim = next((len(v) for v in vectors.values() if v is not None), 0)
    levels: list[dict] = []
    for pid in product_ids:
        for j, value in enumerate(attributes.get(pid, ())):
            while len(levels) <= j:
                levels.append({})
            levels[j].setdefault(value, len(levels[j]))
    offsets = np.cumsum([0] + [len(level) for level in levels])
    x = np.zeros((len(product_ids), dim + int(offsets[-1]) + 1), dtype=np.float32)
    for i, pid in enumerate(product_ids):
        vector = vectors.get(pid)
        if vector is not None and len(vector) == dim:
            x[i, :dim] = vector
        for j, value in enumerate(attributes.get(pid, ())):
            x[i, dim + offsets[j] + levels[j][value]] = 1.0
    x[:, -1] = 1.0
    return x


def factors_train(log: Log, *, product_ids: Sequence[int], vectors: Mapping[int, np.ndarray | None],
                  attributes: Mapping[int, tuple], seed: int = 7, factors: int = FACTORS,
                  iterations: int = ITERATIONS, threads: int = 2) -> FactorModel:
    from implicit.cpu.als import AlternatingLeastSquares

    catalogue = np.array(sorted(set(int(p) for p in product_ids)), dtype=np.int64)
    seen = np.array(sorted(set(log.products.tolist()) & set(catalogue.tolist())), dtype=np.int64)
    item_index = {int(pid): i for i, pid in enumerate(seen.tolist())}
    shoppers = int(log.shoppers.max()) + 1 if len(log) else 0
    result = np.zeros((len(catalogue), factors), dtype=np.float32)
    learned = np.isin(catalogue, seen)
    if len(seen) and shoppers:
        matrix = confidence_matrix(log, item_index=item_index, shoppers=shoppers)
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1, "blas"):  # implicit's own threads do the work; BLAS threads inside them thrash
            model = AlternatingLeastSquares(factors=factors, regularization=REGULARIZATION, alpha=1.0,
                                            iterations=iterations, use_cg=True, random_state=seed,
                                            num_threads=threads, calculate_training_loss=False)
            model.fit(matrix, show_progress=False)
        item_factors = np.asarray(model.item_factors, dtype=np.float32)
        result[learned] = item_factors[[item_index[int(p)] for p in catalogue[learned].tolist()]]
    if (~learned).any() and learned.any():
        x = side_features(catalogue.tolist(), vectors, attributes)
        xl = x[learned].astype(np.float64)
        w = np.linalg.solve(xl.T @ xl + RIDGE * np.eye(x.shape[1]), xl.T @ result[learned].astype(np.float64))
        result[~learned] = (x[~learned] @ w).astype(np.float32)
    return FactorModel(product_ids=catalogue, factors=result, regularization=REGULARIZATION,
                       from_vectors=~learned)
