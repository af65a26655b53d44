"""Learn and measure the visual projection (LDA over the catalogue's categories) and store it.

In: every active product with a vector under the source encoder (default lite0) and a category.
`projection_learn` first measures the method on a fixed split (a stable hash of the slug, see
`recommender.vectors.projection.held_out`): fitted on the training half only, then P@10 of same-category
neighbours on the held-out half, where both the queries and the neighbour pool are held-out products (raw vectors
and projected vectors side by side on exactly those products). Then it refits on every categorised product and
stores that one (`VisualProjection`). Out: the stored row; its `held_out` holds the figures.
"""

from __future__ import annotations

import numpy as np

from recommender.evaluation.metrics import precision_at_k_same_category
from recommender.models import VisualProjection
from recommender.vectors.projection import METHOD, SHRINKAGE, projection_fit
from recommender.vectors.projection_store import SOURCE_ENCODER, CatalogueVectors, catalogue_vectors

SPLIT = "held out: sha256(slug)[:8] as an integer is odd (about half); fitted on the other half"


def held_out_figures(data: CatalogueVectors, *, shrinkage: float = SHRINKAGE, k: int = 10) -> dict:
    """Fit on the training half, measure on the held-out half (queries and pool), raw vs projected."""
    test = data.test
    train = ~test
    if len(np.unique(data.categories[train])) < 2 or test.sum() < 2:
        raise ValueError("too few categorised products with vectors to learn and measure a projection")
    projection = projection_fit(data.vectors[train], data.categories[train], shrinkage=shrinkage)
    held_vectors, held_categories = data.vectors[test], data.categories[test]
    asked, raw = precision_at_k_same_category(held_vectors, held_categories, k=k)
    _, learned = precision_at_k_same_category(projection.apply(held_vectors), held_categories, k=k)
    return {
        "products": asked,
        "p_at_10": round(learned, 4),
        "p_at_10_raw": round(raw, 4),
        "train_products": int(train.sum()),
        "train_categories": int(len(np.unique(data.categories[train]))),
        "held_out_products": int(test.sum()),
    }


def projection_learn(*, encoder: str = SOURCE_ENCODER, shrinkage: float = SHRINKAGE) -> VisualProjection:
    data = catalogue_vectors(encoder=encoder)
    figures = held_out_figures(data, shrinkage=shrinkage)
    projection = projection_fit(data.vectors, data.categories, shrinkage=shrinkage)
    out_dim, in_dim = projection.dims
    return VisualProjection.objects.create(
        encoder=encoder, method=METHOD, params={"shrinkage": shrinkage}, input_dim=in_dim, output_dim=out_dim,
        matrix=projection.matrix.astype(np.float32).tobytes(), mean=projection.mean.astype(np.float32).tobytes(),
        products=len(data.ids), categories=int(len(np.unique(data.categories))), split=SPLIT, held_out=figures,
    )
