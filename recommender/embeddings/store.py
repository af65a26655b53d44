"""The pgvector store: write image vectors (compare-and-set on sha256), roll them up into product
vectors, and answer nearest-neighbour queries. Plain SQL where the ORM cannot say it in one query.

Vectors in: float32 numpy rows. Distances out: cosine distance in [0, 2] (0 = same direction).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from recommender.conf import recommender_setting
from recommender.models import EmbeddingStatus, ImageEmbedding, ProductEmbedding

logger = logging.getLogger(__name__)

# HNSW indexes hold vectors as `halfvec` (16-bit floats): half the index of `vector`, so twice as much of the
# graph stays in shared buffers, at the same recall (docs/benchmarks.md). halfvec indexes up to 4,000 dims.
INDEX_TYPE = "halfvec"
VECTOR_INDEX_MAX_DIM = 4000


def index_cast(dim: int) -> str:
    """The type every nearest-neighbour ORDER BY casts both sides to: it must be the index's expression exactly
    (`(vector::halfvec(dim))`) for PostgreSQL to walk the partial HNSW index of that width."""
    return f"{INDEX_TYPE}({int(dim)})"


def index_definition(*, name: str, dim: int) -> str:
    """CREATE INDEX for one encoder's product vectors (its encoder is the %s parameter)."""
    return (f"CREATE INDEX IF NOT EXISTS {name} ON recommender_productembedding "
            f"USING hnsw ((vector::{index_cast(dim)}) {INDEX_TYPE}_cosine_ops) "
            f"WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION}) WHERE encoder = %s")
PG_EPOCH_US = 946_684_800 * 1_000_000  # 2000-01-01 in unix microseconds
# HNSW graph: a graph built with a wider candidate list finds the true neighbours in fewer steps. 100k compact
# vectors (bench similar's): ef_construction 64 gave recall@10 0.952 at ef_search 40 (p50 2.7 ms), 128 gives 0.986
# (p50 2.3 ms), for a build of 89 s instead of 66 s. An existing index keeps its parameters (REINDEX to change).
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 128
# Compact vectors serve once they hold this share of their source's products: embedding tasks write them at their
# end, and a task's batch must not send the shop back to the raw vectors for its few seconds.
COMPACT_COVERAGE = 0.95


def vector_literal(vector: np.ndarray) -> str:
    """pgvector's text form. Text keeps the driver free of per-connection type registration."""
    return "[" + ",".join(f"{x:.7g}" for x in np.asarray(vector, dtype=np.float32).ravel()) + "]"


def vector_from_send(raw) -> np.ndarray:
    """pgvector's binary form (`vector_send`: int16 dim, int16 unused, big-endian float32s) -> float32 [dim].

    Reading vectors this way lets NumPy take the bytes as they are; parsing the text form of a 1280-d vector
    costs about 1 ms each."""
    return np.frombuffer(bytes(raw), dtype=">f4", offset=4).astype(np.float32)


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
    from recommender.embeddings.halfvec_wire import TABLE, image_vectors_stage

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
    from recommender.embeddings import compact, compact_store

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


def product_vectors_read(*, encoder: str, product_ids: Sequence[int] | None = None, with_times: bool = False):
    """(product ids int64 [n], float32 [n, d] as stored) of `encoder`, every product or these, in one query; with
    `with_times`, also each row's `updated_at` as PostgreSQL microseconds (what `product_vectors_copy` writes)."""
    where, params = "encoder = %s", [encoder]
    if product_ids is not None:
        where, params = where + " AND product_id = ANY(%s)", params + [list(product_ids)]
    times_sql = ", (extract(epoch FROM updated_at) * 1000000)::int8 - %s" if with_times else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT product_id, vector_send(vector){times_sql} FROM recommender_productembedding "
            f"WHERE {where} ORDER BY product_id", ([PG_EPOCH_US] if with_times else []) + params,
        )
        rows = cursor.fetchall()
    ids = np.array([row[0] for row in rows], dtype=np.int64)
    vectors = np.stack([vector_from_send(row[1]) for row in rows]) if rows else np.empty((0, 0), np.float32)
    if not with_times:
        return ids, vectors
    return ids, vectors, np.array([row[2] for row in rows], dtype=np.int64)


