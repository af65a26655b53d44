"""Experiment, not served: a visual projection learned from the catalogue's own categories (regularised LDA).

Run: .venv/bin/python manage.py bench projection --json [--encoder lite0]
In: every active product with a vector under the source encoder (default lite0) and a category, in the database the
command runs against. Out: {"products", "p_at_10", "p_at_10_raw", "train_products", "train_categories",
"held_out_products"}: P@10 of same-category neighbours on the held-out half of the products (a stable hash of the
slug, `held_out`), where both the queries and the neighbour pool are held-out products, for the raw vectors and for
the projection fitted on the other half only.

What is learned: the mean vector [d] and a matrix [k, d], k = categories - 1 (at most MAX_DIMS), whose rows are the
directions that best separate the categories relative to the spread within them; the within-category covariance is
shrunk towards a multiple of the identity by SHRINKAGE, since 1280 dimensions outnumber the products of most
categories. A projected vector is normalise(matrix · (normalise(v) - mean)). Figures and why it is not served:
docs/benchmarks.md, "Visual similarity".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db.models import BinaryField, Func

from recommender.encoder_training.data import held_out
from recommender.evaluation.metrics import precision_at_k_same_category
from recommender.models import ProductEmbedding
from recommender.vectors.codec import vector_from_send
from recommender.vectors.projection import Projection, unit_rows

SOURCE_ENCODER = "lite0"
SHRINKAGE = 0.2  # chosen by 3-fold cross-validation inside the training half of fashion-5k (docs/benchmarks.md)
MAX_DIMS = 256


@dataclass(frozen=True)
class CatalogueVectors:
    ids: np.ndarray  # int64 [n], ordered
    keys: list[str]  # slugs: what the split hashes
    categories: np.ndarray  # int64 [n]
    vectors: np.ndarray  # float32 [n, d], unit rows

    @property
    def test(self) -> np.ndarray:
        return np.array([held_out(key) for key in self.keys], dtype=bool)


def projection_fit(vectors: np.ndarray, categories: np.ndarray, *, shrinkage: float = SHRINKAGE,
                   max_dims: int = MAX_DIMS) -> Projection:
    """LDA on unit rows. Needs at least two categories; categories with one product only add to the mean."""
    x = unit_rows(vectors).astype(np.float64)
    classes, index = np.unique(np.asarray(categories), return_inverse=True)
    if len(classes) < 2:
        raise ValueError("a projection needs products in at least two categories")
    n, d = x.shape
    mean = x.mean(axis=0)
    counts = np.bincount(index).astype(np.float64)
    centroids = np.zeros((len(classes), d))
    np.add.at(centroids, index, x)
    centroids /= counts[:, None]
    within = x - centroids[index]
    scatter_within = within.T @ within / n
    scatter_within = (1 - shrinkage) * scatter_within + shrinkage * np.trace(scatter_within) / d * np.eye(d)
    between = (centroids - mean) * np.sqrt(counts / n)[:, None]
    scatter_between = between.T @ between
    # Whiten the within-category scatter, then take the top eigenvectors of the between-category scatter there.
    values, vectors_w = np.linalg.eigh(scatter_within)
    whiten = vectors_w / np.sqrt(np.maximum(values, 1e-12))
    spread, directions = np.linalg.eigh(whiten.T @ scatter_between @ whiten)
    k = min(len(classes) - 1, max_dims, d)
    top = np.argsort(spread)[::-1][:k]
    matrix = (whiten @ directions[:, top]).T
    return Projection(matrix=matrix.astype(np.float32), mean=mean.astype(np.float32))


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


def run(*, encoder: str = SOURCE_ENCODER, shrinkage: float = SHRINKAGE, k: int = 10) -> dict:
    return held_out_figures(catalogue_vectors(encoder=encoder), shrinkage=shrinkage, k=k)
