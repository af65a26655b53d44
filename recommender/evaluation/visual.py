"""Visual quality from images alone: P@10 of same-category neighbours.

In: every active product's vector for one encoder and its category (on an imported catalogue, the leaf category is
the articleType). `precision_at_k_same_category`: for each product asked about, the share of its 10 nearest other
products (cosine, exact, numpy) in its own category, averaged. Products whose category has no other member in the
pool are left out (no hit is possible). `query` restricts which rows are asked about; the pool is every row given.

`visual_evaluate` -> {"products", "p_at_10", "p_at_10_raw", ...}. Without a learned projection (see
recommender.embeddings.projection): raw vectors over the whole catalogue, both figures equal. With one: the fixed
held-out half of the products is both the queries and the pool, the projection is refitted on the other half only
(so it never saw a product it is measured on), and `p_at_10` (projected) and `p_at_10_raw` are side by side on
exactly those products; `p_at_10_raw_all` keeps the whole-catalogue raw figure.
"""

from __future__ import annotations

import numpy as np

from recommender.embeddings.store import encoder_for_serving, parse_vector
from recommender.models import ProductEmbedding


def product_vectors(*, encoder: str | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ids, categories, unit vectors) of active products with a vector, ordered by id."""
    encoder = encoder or encoder_for_serving()
    rows = (ProductEmbedding.objects.filter(encoder=encoder, product__is_active=True).order_by("product_id")
            .values_list("product_id", "product__category_id", "vector"))
    ids, categories, vectors = [], [], []
    for product_id, category_id, vector in rows:
        ids.append(product_id)
        categories.append(category_id)
        vectors.append(parse_vector(vector))
    if not ids:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty((0, 0), np.float32)
    matrix = np.stack(vectors).astype(np.float32)
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    return np.array(ids), np.array(categories), matrix


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


def visual_evaluate(*, encoder: str | None = None, k: int = 10) -> dict:
    from recommender.embeddings.projection_store import catalogue_vectors, held_out_figures, projection_current

    encoder = encoder or encoder_for_serving()
    source = source_encoder(encoder)
    _, categories, vectors = product_vectors(encoder=source)
    asked, p = precision_at_k_same_category(vectors, categories, k=k)
    served = {}
    if encoder != source:  # compact serving vectors: the same figure on what the shop answers from
        _, served_categories, served_vectors = product_vectors(encoder=encoder)
        served = {"encoder": encoder,
                  "p_at_10_served": round(precision_at_k_same_category(served_vectors, served_categories, k=k)[1], 4)}
    current = projection_current(encoder=source)
    if current is None:
        return {"products": asked, "p_at_10": round(p, 4), "p_at_10_raw": round(p, 4), **served}
    row, _ = current
    figures = held_out_figures(catalogue_vectors(encoder=source), k=k, **row.params)
    return {**figures, "p_at_10_raw_all": round(p, 4), "products_all": asked, "projection": row.pk,
            "method": row.method, "params": row.params, "split": row.split, **served}


def source_encoder(encoder: str) -> str:
    """The encoder whose raw vectors a projected encoder ("lite0-proj", "lite0-pca256") is computed from."""
    from recommender.embeddings.compact import compact_source

    return compact_source(encoder) or encoder.removesuffix("-proj")