def product_vectors_copy(cursor, *, encoder: str, product_ids: np.ndarray, vectors: np.ndarray,
                         updated_at: np.ndarray | None = None) -> None:
    """Append rows with binary COPY: (product_id int8, encoder text, vector, images int2, updated_at timestamptz).
    `updated_at`: PostgreSQL microseconds per row (a compact row carries its source row's), else now.

    For bulk writes (a compact encoder's whole catalogue, the benchmarks' 100k rows): text literals would cost
    more to format and parse than the COPY itself.
    """
    n, dim = vectors.shape
    name = encoder.encode()
    row = np.dtype([
        ("ncols", ">i2"), ("l_id", ">i4"), ("id", ">i8"), ("l_enc", ">i4"), ("enc", f"S{len(name)}"),
        ("l_vec", ">i4"), ("dim", ">i2"), ("unused", ">i2"), ("vec", ">f4", (dim,)),
        ("l_img", ">i4"), ("img", ">i2"), ("l_ts", ">i4"), ("ts", ">i8"),
    ])
    now_us = int(time.time() * 1_000_000) - PG_EPOCH_US
    sql = ("COPY recommender_productembedding (product_id, encoder, vector, images, updated_at) "
           "FROM STDIN WITH (FORMAT binary)")
    with cursor.cursor.copy(sql) as copy:
        copy.write(b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00")
        for start in range(0, n, 5000):
            m = min(5000, n - start)
            block = np.zeros(m, dtype=row)
            block["ncols"], block["l_id"], block["l_enc"], block["enc"] = 5, 8, len(name), name
            block["id"] = np.asarray(product_ids[start:start + m], dtype=np.int64)
            block["l_vec"], block["dim"], block["vec"] = 4 + 4 * dim, dim, vectors[start:start + m]
            block["l_img"], block["img"], block["l_ts"] = 2, 1, 8
            block["ts"] = now_us if updated_at is None else updated_at[start:start + m]
            copy.write(block.tobytes())
        copy.write(b"\xff\xff")


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
            return  # nothing to index yet, or too wide for an HNSW index: searched exactly
        try:
            with transaction.atomic():
                cursor.execute(index_definition(name=name, dim=row[0]), [encoder])
        except DatabaseError as error:  # e.g. inside a caller's transaction; the next run tries again
            logger.info("HNSW index for %s not created now: %s", encoder, error)


def _identifier(name: str) -> str:
    safe = "".join(c if c.isalnum() else "_" for c in name.lower())
    return safe[:40]


def encoder_for_serving() -> str | None:
    """The encoder whose product vectors answer queries now.

    The configured encoder once it has no image left to do; until then the encoder with the most
    product vectors, so switching encoders never leaves the shop without similar items. Either one's
    compact form ("lite0-pca256", `COMPACT_DIMS`) instead, once it has a row for each of its products.
    """
    from recommender.embeddings import compact, compact_store

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
    from recommender.embeddings.compact import compact_parts

    ids = list(dict.fromkeys(int(pid) for pid in product_ids))
    found: dict[int, list[Neighbour]] = {pid: [] for pid in ids}
    if not ids:
        return found
    encoder = encoder or encoder_for_serving()
    compact = compact_parts(encoder)
    ef_search = int(recommender_setting("HNSW_EF_SEARCH"))
    deeper = k + 1 > ef_search
    if compact:
        # A compact encoder's width is in its name; at the serving depth this is one statement, the connection's
        # ef_search being the serving one already (recommender.receivers.hnsw_ef_search_default).
        with transaction.atomic() if deeper else nullcontext(), connection.cursor() as cursor:
            if deeper:
                cursor.execute(f"SET LOCAL hnsw.ef_search = {k + 1}")
            _neighbours_query(cursor, found, encoder=encoder, dim=compact[1], ids=ids, k=k)
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
        cursor.execute(f"SET LOCAL hnsw.ef_search = {max(ef_search, k + 1)}")
        _neighbours_query(cursor, found, encoder=encoder, dim=dim, k=k,
                          ids=[pid for pid, width in dims.items() if width == dim])
    return found


def _neighbours_query(cursor, found: dict[int, list[Neighbour]], *, encoder: str, dim: int, ids: list[int],
                      k: int) -> None:
    cast = index_cast(dim)
    cursor.execute(
        f"""
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
        """,
        [encoder, k, encoder, ids],
    )
    for anchor, pid, distance in cursor.fetchall():
        found[anchor].append(Neighbour(pid, float(distance)))
