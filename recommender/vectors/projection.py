"""A linear projection of image vectors (pure numpy, no ORM): what the compact serving vectors apply.

In: a matrix [k, d] and a mean [d] (fitted by recommender.vectors.compact). Out: `Projection.apply(vectors)` =
normalise(matrix · (normalise(v) - mean)), unit rows of k dims, compared by cosine like any other vector.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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
