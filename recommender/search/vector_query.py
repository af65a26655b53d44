"""Nearest products to a query vector under catalogue filters: one reusable function.

In: a query vector (any length; L2 norm does not matter for cosine), the encoder whose product
vectors to search, k, and ``ProductFilters`` (category with its descendants, department, a size in
stock, price range; inactive products are always left out).
Out: up to k ``(product_id, distance)`` pairs, nearest first; cosine distance in [0, 2].

Why two plans: pgvector before 0.8 has no iterative index scan, so a WHERE applied after an HNSW
scan only sees the ef_search nearest rows and, for a selective filter, returns too few (recall@10
0.20 at a 5 % filter, see DESIGN.md). So:

* a selective filter (a capped COUNT of matching products <= FILTER_EXACT_MAX_ROWS, counted only when the
  planner's estimate is under ESTIMATE_DOUBT times that) is searched exactly: the filter first (B-tree
  indexes), then ORDER BY distance over those rows only;
* a wide filter walks the partial HNSW index with ``hnsw.ef_search`` raised (SET LOCAL) to
  FILTER_HNSW_EF_SEARCH, or deeper when the planner expects fewer than 2 k matches in that many
  (``_first_pass_ef``), and keeps every candidate the scan found (the first ef_search rows in
  distance order), then filters them: with a 20 % filter, 200 candidates leave ~40 to pick 10 from.
  When fewer than k survive, deeper passes at FILTER_HNSW_EF_SEARCH_MID and FILTER_HNSW_EF_SEARCH_MAX
  (pgvector 0.6 caps ef_search at 1000), then the exact plan: a 5 % filter leaves ~10 of the first
  pass's 200 (often fewer than k) and ~25 of 500, and a pass at 500 costs half of one at 1000.
  Post-filtering the exact top-N unfiltered rows is itself exact, so recall is the index's own
  recall at depth N;
* no filter: HNSW at ef_search = max(HNSW_EF_SEARCH, k x FILTER_HNSW_OVERFETCH), over-fetching
  k x FILTER_HNSW_OVERFETCH rows (only inactive products are dropped);
* on pgvector >= 0.8 (version read once per process) a filtered HNSW pass also sets
  ``hnsw.iterative_scan = relaxed_order``, so the scan goes on past ef_search when the filter eats
  the candidates; the order is restored by the outer ORDER BY.

The exact plan orders by ``vector <=> q`` (no cast), an expression the index does not cover, so
PostgreSQL can never swap in the index there.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db import connection, transaction

from recommender.conf import recommender_setting
from recommender.embeddings.store import vector_literal

# A first HNSW pass deep enough to expect this many times k matching rows: at 2, a 5 % filter's pass at ef 400 kept
# 10 rows for 100 of 100 queries (bench similar, 100k x 256-d) in 19 ms p95, against 26 ms at ef 500 (2.5 before).
EXPECTED_MATCHES = 2.0
ESTIMATE_DOUBT = 2  # a filter estimated to keep more than this x FILTER_EXACT_MAX_ROWS is not counted


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
        if filters.is_empty:
            # Only inactive products are dropped: a small over-fetch at the serving ef_search is enough
            # (the exact fallback covers a catalogue full of inactive products).
            fetch = k * int(recommender_setting("FILTER_HNSW_OVERFETCH"))
            passes = [max(int(recommender_setting("HNSW_EF_SEARCH")), fetch)]
        else:
            matching, total = _estimated_rows(cursor, where, params)
            exact_max = int(recommender_setting("FILTER_EXACT_MAX_ROWS"))
            # The count runs only where the estimate leaves it in doubt: for a broad filter it reads thousands of
            # rows to say what the estimate already says. An estimate far off only costs the exact fallback below.
            if matching <= ESTIMATE_DOUBT * exact_max and _matching_at_most(cursor, where, params, exact_max):
                return _exact(cursor, vector=vector, encoder=encoder, k=k, where=where, params=params)
            first = _first_pass_ef(matching, total, k=k)
            deeper = (int(recommender_setting(name)) for name in ("FILTER_HNSW_EF_SEARCH_MID", "FILTER_HNSW_EF_SEARCH_MAX"))
            passes = [first, *sorted({ef for ef in deeper if ef > first})]
        for ef_search in passes:
            fetch = fetch if filters.is_empty else ef_search
            rows = _hnsw(cursor, vector=vector, encoder=encoder, k=k, where=where, params=params,
                         fetch=fetch, ef_search=ef_search, iterative=not filters.is_empty)
            if len(rows) >= k:
                return rows
        # Too few survived the filter after the index scans (or no index for this width): be exact.
        return _exact(cursor, vector=vector, encoder=encoder, k=k, where=where, params=params)


_PGVECTOR_VERSION: dict[str, tuple[int, ...]] = {}


def pgvector_version(cursor) -> tuple[int, ...]:
    """The server's pgvector version, e.g. (0, 6, 2): read once per process and database."""
    key = connection.settings_dict.get("NAME") or ""
    if key not in _PGVECTOR_VERSION:
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        row = cursor.fetchone()
        _PGVECTOR_VERSION[key] = tuple(int(part) for part in row[0].split(".") if part.isdigit()) if row else ()
    return _PGVECTOR_VERSION[key]


