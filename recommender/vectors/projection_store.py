"""Read the catalogue's vectors for the visual projection, and the stored projection itself.

In: the source encoder (default lite0). Out: `catalogue_vectors`: every active, categorised product with a vector
under it (ids, slugs, categories, unit vectors) in one query; `projection_current`: the stored `VisualProjection`
row with its `Projection`, or None. Learning and measuring it: `recommender.evaluation.projection`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db.models import BinaryField, Func

from recommender.vectors.codec import vector_from_send
from recommender.vectors.projection import METHOD, Projection, held_out, unit_rows
from recommender.models import ProductEmbedding, VisualProjection

SOURCE_ENCODER = "lite0"


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


def projection_current(*, encoder: str = SOURCE_ENCODER) -> tuple[VisualProjection, Projection] | None:
    row = VisualProjection.objects.filter(encoder=encoder, method=METHOD).first()
    if row is None:
        return None
    matrix, mean = row.arrays()
    return row, Projection(matrix=matrix, mean=mean)
