"""A linear projection of image vectors (pure numpy, no ORM): what the compact serving vectors apply.

In: a matrix [k, d] and a mean [d] (fitted by recommender.vectors.compact). Out: `Projection.apply(vectors)` =
normalise(matrix · (normalise(v) - mean)), unit rows of k dims, compared by cosine like any other vector.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

# Rows handled at a time in bulk: a million 1280-d rows are 5 GB as float32, so a whole-matrix temporary (the
# normalised copy, the centred copy, a float64 copy) would double or triple what a refit needs.
BLOCK_ROWS = 20_000


@dataclass(frozen=True)
class Projection:
    matrix: np.ndarray  # float32 [k, d]
    mean: np.ndarray  # float32 [d]

    @property
    def dims(self) -> tuple[int, int]:
        return int(self.matrix.shape[0]), int(self.matrix.shape[1])

    def apply(self, vectors: np.ndarray) -> np.ndarray:
        """[n, d] vectors of the source encoder -> [n, k] unit vectors (block by block: no [n, d] temporary)."""
        vectors = np.atleast_2d(vectors)
        out = np.empty((len(vectors), self.matrix.shape[0]), dtype=np.float32)
        for start, block in row_blocks(vectors):
            out[start:start + len(block)] = unit_rows((unit_rows(block) - self.mean) @ self.matrix.T)
        return out


def row_blocks(matrix: np.ndarray, rows: int = BLOCK_ROWS) -> Iterator[tuple[int, np.ndarray]]:
    """(first row, float32 block of at most `rows` rows) over `matrix`, in order."""
    for start in range(0, len(matrix), rows):
        yield start, np.asarray(matrix[start:start + rows], dtype=np.float32)


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
