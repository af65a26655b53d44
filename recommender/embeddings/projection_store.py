"""Learn, measure and load the visual projection from the catalogue in PostgreSQL.

In: every active product with a vector under the source encoder (default lite0) and a category.
`projection_learn` first measures the method on a fixed split (a stable hash of the slug, see
`recommender.embeddings.projection.held_out`): fitted on the training half only, then P@10 of same-category
neighbours on the held-out half, where both the queries and the neighbour pool are held-out products (raw vectors
and projected vectors side by side on exactly those products). Then it refits on every categorised product and
stores that one (`VisualProjection`) for serving. Out: the stored row; its `held_out` holds the figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db.models import BinaryField, Func

from recommender.embeddings.projection import (
    METHOD,
    SHRINKAGE,
    Projection,
    held_out,
    projection_fit,
    unit_rows,
)
from recommender.embeddings.store import vector_from_send
from recommender.models import ProductEmbedding, VisualProjection

SOURCE_ENCODER = "lite0"
SPLIT = "held out: sha256(slug)[:8] as an integer is odd (about half); fitted on the other half"


@dataclass(frozen=True)
class CatalogueVectors:
    ids: np.ndarray  # int64 [n], ordered
    keys: list[str]  # slugs: what the split hashes
    categories: np.ndarray  # int64 [n]
    vectors: np.ndarray  # float32 [n, d], unit rows

    @property
    def test(self) -> np.ndarray:
        return np.array([held_out(key) for key in self.keys], dtype=bool)


def catalogue_vectors(*, encoder: str = SOURCE_ENCODER) -> CatalogueVectors:
    """Active, categorised products with a vector under `encoder`, in one query (vectors read as binary)."""
    rows = (ProductEmbedding.objects.filter(encoder=encoder, product__is_active=True,
                                            product__category__isnull=False)
            .annotate(raw=Func("vector", function="vector_send", output_field=BinaryField()))
            .order_by("product_id").values_list("product_id", "product__slug", "product__category_id", "raw"))
    ids, keys, categories, vectors = [], [], [], []
    for product_id, slug, category_id, raw in rows:
        ids.append(product_id)
        keys.append(slug)
        categories.append(category_id)
        vectors.append(vector_from_send(raw))
    matrix = unit_rows(np.stack(vectors)) if vectors else np.empty((0, 0), np.float32)
    return CatalogueVectors(np.array(ids, dtype=np.int64), keys, np.array(categories, dtype=np.int64), matrix)


def held_out_figures(data: CatalogueVectors, *, shrinkage: float = SHRINKAGE, k: int = 10) -> dict:
    """Fit on the training half, measure on the held-out half (queries and pool), raw vs projected."""
    from recommender.evaluation.visual import precision_at_k_same_category

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


def projection_current(*, encoder: str = SOURCE_ENCODER) -> tuple[VisualProjection, Projection] | None:
    row = VisualProjection.objects.filter(encoder=encoder, method=METHOD).first()
    if row is None:
        return None
    matrix, mean = row.arrays()
    return row, Projection(matrix=matrix, mean=mean)
