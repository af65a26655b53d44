"""The pgvector store: write image vectors (compare-and-set on sha256), roll them up into product
vectors, say which encoder serves, read a product's unit vectors and answer look-alike queries (several anchors,
one statement). Plain SQL where the ORM cannot say it in one query.

Vectors in: float32 numpy rows. Distances out: cosine distance in [0, 2] (0 = same direction).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from recommender import cache
from recommender.conf import recommender_setting
from recommender.models import EmbeddingStatus, ImageEmbedding, ProductEmbedding
from recommender.vectors import compact, compact_store
from recommender.vectors.bulk import product_vectors_read
from recommender.vectors.codec import ef_search_sql, unit, vector_from_send
from recommender.vectors.depth import ef_search_configured, ef_search_for, session_depth_ensure, session_depth_set
from recommender.vectors.halfvec_wire import TABLE, image_vectors_stage
from recommender.vectors.lookalikes import lookalike_rows
from shop.catalog.models import Product, ProductImage

# Compact vectors serve once they hold this share of their source's products: embedding tasks write them at their
# end, and a task's batch must not send the shop back to the raw vectors for its few seconds.
COMPACT_COVERAGE = 0.95
SERVING_ENCODER_SECONDS = 60  # how long a process keeps its answer to "which encoder serves" (a few counts)


def image_vectors_save(*, encoder: str, rows: Sequence[tuple[int, str, np.ndarray]]) -> int:
    """Store (embedding_id, sha256, vector) rows as ready, each only if its image still has that sha256.

    Returns how many were written. A row whose image changed meanwhile is left pending: the change
    queued a task of its own.
    """
    if not rows:
        return 0
    # Sent as binary halfvec (halfvec_wire), stored as vector: a quarter of the text form's bytes, no parsing.
    with transaction.atomic(), connection.cursor() as cursor:
        image_vectors_stage(cursor, rows)
        cursor.execute(
            f"""
            UPDATE recommender_imageembedding AS e
               SET vector = v.vector::vector, sha256 = v.sha256, status = %s, error = '', updated_at = now()
              FROM {TABLE} AS v, catalog_productimage AS i
             WHERE e.id = v.id AND i.id = e.image_id AND i.sha256 = v.sha256 AND e.encoder = %s
            """,
            [EmbeddingStatus.READY, encoder],
        )
        return cursor.rowcount


def image_embeddings_fail(*, failures: Iterable[tuple[int, str]]) -> None:
    now = timezone.now()
    for embedding_id, reason in failures:
        ImageEmbedding.objects.filter(pk=embedding_id).update(
            status=EmbeddingStatus.FAILED, error=reason[:1000], vector=None, updated_at=now
        )


def product_vectors_refresh(*, product_ids: Sequence[int], encoder: str, with_compact: bool = True) -> None:
    """Make each product's vector the mean of its current, ready image vectors; drop it if none is left.

    Cosine distance ignores length, so the mean is stored unnormalised; readers normalise. `updated_at` is the
    statement's clock, not the transaction's: a compact row is matched to its source row by that time.
    """
    if not product_ids:
        return
    ids = list(product_ids)
    encoder = compact.compact_source(encoder) or encoder  # a compact encoder's rows follow its source's
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            WITH src AS (
                SELECT i.product_id, AVG(e.vector) AS vector, COUNT(*) AS n
                  FROM recommender_imageembedding e
                  JOIN catalog_productimage i ON i.id = e.image_id AND i.sha256 = e.sha256
                 WHERE e.encoder = %s AND e.status = %s AND i.product_id = ANY(%s)
                 GROUP BY i.product_id
            ), upserted AS (
                INSERT INTO recommender_productembedding (product_id, encoder, vector, images, updated_at)
                SELECT product_id, %s, vector, n, clock_timestamp() FROM src
                ON CONFLICT (product_id, encoder)
                DO UPDATE SET vector = EXCLUDED.vector, images = EXCLUDED.images, updated_at = EXCLUDED.updated_at
                RETURNING product_id
            )
            DELETE FROM recommender_productembedding
             WHERE encoder = %s AND product_id = ANY(%s) AND product_id NOT IN (SELECT product_id FROM src)
            """,
            [encoder, EmbeddingStatus.READY, ids, encoder, encoder, ids],
        )
        if with_compact:  # the embedding worker passes False and refreshes once per task instead
            compact_store.compact_refresh(product_ids=ids, source=encoder)


def encoder_for_serving() -> str | None:
    """The encoder whose product vectors answer queries now.

    The configured encoder once it has no image left to do; until then the encoder with the most
    product vectors, so switching encoders never leaves the shop without similar items. Either one's
    compact form ("lite0-pca256", `COMPACT_DIMS`) instead, once it has a row for each of its products.
    """
    configured = recommender_setting("ENCODER")
    cached = cache.get(cache.SERVING_ENCODER)  # a stopped Redis reads as a miss: PostgreSQL answers
    if cached:
        return cached
    images = ProductImage.objects.count()
    done = ImageEmbedding.objects.filter(
        encoder=configured, status__in=[EmbeddingStatus.READY, EmbeddingStatus.FAILED]
    ).count()
    counts = _product_vector_counts()
    if images and done >= images:
        serving = configured
    else:
        raw = {name: n for name, n in counts.items() if compact.compact_source(name) is None}
        serving = max(raw, key=lambda name: (raw[name], name == configured)) if raw else configured
    # Its compact vectors answer once they cover it: from the fit on, each embedding task writes its products'
    # compact rows when it ends, so they trail by at most the tasks in flight (COMPACT_COVERAGE).
    dims = compact_store.compact_dims()
    if dims and counts.get(compact.compact_name(serving, dims), 0) >= max(COMPACT_COVERAGE * counts.get(serving, 0), 1):
        serving = compact.compact_name(serving, dims)
    cache.set(cache.SERVING_ENCODER, serving, SERVING_ENCODER_SECONDS)
    return serving


