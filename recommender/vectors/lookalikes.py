"""The look-alike statement: each anchor product's k nearest under one encoder, one HNSW scan per anchor, in one
statement. Used by serving (`store.neighbours_of_products`) and by the depth calibration, so what is measured is
what serves.

In: a cursor (its transaction's or session's `hnsw.ef_search` applies), the encoder, its vectors' width, anchor
product ids, k. Out: (anchor id, neighbour id, cosine distance) rows, each anchor's nearest first.
"""

from __future__ import annotations

from collections.abc import Sequence

from recommender.vectors.codec import index_cast


def lookalike_sql(dim: int) -> str:
    cast = index_cast(dim)
    # A LATERAL join runs the index scan once per anchor row, with that anchor's vector as the scan's parameter; the
    # ORDER BY is the partial index's expression (index_cast) so PostgreSQL walks the index of that width.
    return f"""
        SELECT a.product_id, n.product_id, n.distance
          FROM recommender_productembedding a
         CROSS JOIN LATERAL (
               SELECT e.product_id, (e.vector::{cast}) <=> (a.vector::{cast}) AS distance
                 FROM recommender_productembedding e
                WHERE e.encoder = %s AND e.product_id <> a.product_id
                ORDER BY (e.vector::{cast}) <=> (a.vector::{cast})
                LIMIT %s) n
         WHERE a.encoder = %s AND a.product_id = ANY(%s)
         ORDER BY a.product_id, n.distance, n.product_id
        """


def lookalike_params(*, encoder: str, ids: Sequence[int], k: int) -> list:
    return [encoder, k, encoder, list(ids)]


def lookalike_rows(cursor, *, encoder: str, dim: int, ids: Sequence[int], k: int) -> list[tuple[int, int, float]]:
    cursor.execute(lookalike_sql(dim), lookalike_params(encoder=encoder, ids=ids, k=k))
    return [(anchor, pid, float(distance)) for anchor, pid, distance in cursor.fetchall()]
