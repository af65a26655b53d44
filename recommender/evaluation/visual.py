"""Visual quality from images alone: P@10 of same-category neighbours.

In: every active product's vector for one encoder and its category (on an imported catalogue, the leaf category is
the articleType). `recommender.evaluation.metrics.precision_at_k_same_category`: for each product, the share of its
10 nearest other products (cosine, exact, numpy) in its own category, averaged. Products whose category has no other
member are left out (no hit is possible).

`visual_evaluate` -> {"products", "p_at_10", "p_at_10_raw"} on the source encoder's raw vectors over the whole
catalogue (both figures equal), plus "encoder" and "p_at_10_served" when compact vectors serve: the same figure on
what the shop answers from.
"""

from __future__ import annotations

from recommender.evaluation.metrics import precision_at_k_same_category
from recommender.vectors.compact import compact_source
from recommender.vectors.store import active_product_vectors, encoder_for_serving


def visual_evaluate(*, encoder: str | None = None, k: int = 10) -> dict:
    encoder = encoder or encoder_for_serving()
    source = compact_source(encoder) or encoder
    _, categories, vectors = active_product_vectors(encoder=source)
    asked, p = precision_at_k_same_category(vectors, categories, k=k)
    served = {}
    if encoder != source:
        _, served_categories, served_vectors = active_product_vectors(encoder=encoder)
        served = {"encoder": encoder,
                  "p_at_10_served": round(precision_at_k_same_category(served_vectors, served_categories, k=k)[1], 4)}
    return {"products": asked, "p_at_10": round(p, 4), "p_at_10_raw": round(p, 4), **served}
