"""Synthetic vectors for the pure-numpy tests of compact vectors and the visual projection."""

import numpy as np

from recommender.vectors.projection import unit_rows


def low_rank(*, n=600, dim=96, rank=12, seed=0):
    """Unit rows that mostly live in a `rank`-d subspace, as image embeddings do, plus a little isotropic noise."""
    rng = np.random.default_rng(seed)
    basis = rng.normal(size=(rank, dim))
    return unit_rows(rng.normal(size=(n, rank)) @ basis + 0.05 * rng.normal(size=(n, dim)))


def synthetic(*, categories=6, per_category=40, dim=48, seed=0):
    """Vectors = weak category centre + strong shared nuisance (8 directions) + noise; returns (vectors, labels)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(categories, dim))
    nuisance = rng.normal(size=(8, dim))
    labels = np.repeat(np.arange(categories), per_category)
    vectors = (0.6 * centres[labels] + 2.0 * rng.normal(size=(len(labels), 8)) @ nuisance
               + 0.5 * rng.normal(size=(len(labels), dim)))
    return vectors.astype(np.float32), labels
