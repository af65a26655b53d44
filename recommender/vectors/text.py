"""Text vectors (search by meaning): write a batch of product text vectors, and the nearest active products to a
query's text vector.

In: the text model's name, (product id, text sha256, float32 vector) rows or one query vector. Out: for
`text_nearest`, up to `limit` (product id, cosine similarity in [-1, 1]) pairs at or above `min_similarity`,
nearest first.
"""

from __future__ import annotations

import numpy as np
from django.db import connection, transaction

from recommender.models import TextEmbedding
from recommender.vectors.codec import ef_search_sql, vector_literal
from recommender.vectors.depth import ef_search_for
from shop.catalog.models import Product

TEXT_VECTORS = TextEmbedding._meta.db_table
PRODUCTS = Product._meta.db_table


def text_vectors_save(*, model: str, rows: list[tuple[int, str, np.ndarray]]) -> None:
    values = ", ".join(["(%s, %s, %s, %s::vector, now())"] * len(rows))
    params: list = []
    for product_id, digest, vector in rows:
        params += [product_id, model, digest, vector_literal(vector)]
    # A product deleted since it was read would break the FK: insert only those still there.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {TEXT_VECTORS} (product_id, model, text_sha256, vector, updated_at)
            SELECT v.product_id, v.model, v.sha, v.vector, v.at
              FROM (VALUES {values}) AS v(product_id, model, sha, vector, at)
              JOIN {PRODUCTS} p ON p.id = v.product_id
            ON CONFLICT (product_id, model) DO UPDATE
               SET text_sha256 = EXCLUDED.text_sha256, vector = EXCLUDED.vector, updated_at = EXCLUDED.updated_at
            """,
            params,
        )


def text_nearest(*, vector: np.ndarray, model: str, limit: int, min_similarity: float) -> list[tuple[int, float]]:
    query = vector_literal(vector)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(ef_search_sql(ef_search_for(limit, text=True)))
        cursor.execute(
            f"""
            WITH near AS MATERIALIZED (
                SELECT product_id, vector <=> %s::vector AS distance
                  FROM {TEXT_VECTORS}
                 WHERE model = %s
                 ORDER BY vector <=> %s::vector
                 LIMIT %s
            )
            SELECT near.product_id, 1 - near.distance AS similarity
              FROM near JOIN {PRODUCTS} p ON p.id = near.product_id
             WHERE p.is_active AND 1 - near.distance >= %s
             ORDER BY near.distance, near.product_id
            """,
            [query, model, query, limit, min_similarity],
        )
        return [(pid, float(similarity)) for pid, similarity in cursor.fetchall()]
