"""Nearest products to a query vector under catalogue filters: one reusable function.

In: a query vector (any length; L2 norm does not matter for cosine), the encoder whose product
vectors to search, k, and ``ProductFilters`` (category with its descendants, department, a size in
stock, price range; inactive products are always left out).
Out: up to k ``(product_id, distance)`` pairs, nearest first; cosine distance in [0, 2].

Why two plans: pgvector before 0.8 has no iterative index scan, so a WHERE applied after an HNSW
scan only sees the ef_search nearest rows and, for a selective filter, returns too few (recall@10
0.20 at a 5 % filter, see DESIGN.md). So:

* a selective filter (a capped COUNT of matching products <= FILTER_EXACT_MAX_ROWS) is searched
  exactly: the filter first (B-tree indexes), then ORDER BY distance over those rows only;
* a wide filter (or none) walks the partial HNSW index with ``hnsw.ef_search`` raised (SET LOCAL)
  and over-fetches k x FILTER_HNSW_OVERFETCH rows, filters them, and falls back to the exact plan
  when fewer than k survive.

The exact plan orders by ``vector <=> q`` (no cast), an expression the index does not cover, so
PostgreSQL can never swap in the index there.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db import connection, transaction

from recommender.conf import recommender_setting
from recommender.embeddings.store import vector_literal


@dataclass(frozen=True)
class ProductFilters:
    category_id: int | None = None  # the category or any below it
    gender: str | None = None
    size: str | None = None  # a variant of this size with stock > 0
    price_min: Decimal | None = None
    price_max: Decimal | None = None

    @property
    def is_empty(self) -> bool:
        return not any(
            value is not None and value != "" for value in
            (self.category_id, self.gender, self.size, self.price_min, self.price_max)
        )


def filter_sql(filters: ProductFilters, *, alias: str = "p") -> tuple[str, list]:
    """A WHERE fragment over catalog_product AS ``alias`` and its parameters."""
    clauses, params = [f"{alias}.is_active"], []
    if filters.category_id is not None:
        # The tree is at most three levels deep (see catalog.selectors.in_category_tree).
        clauses.append(
            f"{alias}.category_id IN (SELECT c.id FROM catalog_category c LEFT JOIN catalog_category pc "
            "ON pc.id = c.parent_id WHERE c.id = %s OR c.parent_id = %s OR pc.parent_id = %s)"
        )
        params += [filters.category_id] * 3
    if filters.gender:
        clauses.append(f"{alias}.gender = %s")
        params.append(filters.gender)
    if filters.size:
        clauses.append(
            f"EXISTS (SELECT 1 FROM catalog_variant v WHERE v.product_id = {alias}.id AND v.size = %s AND v.stock > 0)"
        )
        params.append(filters.size)
    if filters.price_min is not None:
        clauses.append(f"{alias}.price >= %s")
        params.append(filters.price_min)
    if filters.price_max is not None:
        clauses.append(f"{alias}.price <= %s")
        params.append(filters.price_max)
    return " AND ".join(clauses), params


def nearest_products(
    *, vector: np.ndarray, encoder: str, k: int, filters: ProductFilters | None = None, exclude: int | None = None
) -> list[tuple[int, float]]:
    filters = filters or ProductFilters()
    vector = np.asarray(vector, dtype=np.float32).ravel()
    where, params = filter_sql(filters)
    if exclude is not None:
        where += " AND p.id <> %s"
        params.append(exclude)
    with transaction.atomic(), connection.cursor() as cursor:
        if not filters.is_empty and _matching_at_most(cursor, where, params, int(recommender_setting("FILTER_EXACT_MAX_ROWS"))):
            return _exact(cursor, vector=vector, encoder=encoder, k=k, where=where, params=params)
        rows = _hnsw(cursor, vector=vector, encoder=encoder, k=k, where=where, params=params)
        if len(rows) < k:
            # Too few survived the filter after the index scan (or no index for this width): be exact.
            return _exact(cursor, vector=vector, encoder=encoder, k=k, where=where, params=params)
        return rows


def _matching_at_most(cursor, where: str, params: list, limit: int) -> bool:
    """True when at most ``limit`` active products match: a COUNT that stops at limit + 1."""
    cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM catalog_product p WHERE {where} LIMIT %s) AS m", [*params, limit + 1])
    return cursor.fetchone()[0] <= limit


def _exact(cursor, *, vector, encoder, k, where, params) -> list[tuple[int, float]]:
    query = vector_literal(vector)
    cursor.execute(
        f"""
        SELECT e.product_id, e.vector <=> %s::vector AS distance
          FROM recommender_productembedding e JOIN catalog_product p ON p.id = e.product_id
         WHERE e.encoder = %s AND {where}
         ORDER BY distance, e.product_id
         LIMIT %s
        """,
        [query, encoder, *params, k],
    )
    return [(pid, float(distance)) for pid, distance in cursor.fetchall()]


def _hnsw(cursor, *, vector, encoder, k, where, params) -> list[tuple[int, float]]:
    dim = len(vector)
    fetch = k * int(recommender_setting("FILTER_HNSW_OVERFETCH"))
    ef_search = max(int(recommender_setting("FILTER_HNSW_EF_SEARCH")), fetch)
    cursor.execute(f"SET LOCAL hnsw.ef_search = {min(ef_search, 1000)}")
    query = vector_literal(vector)
    # The index scan runs alone in a MATERIALIZED CTE (it must match the partial index's expression
    # and predicate exactly); the catalogue filter applies to its output.
    cursor.execute(
        f"""
        WITH near AS MATERIALIZED (
            SELECT product_id, (vector::vector({dim})) <=> %s::vector({dim}) AS distance
              FROM recommender_productembedding
             WHERE encoder = %s
             ORDER BY (vector::vector({dim})) <=> %s::vector({dim})
             LIMIT %s
        )
        SELECT near.product_id, near.distance
          FROM near JOIN catalog_product p ON p.id = near.product_id
         WHERE {where}
         ORDER BY near.distance, near.product_id
         LIMIT %s
        """,
        [query, encoder, query, fetch, *params, k],
    )
    return [(pid, float(distance)) for pid, distance in cursor.fetchall()]
