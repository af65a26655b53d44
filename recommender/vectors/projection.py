"""A linear projection of image vectors learned from the catalogue's own categories (pure numpy, no ORM).

What is learned from what: regularised linear discriminant analysis (LDA). In: product vectors of one encoder
(e.g. lite0's 1280-d ImageNet features, rows L2-normalised) and each product's category (on an imported catalogue,
the leaf category = articleType). Learned: the mean vector `mean` [d] and a matrix `matrix` [k, d], k = number of
categories - 1 (at most `MAX_DIMS`), whose rows are the directions that best separate the categories relative to
the spread within them (the within-category covariance is shrunk towards a multiple of the identity by
`shrinkage`, since 1280 dimensions outnumber the products of most categories). Out: `Projection.apply(vectors)`
= normalise(matrix · (normalise(v) - mean)), unit rows of k dims, compared by cosine like any other vector.

Nothing else is learned: no image is re-encoded, no label is read at serving time.

`held_out(key)`: the fixed split used to measure it: a stable hash of the product's slug puts about half the
products in the held-out half. The projection measured there is fitted on the other half only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

METHOD = "lda"
SHRINKAGE = 0.2  # chosen by 3-fold cross-validation inside the training half of fashion-5k (see README)
MAX_DIMS = 256


@dataclass(frozen=True)
class Projection:
    matrix: np.ndarray  # float32 [k, d]
    mean: np.ndarray  # float32 [d]

    @property
    def dims(self) -> tuple[int, int]:
        return int(self.matrix.shape[0]), int(self.matrix.shape[1])

    def apply(self, vectors: np.ndarray) -> np.ndarray:
        """[n, d] vectors of the source encoder -> [n, k] unit vectors."""
        vectors = unit_rows(np.atleast_2d(np.asarray(vectors, dtype=np.float32)))
        return unit_rows((vectors - self.mean) @ self.matrix.T)


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


def held_out(key: str) -> bool:
    """True for the held-out half: fixed by the key (the product's slug), whatever else is in the catalogue."""
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 2 == 1


def projection_fit(vectors: np.ndarray, categories: np.ndarray, *, shrinkage: float = SHRINKAGE,
                   max_dims: int = MAX_DIMS) -> Projection:
    """LDA on unit rows. Needs at least two categories; categories with one product only add to the mean."""
    x = unit_rows(vectors).astype(np.float64)
    classes, index = np.unique(np.asarray(categories), return_inverse=True)
    if len(classes) < 2:
        raise ValueError("a projection needs products in at least two categories")
    n, d = x.shape
    mean = x.mean(axis=0)
    counts = np.bincount(index).astype(np.float64)
    centroids = np.zeros((len(classes), d))
    np.add.at(centroids, index, x)
    centroids /= counts[:, None]
    within = x - centroids[index]
    scatter_within = within.T @ within / n
    scatter_within = (1 - shrinkage) * scatter_within + shrinkage * np.trace(scatter_within) / d * np.eye(d)
    between = (centroids - mean) * np.sqrt(counts / n)[:, None]
    scatter_between = between.T @ between
    # Whiten the within-category scatter, then take the top eigenvectors of the between-category scatter there.
    values, vectors_w = np.linalg.eigh(scatter_within)
    whiten = vectors_w / np.sqrt(np.maximum(values, 1e-12))
    spread, directions = np.linalg.eigh(whiten.T @ scatter_between @ whiten)
    k = min(len(classes) - 1, max_dims, d)
    top = np.argsort(spread)[::-1][:k]
    matrix = (whiten @ directions[:, top]).T
    return Projection(matrix=matrix.astype(np.float32), mean=mean.astype(np.float32))
