"""Visual quality from images alone: P@10 of same-category neighbours.

In: every active product's vector for one encoder and its category (on an imported catalogue, the leaf category is
the articleType). `recommender.evaluation.metrics.precision_at_k_same_category`: for each product asked about, the
share of its 10 nearest other products (cosine, exact, numpy) in its own category, averaged. Products whose category
has no other member in the pool are left out (no hit is possible).

`visual_evaluate` -> {"products", "p_at_10", "p_at_10_raw", ...}. Without a learned projection (see
recommender.vectors.projection): raw vectors over the whole catalogue, both figures equal. With one: the fixed
held-out half of the products is both the queries and the pool, the projection is refitted on the other half only
(so it never saw a product it is measured on), and `p_at_10` (projected) and `p_at_10_raw` are side by side on
exactly those products; `p_at_10_raw_all` keeps the whole-catalogue raw figure.
"""

from __future__ import annotations

from recommender.evaluation.metrics import precision_at_k_same_category
from recommender.evaluation.projection import held_out_figures
from recommender.vectors.compact import compact_source
from recommender.vectors.projection_store import catalogue_vectors, projection_current
from recommender.vectors.store import active_product_vectors, encoder_for_serving


def visual_evaluate(*, encoder: str | None = None, k: int = 10) -> dict:
    encoder = encoder or encoder_for_serving()
    source = source_encoder(encoder)
    _, categories, vectors = active_product_vectors(encoder=source)
    asked, p = precision_at_k_same_category(vectors, categories, k=k)
    served = {}
    if encoder != source:  # compact serving vectors: the same figure on what the shop answers from
        _, served_categories, served_vectors = active_product_vectors(encoder=encoder)
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
    return compact_source(encoder) or encoder.removesuffix("-proj")
