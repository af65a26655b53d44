"""The pgvector store: write image vectors (compare-and-set on sha256), roll them up into product
vectors, and answer nearest-neighbour queries. Plain SQL where the ORM cannot say it in one query.

Vectors in: float32 numpy rows. Distances out: cosine distance in [0, 2] (0 = same direction).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
import logging
from dataclasses import dataclass

import numpy as np
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from recommender.conf import recommender_setting
from recommender.models import EmbeddingStatus, ImageEmbedding, ProductEmbedding

logger = logging.getLogger(__name__)

# Beyond this pgvector's `vector` type cannot be HNSW-indexed (halfvec, from 0.7, goes to 4000).
VECTOR_INDEX_MAX_DIM = 2000


def vector_literal(vector: np.ndarray) -> str:
    """pgvector's text form. Text keeps the driver free of per-connection type registration."""
    return "[" + ",".join(f"{x:.7g}" for x in np.asarray(vector, dtype=np.float32).ravel()) + "]"


def parse_vector(text) -> np.ndarray:
    if isinstance(text, np.ndarray):
        return text.astype(np.float32)
    return np.array(str(text).strip("[]").split(","), dtype=np.float32)


def image_vectors_save(*, encoder: str, rows: Sequence[tuple[int, str, np.ndarray]]) -> int:
    """Store (embedding_id, sha256, vector) rows as ready, each only if its image still has that sha256.

    Returns how many were written. A row whose image changed meanwhile is left pending: the change
    queued a task of its own.
    """
    if not rows:
        return 0
    values = ", ".join(["(%s, %s, %s::vector)"] * len(rows))
    params: list = []
    for embedding_id, sha256, vector in rows:
        params += [embedding_id, sha256, vector_literal(vector)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE recommender_imageembedding AS e
               SET vector = v.vector, sha256 = v.sha256, status = %s, error = '', updated_at = now()
              FROM (VALUES {values}) AS v(id, sha256, vector), catalog_productimage AS i
             WHERE e.id = v.id AND i.id = e.image_id AND i.sha256 = v.sha256 AND e.encoder = %s
            """,
            [EmbeddingStatus.READY, *params, encoder],
        )
        return cursor.rowcount


def image_embeddings_fail(*, failures: Iterable[tuple[int, str]]) -> None:
    now = timezone.now()
    for embedding_id, reason in failures:
        ImageEmbedding.objects.filter(pk=embedding_id).update(
            status=EmbeddingStatus.FAILED, error=reason[:1000], vector=None, updated_at=now
        )


def product_vectors_refresh(*, product_ids: Sequence[int], encoder: str) -> None:
    """Make each product's vector the mean of its current, ready image vectors; drop it if none is left.

    Cosine distance ignores length, so the mean is stored unnormalised; readers normalise.
    """
    if not product_ids:
        return
    ids = list(product_ids)
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
                SELECT product_id, %s, vector, n, now() FROM src
                ON CONFLICT (product_id, encoder)
                DO UPDATE SET vector = EXCLUDED.vector, images = EXCLUDED.images, updated_at = EXCLUDED.updated_at
                RETURNING product_id
            )
            DELETE FROM recommender_productembedding
             WHERE encoder = %s AND product_id = ANY(%s) AND product_id NOT IN (SELECT product_id FROM src)
            """,
            [encoder, EmbeddingStatus.READY, ids, encoder, encoder, ids],
        )


def vector_index_ensure(*, encoder: str) -> None:
    """An HNSW cosine index for `encoder`'s product vectors, created once (the default's by migration)."""
    name = f"product_embedding_hnsw_{_identifier(encoder)}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [name])
        if cursor.fetchone():
            return
        cursor.execute(
            "SELECT vector_dims(vector) FROM recommender_productembedding WHERE encoder = %s LIMIT 1", [encoder]
        )
        row = cursor.fetchone()
        if row is None or row[0] > VECTOR_INDEX_MAX_DIM:
            return  # nothing to index yet, or too wide for `vector` on pgvector < 0.7: searched exactly
        try:
            with transaction.atomic():
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {name} ON recommender_productembedding "
                    f"USING hnsw ((vector::vector({row[0]})) vector_cosine_ops) "
                    f"WITH (m = 16, ef_construction = 64) WHERE encoder = %s",
                    [encoder],
                )
        except DatabaseError as error:  # e.g. inside a caller's transaction; the next run tries again
            logger.info("HNSW index for %s not created now: %s", encoder, error)


def _identifier(name: str) -> str:
    safe = "".join(c if c.isalnum() else "_" for c in name.lower())
    return safe[:40]


def encoder_for_serving() -> str | None:
    """The encoder whose product vectors answer queries now.

    The configured encoder once it has no image left to do; until then the encoder with the most
    product vectors, so switching encoders never leaves the shop without similar items.
    """
    configured = recommender_setting("ENCODER")
    try:
        cached = cache.get("recommender:serving-encoder")
    except Exception:  # a stopped Redis is a cache miss: the answer comes from PostgreSQL
        logger.warning("serving encoder: cache unavailable, reading the database")
        cached = None
    if cached:
        return cached
    from shop.catalog.models import ProductImage

    images = ProductImage.objects.count()
    done = ImageEmbedding.objects.filter(
        encoder=configured, status__in=[EmbeddingStatus.READY, EmbeddingStatus.FAILED]
    ).count()
    if images and done >= images:
        serving = configured
    else:
        counts = _product_vector_counts()
        serving = max(counts, key=lambda name: (counts[name], name == configured)) if counts else configured
    try:
        cache.set("recommender:serving-encoder", serving, timeout=60)
    except Exception:
        pass  # already logged by the get above
    return serving


def _product_vector_counts() -> dict[str, int]:
    from django.db.models import Count

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
        cursor.execute(f"SET LOCAL hnsw.ef_search = {max(int(recommender_setting('HNSW_EF_SEARCH')), k + 1)}")
        cursor.execute(
            f"""
            SELECT a.product_id, n.product_id, n.distance
              FROM recommender_productembedding a
             CROSS JOIN LATERAL (
                   SELECT e.product_id, (e.vector::vector({dim})) <=> (a.vector::vector({dim})) AS distance
                     FROM recommender_productembedding e
                    WHERE e.encoder = %s AND e.product_id <> a.product_id
                    ORDER BY (e.vector::vector({dim})) <=> (a.vector::vector({dim}))
                    LIMIT %s) n
             WHERE a.encoder = %s AND a.product_id = ANY(%s)
             ORDER BY a.product_id, n.distance, n.product_id
            """,
            [encoder, k, encoder, [pid for pid, width in dims.items() if width == dim]],
        )
        for anchor, pid, distance in cursor.fetchall():
            found[anchor].append(Neighbour(pid, float(distance)))
    return found
