"""Diversify with maximal marginal relevance (MMR), so a list is not twelve near-identical black T-shirts.

In: blended items best first (`blend.Scored`), `ProductFacts` by id, `k`, `mmr_lambda` in [0, 1].
Out: up to k of those items in display order.

Each step takes the item maximising  lambda * relevance - (1 - lambda) * max similarity to the items already taken,
where relevance is the blended score divided by the best one (so the top item is 1 and lambda means the same
whichever sources fired). lambda = 1 is the blended order untouched; 0 is diversity alone.

Similarity between two items, in [0, 1]: the cosine of their vectors (negatives as 0) when both have one of the
same dimension, else 0.6 for the same category + 0.2 for the same colour + 0.2 for the same brand. Vectors of a
minority dimension (during an encoder switch) count as missing. Cost O(k * n * d) with numpy; ties go to the
earlier item, i.e. the higher blended score, then the lower product id: deterministic.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from .blend import Scored
from .candidates import ProductFacts

SAME_CATEGORY = 0.6
SAME_COLOUR = 0.2
SAME_BRAND = 0.2


def _codes(values: Sequence[str]) -> np.ndarray:
    """Integer codes per value; empty strings get distinct negative codes so they never match each other."""
    table: dict[str, int] = {}
    return np.array([table.setdefault(v, len(table)) if v else -1 - i for i, v in enumerate(values)], dtype=np.int64)


def _unit_vectors(facts: Sequence[ProductFacts]) -> tuple[np.ndarray, np.ndarray]:
    """(n, d) unit rows for the majority dimension and the mask of rows that have one."""
    arrays = [None if f.vector is None else np.asarray(f.vector, dtype=np.float32).ravel() for f in facts]
    dims = Counter(a.shape[0] for a in arrays if a is not None and a.size)
    if not dims:
        return np.zeros((len(facts), 0), dtype=np.float32), np.zeros(len(facts), dtype=bool)
    dim = min(dims, key=lambda d: (-dims[d], d))
    matrix = np.zeros((len(facts), dim), dtype=np.float32)
    for i, a in enumerate(arrays):
        if a is not None and a.shape[0] == dim:
            matrix[i] = a
    norms = np.linalg.norm(matrix, axis=1)
    has = norms > 0
    matrix[has] /= norms[has, None]
    return matrix, has


def mmr(items: Sequence[Scored], *, facts: Mapping[int, ProductFacts], k: int, mmr_lambda: float,
        free: Callable[[Scored], bool] | None = None) -> list[Scored]:
    """`free`: items it takes without counting them towards k (the list goes on until k others are taken). The
    first k of a longer greedy list are the list for k, so the items before the k-th are the same either way."""
    if not 0.0 <= mmr_lambda <= 1.0:
        raise ValueError(f"mmr_lambda must be in [0, 1], got {mmr_lambda}")
    n = len(items)
    if n == 0 or k <= 0:
        return []
    rows = [facts[s.product_id] for s in items]
    scores = np.array([s.score for s in items], dtype=np.float64)
    relevance = scores / scores.max() if scores.max() > 0 else np.zeros(n)
    category = np.array([f.category_id for f in rows], dtype=np.int64)
    colour = _codes([f.colour.strip().lower() for f in rows])
    brand = _codes([f.brand.strip().lower() for f in rows])
    vectors, has_vector = _unit_vectors(rows)

    max_similarity = np.zeros(n)
    taken = np.zeros(n, dtype=bool)
    order: list[int] = []
    counted = 0
    while counted < k and len(order) < n:
        gain = mmr_lambda * relevance - (1.0 - mmr_lambda) * max_similarity
        gain[taken] = -np.inf
        i = int(np.argmax(gain))  # first maximum: the earlier, better-blended item wins ties
        taken[i] = True
        order.append(i)
        counted += free is None or not free(items[i])
        similarity = (
            SAME_CATEGORY * (category == category[i])
            + SAME_COLOUR * (colour == colour[i])
            + SAME_BRAND * (brand == brand[i])
        )
        if has_vector[i]:
            cosine = np.clip(vectors @ vectors[i], 0.0, 1.0)
            similarity = np.where(has_vector, cosine, similarity)
        np.maximum(max_similarity, similarity, out=max_similarity)
    return [items[i] for i in order]
