"""The product-vector table in bulk: read every row (or these) in one query, append rows by binary COPY, and keep
one HNSW index per encoder.

In: an encoder's name, product ids, float32 matrices. Out: (ids int64 [n], vectors float32 [n, d]) as stored.
Kept apart from `store` so that the compact vectors (`compact_store`) can build on it while `store` builds on them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

import numpy as np
from django.db import DatabaseError, connection, transaction

from recommender.vectors.codec import INDEX_TYPE, PG_EPOCH_US, VECTOR_INDEX_MAX_DIM, index_cast, vector_from_send

logger = logging.getLogger(__name__)

# HNSW graph: a graph built with a wider candidate list finds the true neighbours in fewer steps (docs/benchmarks.md,
# "HNSW build"). An existing index keeps its parameters (REINDEX to change).
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 128


def index_definition(*, name: str, dim: int) -> str:
    """CREATE INDEX for one encoder's product vectors (its encoder is the %s parameter)."""
    return (f"CREATE INDEX IF NOT EXISTS {name} ON recommender_productembedding "
            f"USING hnsw ((vector::{index_cast(dim)}) {INDEX_TYPE}_cosine_ops) "
            f"WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION}) WHERE encoder = %s")


# Rows per statement when every product's vectors are read: a client-side cursor holds a whole result in the
# driver's memory, so a million 1280-d rows in one statement would be 5 GB of bytes before NumPy saw any of them.
READ_PAGE_ROWS = 20_000


def product_vectors_read(*, encoder: str, product_ids: Sequence[int] | None = None, with_times: bool = False,
                         page_rows: int | None = None):
    """(product ids int64 [n], float32 [n, d] as stored) of `encoder`, every product or these, in product-id order;
    with `with_times`, also each row's `updated_at` as PostgreSQL microseconds (what `product_vectors_copy` writes).

    Every product's rows are read in pages of `page_rows` (keyset on product_id) into one preallocated matrix, so
    the memory is the result plus one page. Run inside a transaction (REPEATABLE READ or an advisory lock, as
    compact_fit does) for one snapshot; otherwise a row written meanwhile may or may not be in the result."""
    times_sql = ", (extract(epoch FROM updated_at) * 1000000)::int8 - %s" if with_times else ""
    select = f"SELECT product_id, vector_send(vector){times_sql} FROM recommender_productembedding"
    head = [PG_EPOCH_US] if with_times else []
    with connection.cursor() as cursor:
        if product_ids is not None:
            cursor.execute(f"{select} WHERE encoder = %s AND product_id = ANY(%s) ORDER BY product_id",
                           head + [encoder, list(product_ids)])
            pages, expected = [cursor.fetchall()], None
        else:
            cursor.execute("SELECT count(*) FROM recommender_productembedding WHERE encoder = %s", [encoder])
            expected = cursor.fetchone()[0]
            pages = _pages(cursor, select, head, encoder, page_rows or READ_PAGE_ROWS)  # lazy: one page at a time
        ids, vectors, times = _collect(pages, expected)
    return (ids, vectors, times) if with_times else (ids, vectors)


def _pages(cursor, select: str, head: list, encoder: str, page_rows: int):
    after = -1
    while True:
        cursor.execute(f"{select} WHERE encoder = %s AND product_id > %s ORDER BY product_id LIMIT %s",
                       head + [encoder, after, page_rows])
        rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        after = rows[-1][0]


def _collect(pages, expected: int | None):
    """Pages of (id, vector_send bytes[, time]) rows -> (ids, float32 matrix, times), written into one matrix of
    `expected` rows (it grows for rows written between the count and the last page)."""
    ids, times, matrix, filled = [], [], None, 0
    for rows in pages:
        if not rows:
            continue
        block = np.stack([vector_from_send(row[1]) for row in rows])
        if matrix is None:
            matrix = np.empty((max(expected or 0, len(block)), block.shape[1]), dtype=np.float32)
        elif filled + len(block) > len(matrix):
            matrix = np.concatenate([matrix[:filled], np.empty((len(block), matrix.shape[1]), dtype=np.float32)])
        matrix[filled:filled + len(block)] = block
        filled += len(block)
        ids.extend(row[0] for row in rows)
        times.extend(row[2] for row in rows if len(row) > 2)
    matrix = matrix[:filled] if matrix is not None else np.empty((0, 0), np.float32)
    return np.array(ids, dtype=np.int64), matrix, np.array(times, dtype=np.int64)


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
    name = index_name(encoder)
    with connection.cursor() as cursor:
        if index_exists(cursor, encoder=encoder):
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


def index_name(encoder: str) -> str:
    """The name of `encoder`'s partial HNSW index."""
    return f"product_embedding_hnsw_{_identifier(encoder)}"


def index_exists(cursor, *, encoder: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [index_name(encoder)])
    return cursor.fetchone() is not None


def _identifier(name: str) -> str:
    safe = "".join(c if c.isalnum() else "_" for c in name.lower())
    return safe[:40]