def _matching_at_most(cursor, where: str, params: list, limit: int) -> bool:
    """True when at most ``limit`` active products match: a COUNT that stops at limit + 1."""
    cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM catalog_product p WHERE {where} LIMIT %s) AS m", [*params, limit + 1])
    return cursor.fetchone()[0] <= limit


def _estimated_rows(cursor, where: str, params: list) -> tuple[float, float]:
    """(products the filter keeps, products in all): the planner's estimates (EXPLAIN, not run: well under a ms)."""
    cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM catalog_product p WHERE {where}", params)
    plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'catalog_product'::regclass")
    return float(plan[0]["Plan"]["Plan Rows"]), float(cursor.fetchone()[0] or 0)


def _first_pass_ef(matching: float, total: float, *, k: int) -> int:
    """The first HNSW pass deep enough that EXPECTED_MATCHES x k matching rows are expected among its candidates.

    A 20 % filter starts at FILTER_HNSW_EF_SEARCH (200); a 5 % one at ~400 instead of failing at 200 first.
    Capped at FILTER_HNSW_EF_SEARCH_MAX.
    """
    floor = max(int(recommender_setting("FILTER_HNSW_EF_SEARCH")), k)
    cap = int(recommender_setting("FILTER_HNSW_EF_SEARCH_MAX"))
    if total <= 0 or matching <= 0:
        return floor
    return int(min(max(math.ceil(EXPECTED_MATCHES * k * total / matching), floor), cap))


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


def _hnsw(cursor, *, vector, encoder, k, where, params, fetch, ef_search, iterative) -> list[tuple[int, float]]:
    dim = len(vector)
    cursor.execute(f"SET LOCAL hnsw.ef_search = {min(int(ef_search), 1000)}")
    query = vector_literal(vector)
    if iterative and pgvector_version(cursor) >= (0, 8):
        # The filter sits inside the index scan's query: the iterative scan keeps walking the graph
        # until k rows pass it (or hnsw.max_scan_tuples); relaxed order is put right outside.
        cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
        cursor.execute(
            f"""
            WITH near AS MATERIALIZED (
                SELECT e.product_id, (e.vector::vector({dim})) <=> %s::vector({dim}) AS distance
                  FROM recommender_productembedding e JOIN catalog_product p ON p.id = e.product_id
                 WHERE e.encoder = %s AND {where}
                 ORDER BY (e.vector::vector({dim})) <=> %s::vector({dim})
                 LIMIT %s
            )
            SELECT product_id, distance FROM near ORDER BY distance, product_id
            """,
            [query, encoder, *params, query, k],
        )
        return [(pid, float(distance)) for pid, distance in cursor.fetchall()]
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
