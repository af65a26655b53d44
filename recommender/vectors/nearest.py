"""Nearest products to a query vector under catalogue filters: one reusable function.

In: a query vector (any length; L2 norm does not matter for cosine), the encoder whose product
vectors to search, k, and ``ProductFilters`` (category with its descendants, department, a size in
stock, price range; inactive products are always left out).
Out: up to k ``(product_id, distance)`` pairs, nearest first; cosine distance in [0, 2].

Two plans (pgvector >= 0.8, checked at `migrate` by shop.core.checks):

* a very selective filter (a capped COUNT of matching products <= FILTER_EXACT_MAX_ROWS, counted only when
  the planner's estimate is under ESTIMATE_DOUBT times that) is searched exactly: the filter first (B-tree
  indexes), then ORDER BY distance over those rows only. It measures faster there than an index scan that
  must walk most of the graph to find k matches;
* anything else walks the partial HNSW index with the filter inside the scan and
  ``hnsw.iterative_scan = relaxed_order``: when the filter eats the first ef_search candidates, the scan
  goes on (up to MAX_SCAN_TUPLES) until k rows pass; the outer ORDER BY restores the order. Fewer than k
  after that (a filter that matches almost nothing near the query) falls back to the exact plan, so k
  rows come back whenever k products match.

The exact plan orders by ``vector <=> q`` (no cast), an expression the index does not cover, so
PostgreSQL can never swap in the index there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db import connections, transaction

from recommender.conf import recommender_setting
from recommender.vectors.codec import ef_search_sql, index_cast, vector_literal
from recommender.vectors.depth import ef_search_for, session_depth_ensure
from shop.catalog.selectors import category_subtree_ids
from shop.core.replica import read_alias

ESTIMATE_DOUBT = 2  # a filter estimated to keep more than this x FILTER_EXACT_MAX_ROWS is not counted
# Rows an iterative scan may visit before it gives up (pgvector's default, 20,000): a 1 % filter needs
# ~k / 0.01 = 1,000 for k = 10; past this the exact plan is cheaper anyway.
MAX_SCAN_TUPLES = 20_000


@dataclass(frozen=True)
class ProductFilters:
    category_id: int | None = None  # the category or any below it
    gender: str | None = None
    size: str | None = None  # a variant of this size with stock > 0
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    colour: str | None = None  # base colour, any case (a predicted colour's one-click filter)

    @property
    def is_empty(self) -> bool:
        return not any(
            value is not None and value != "" for value in
            (self.category_id, self.gender, self.size, self.price_min, self.price_max, self.colour)
        )


def filter_sql(filters: ProductFilters, *, alias: str = "p") -> tuple[str, list]:
    """A WHERE fragment over catalog_product AS ``alias`` and its parameters."""
    clauses, params = [f"{alias}.is_active"], []
    if filters.category_id is not None:
        # The shop's own definition of "and below it", compiled into this statement as a subquery.
        subtree, subtree_params = category_subtree_ids(filters.category_id).query.sql_with_params()
        clauses.append(f"{alias}.category_id IN ({subtree})")
        params += list(subtree_params)
    if filters.gender:
        clauses.append(f"{alias}.gender = %s")
        params.append(filters.gender)
    if filters.colour:
        clauses.append(f"lower({alias}.base_colour) = lower(%s)")
        params.append(filters.colour)
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
    using = read_alias()  # the replica in a web request cleared for it (shop.core.replica)
    if filters.is_empty and session_depth_ensure(connections[using], ef_search_for(k, encoder=encoder)):
        # One statement at the connection's own ef_search (set per session: recommender.vectors.depth): no
        # transaction and no SET LOCAL, five round trips fewer, each one a context switch on a busy machine. Only
        # inactive products and `exclude` are filtered out here, so the first ef_search candidates nearly always hold k.
        with connections[using].cursor() as cursor:
            rows = _hnsw_query(cursor, vector=vector, encoder=encoder, k=k, where=where, params=params)
        if len(rows) >= k:
            return rows
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        if not filters.is_empty:
            matching = _estimated_rows(cursor, where, params)
            exact_max = int(recommender_setting("FILTER_EXACT_MAX_ROWS"))
            # The count runs only where the estimate leaves it in doubt: for a broad filter it reads thousands of
            # rows to say what the estimate already says. An estimate far off only costs the exact fallback below.
            if matching <= ESTIMATE_DOUBT * exact_max and _matching_at_most(cursor, where, params, exact_max):
                return _exact(cursor, vector=vector, encoder=encoder, k=k, where=where, params=params)
        rows = _hnsw(cursor, vector=vector, encoder=encoder, k=k, where=where, params=params,
                     ef_search=ef_search_for(k, filtered=not filters.is_empty, encoder=encoder))
        if len(rows) >= k:
            return rows
        # Too few passed the filter within MAX_SCAN_TUPLES (or no index for this width): be exact.
        return _exact(cursor, vector=vector, encoder=encoder, k=k, where=where, params=params)


def _matching_at_most(cursor, where: str, params: list, limit: int) -> bool:
    """True when at most ``limit`` active products match: a COUNT that stops at limit + 1."""
    cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM catalog_product p WHERE {where} LIMIT %s) AS m", [*params, limit + 1])
    return cursor.fetchone()[0] <= limit


def _estimated_rows(cursor, where: str, params: list) -> float:
    """Products the filter keeps, as the planner estimates it (EXPLAIN, not run: well under a ms)."""
    cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM catalog_product p WHERE {where}", params)
    plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return float(plan[0]["Plan"]["Plan Rows"])


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


def _hnsw(cursor, *, vector, encoder, k, where, params, ef_search) -> list[tuple[int, float]]:
    cursor.execute(ef_search_sql(ef_search))
    cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
    cursor.execute(f"SET LOCAL hnsw.max_scan_tuples = {MAX_SCAN_TUPLES}")
    return _hnsw_query(cursor, vector=vector, encoder=encoder, k=k, where=where, params=params)


def _hnsw_query(cursor, *, vector, encoder, k, where, params) -> list[tuple[int, float]]:
    cast = index_cast(len(vector))
    query = vector_literal(vector)
    # The ORDER BY is the partial index's expression (index_cast); the filter sits inside the scan, and the relaxed order is put right outside.
    cursor.execute(
        f"""
        WITH near AS MATERIALIZED (
            SELECT e.product_id, (e.vector::{cast}) <=> %s::{cast} AS distance
              FROM recommender_productembedding e JOIN catalog_product p ON p.id = e.product_id
             WHERE e.encoder = %s AND {where}
             ORDER BY (e.vector::{cast}) <=> %s::{cast}
             LIMIT %s
        )
        SELECT product_id, distance FROM near ORDER BY distance, product_id
        """,
        [query, encoder, *params, query, k],
    )
    return [(pid, float(distance)) for pid, distance in cursor.fetchall()]
