"""Ranking metrics on plain lists: pure Python + numpy, no database.

In: a ranked list of product ids (best first), the set of held-out ("relevant") ids, k.
Out: floats in [0, 1]. Binary relevance throughout (an item was carted or bought, or not).
- precision@k: hits in the top k / k (a short list is still divided by k: empty slots are misses);
- recall@k: hits in the top k / number of relevant items;
- NDCG@k: DCG (1 / log2(rank + 1) per hit) over the ideal DCG of min(k, relevant) hits;
- AP@k: mean of precision@i at each hit rank i <= k, over min(k, relevant) (MAP = its mean over shoppers);
- hit rate: the share of shoppers with at least one relevant item in their top k;
- coverage: distinct recommended ids across all lists / catalogue size;
- intra-list diversity: mean pairwise dissimilarity within one list, 1 - cosine with the cosine floored at 0, so
  0 = every item looks the same and 1 = no two are alike. A negative cosine means "unrelated", not "more than
  unrelated": centred vectors (the compact ones are centred on the catalogue's mean) give about half of all pairs
  a negative cosine, and counting those as up to 2 put lists of unrelated best-sellers above 1.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np


def precision_at_k(ranked: Sequence[int], relevant: set[int], k: int) -> float:
    return sum(1 for item in ranked[:k] if item in relevant) / k if k else 0.0


def recall_at_k(ranked: Sequence[int], relevant: set[int], k: int) -> float:
    if not relevant:
        return 0.0
    return sum(1 for item in ranked[:k] if item in relevant) / len(relevant)


def ndcg_at_k(ranked: Sequence[int], relevant: set[int], k: int) -> float:
    if not relevant:
        return 0.0
    dcg = sum(1.0 / math.log2(i + 2) for i, item in enumerate(ranked[:k]) if item in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal


def average_precision_at_k(ranked: Sequence[int], relevant: set[int], k: int) -> float:
    if not relevant:
        return 0.0
    hits, total = 0, 0.0
    for i, item in enumerate(ranked[:k], start=1):
        if item in relevant:
            hits += 1
            total += hits / i
    return total / min(k, len(relevant))


def coverage(lists: Iterable[Sequence[int]], catalogue_size: int) -> float:
    if catalogue_size <= 0:
        return 0.0
    return len({item for ranked in lists for item in ranked}) / catalogue_size


def intra_list_diversity(ranked: Sequence[int], vectors: Mapping[int, np.ndarray]) -> float | None:
    """Mean pairwise 1 - max(cosine, 0) over the items that have a vector, in [0, 1]; None when fewer than two do."""
    rows = [np.asarray(vectors[item], dtype=np.float64) for item in ranked if item in vectors]
    if len(rows) < 2:
        return None
    matrix = np.stack(rows)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix = matrix / np.where(norms > 0, norms, 1.0)
    cosines = matrix @ matrix.T
    n = len(rows)
    pairs = np.clip(cosines[np.triu_indices(n, k=1)], 0.0, 1.0)
    return float(np.mean(1.0 - pairs))


def summarise(
    lists: Mapping[object, Sequence[int]], targets: Mapping[object, set[int]], *, k: int, catalogue_size: int,
    vectors: Mapping[int, np.ndarray] | None = None,
) -> dict[str, float]:
    """Mean metrics over shoppers (every shopper in `targets` counts, an empty list scores 0)."""
    shoppers = list(targets)
    n = len(shoppers) or 1
    result = {
        "precision": sum(precision_at_k(lists.get(s, ()), targets[s], k) for s in shoppers) / n,
        "recall": sum(recall_at_k(lists.get(s, ()), targets[s], k) for s in shoppers) / n,
        "ndcg": sum(ndcg_at_k(lists.get(s, ()), targets[s], k) for s in shoppers) / n,
        "map": sum(average_precision_at_k(lists.get(s, ()), targets[s], k) for s in shoppers) / n,
        "hit_rate": sum(1 for s in shoppers if set(list(lists.get(s, ()))[:k]) & targets[s]) / n,
        "coverage": coverage((lists.get(s, ()) for s in shoppers), catalogue_size),
    }
    if vectors is not None:
        found = [d for s in shoppers if (d := intra_list_diversity(list(lists.get(s, ()))[:k], vectors)) is not None]
        result["diversity"] = sum(found) / len(found) if found else 0.0
    return {name: round(value, 4) for name, value in result.items()}


def precision_at_k_same_category(vectors: np.ndarray, categories: np.ndarray, *, k: int = 10,
                                 query: np.ndarray | None = None) -> tuple[int, float]:
    """Pure: (products asked about, mean P@k). `query`: boolean mask of rows to ask about (default all)."""
    n = len(categories)
    if n < 2:
        return 0, 0.0
    _, counts = np.unique(categories, return_counts=True)
    size = dict(zip(np.unique(categories).tolist(), counts.tolist()))
    rows = np.flatnonzero(query if query is not None else np.ones(n, bool))
    rows = rows[[size[c] > 1 for c in categories[rows].tolist()]]
    hits = []
    for start in range(0, len(rows), 512):
        batch = rows[start:start + 512]
        sims = vectors[batch] @ vectors.T
        sims[np.arange(len(batch)), batch] = -np.inf  # never your own neighbour
        top = np.argpartition(-sims, min(k, n - 1) - 1, axis=1)[:, :k]
        hits.append((categories[top] == categories[batch][:, None]).mean(axis=1))
    if not hits:
        return 0, 0.0
    return len(rows), float(np.concatenate(hits).mean())
