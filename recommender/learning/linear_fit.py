"""Fit `ranking.linear.LinearRanker`: a pairwise logistic loss with an L2 penalty, by L-BFGS (scipy).

In: `cuts.Group`-like rows (matrix, labels), the penalty, a seed. Out: a `LinearRanker`.
Each group (one shopper's request) weighs the same: its (positive, negative) pairs share one unit of loss, so a
shopper with many candidates does not outvote one with few. Negatives beyond MAX_NEGATIVES per group are drawn
with the seed: deterministic for a seed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.optimize import minimize

from recommender.ranking.features import FEATURES
from recommender.ranking.linear import LinearRanker, linear_ranker, standardisation

MAX_NEGATIVES = 150
MAX_ITERATIONS = 500


def linear_fit(groups: Sequence, *, regularisation: float, seed: int = 7) -> LinearRanker:
    if not groups:
        raise ValueError("no training groups")
    stats = standardisation(np.concatenate([g.matrix for g in groups]))
    columns = linear_ranker(FEATURES, np.zeros(len(FEATURES)), stats, regularisation=regularisation)
    rng = np.random.default_rng(seed)
    differences, shares = [], []
    for group in groups:
        x = columns.standardise(group.matrix)
        labels = np.asarray(group.labels)
        positives, negatives = np.flatnonzero(labels > 0), np.flatnonzero(labels <= 0)
        if not len(positives) or not len(negatives):
            continue
        if len(negatives) > MAX_NEGATIVES:
            negatives = np.sort(rng.choice(negatives, size=MAX_NEGATIVES, replace=False))
        pairs = (x[positives][:, None, :] - x[negatives][None, :, :]).reshape(-1, x.shape[1])
        differences.append(pairs)
        shares.append(np.full(len(pairs), 1.0 / len(pairs)))
    if not differences:
        raise ValueError("no group has both a positive and a negative")
    pairs, share = np.concatenate(differences), np.concatenate(shares)
    share /= share.sum()

    def loss(weights):
        margin = pairs @ weights
        value = share @ np.logaddexp(0.0, -margin) + regularisation * weights @ weights
        gradient = pairs.T @ (share * -0.5 * (1.0 - np.tanh(margin / 2.0))) + 2.0 * regularisation * weights
        return float(value), gradient

    found = minimize(loss, np.zeros(pairs.shape[1]), jac=True, method="L-BFGS-B",
                     options={"maxiter": MAX_ITERATIONS})
    return linear_ranker(FEATURES, found.x, stats, regularisation=regularisation)