def _product_vector_counts() -> dict[str, int]:
    return dict(ProductEmbedding.objects.values("encoder").annotate(n=Count("id")).values_list("encoder", "n"))


@dataclass(frozen=True)
class Neighbour:
    product_id: int
    distance: float


def product_neighbours(*, product_id: int, k: int = 8, encoder: str | None = None) -> list[Neighbour]:
    """The k products whose vectors are nearest to this product's: one HNSW index scan."""
    return neighbours_of_products(product_ids=[product_id], k=k, encoder=encoder).get(product_id, [])


def neighbours_of_products(*, product_ids: Iterable[int], k: int = 8, encoder: str | None = None
                           ) -> dict[int, list[Neighbour]]:
    """{product id: its k nearest products}, for several products in one statement (one HNSW scan each).

    A LATERAL join runs the index scan once per anchor row, with that anchor's vector as the scan's
    parameter; a product without a vector under `encoder` maps to [].
    """
    ids = list(dict.fromkeys(int(pid) for pid in product_ids))
    found: dict[int, list[Neighbour]] = {pid: [] for pid in ids}
    if not ids:
        return found
    encoder = encoder or encoder_for_serving()
    parts = compact.compact_parts(encoder)
    depth = ef_search_for(k + 1, encoder=encoder)  # the anchor is its own nearest: one more row than it returns
    if parts:
        # A compact encoder's width is in its name; where the connection's session already scans at this depth
        # (or can be set to it: autocommit) this is one statement, else a SET LOCAL inside a transaction.
        deeper = not session_depth_ensure(connection, depth)
        with transaction.atomic() if deeper else nullcontext(), connection.cursor() as cursor:
            if deeper:
                cursor.execute(ef_search_sql(depth))
            _neighbours_query(cursor, found, encoder=encoder, dim=parts[1], ids=ids, k=k)
        return found
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT product_id, vector_dims(vector) FROM recommender_productembedding "
            "WHERE encoder = %s AND product_id = ANY(%s)",
            [encoder, ids],
        )
        dims = dict(cursor.fetchall())
        if not dims:
            return found
        # One encoder has one width; the cast below must name it to match the partial index's expression.
        dim = max(set(dims.values()), key=list(dims.values()).count)
        cursor.execute(ef_search_sql(depth))
        _neighbours_query(cursor, found, encoder=encoder, dim=dim, k=k,
                          ids=[pid for pid, width in dims.items() if width == dim])
    return found


def _neighbours_query(cursor, found: dict[int, list[Neighbour]], *, encoder: str, dim: int, ids: list[int],
                      k: int) -> None:
    for anchor, pid, distance in lookalike_rows(cursor, encoder=encoder, dim=dim, ids=ids, k=k):
        found[anchor].append(Neighbour(pid, distance))


def ef_search_session_default(connection) -> None:
    """The configured `hnsw.ef_search` for a whole database session, set once per connection (receivers call it on
    `connection_created`): a nearest-neighbour query at that depth then needs no transaction and no SET LOCAL around
    it (three round trips fewer). A depth measured deeper for the serving index (recommender.vectors.depth) becomes
    the session's at its first query outside a transaction; deeper passes still SET LOCAL inside their own."""
    if connection.vendor != "postgresql":
        return
    session_depth_set(connection, ef_search_configured())


def unit_vectors(*, product_ids: Iterable[int], encoder: str) -> dict[int, np.ndarray | None]:
    """{product id: unit float32 vector (None if all zeros)} in one query (vectors read as `vector_send` bytes)."""
    ids, vectors = product_vectors_read(encoder=encoder, product_ids=list(product_ids))
    return {int(pid): unit(vector) for pid, vector in zip(ids, vectors)}


def active_product_vector(*, product_id: int, encoder: str) -> tuple[str, np.ndarray | None] | None:
    """(name, unit vector or None) of an active product, None when there is no such product: one query, the
    vector as `vector_send` bytes (what a "similar" request needs before its nearest-neighbour query)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.name, vector_send(e.vector) FROM {Product._meta.db_table} p "
            f"LEFT JOIN {ProductEmbedding._meta.db_table} e ON e.product_id = p.id AND e.encoder = %s "
            "WHERE p.id = %s AND p.is_active",
            [encoder, product_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    name, raw = row
    return name, (None if raw is None else unit(vector_from_send(raw)))


def active_product_vectors(*, encoder: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ids int64 [n], category ids int64 [n], unit float32 [n, d]) of every active product with a vector under
    `encoder`, ordered by id: one query, vectors read as `vector_send` bytes."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT e.product_id, p.category_id, vector_send(e.vector) FROM {ProductEmbedding._meta.db_table} e "
            f"JOIN {Product._meta.db_table} p ON p.id = e.product_id WHERE e.encoder = %s AND p.is_active "
            "ORDER BY e.product_id",
            [encoder],
        )
        rows = cursor.fetchall()
    if not rows:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty((0, 0), np.float32)
    matrix = np.stack([vector_from_send(raw) for _, _, raw in rows])
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    return (np.array([pid for pid, _, _ in rows], dtype=np.int64),
            np.array([c if c is not None else -1 for _, c, _ in rows], dtype=np.int64), matrix)
