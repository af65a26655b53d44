"""Fit, store and keep in step the compact serving vectors (method: recommender.vectors.compact).

`compact_fit(source)`: PCA on every product vector of the source encoder, stored as a VisualProjection row (method
"pca"), and the compact rows ("lite0-pca256") rewritten from the source rows with it, all in one transaction:
readers see the old space or the new one, never a mix. The HNSW index follows once, and then how deep it must be
searched is measured on it (`calibration.ef_search_calibrate`, stored as the row's `held_out["hnsw"]`; serving
reads it through `recommender.vectors.depth`).

`compact_refresh(product_ids, source)`: a product's compact row written, replaced or deleted from its source row.
`store.product_vectors_refresh` calls it inside its own transaction (an image saved or deleted); an embedding task
calls it once for all its products when it ends, and `compact_reconcile` (the beat) catches what a killed task left.

Both take a PostgreSQL advisory lock (exclusive for a fit, shared for a refresh): a refresh that read the old
projection cannot commit rows in the old space after a fit has rewritten them.

`compact_ensure()`: the beat's check. Fits when there is no projection yet and the source has `COMPACT_MIN_PRODUCTS`
vectors, or when the catalogue has grown `COMPACT_REFIT_GROWTH` times since the last fit.
"""

from __future__ import annotations

import logging

import numpy as np
from django.db import connection, transaction

from recommender import cache
from recommender.conf import recommender_setting
from recommender.vectors import bulk
from recommender.vectors.calibration import ef_search_calibrate
from recommender.vectors.compact import METHOD, compact_name, compact_parts, explained_variance, pca_fit
from recommender.vectors.depth import depth_forget
from recommender.vectors.projection import Projection
from recommender.models import ProductEmbedding, VisualProjection

logger = logging.getLogger(__name__)

LOCK_KEY = 0x5649_5443  # "VITC": one advisory lock id for compact vectors
COMPACT_REFIT_GROWTH = 2.0  # refit when the catalogue has grown this many times since the last fit


def compact_dims() -> int:
    return int(recommender_setting("COMPACT_DIMS") or 0)


def compact_current(*, source: str, dims: int | None = None) -> tuple[VisualProjection, Projection] | None:
    dims = compact_dims() if dims is None else dims
    row = VisualProjection.objects.filter(encoder=source, method=METHOD, output_dim=dims).first()
    if row is None:
        return None
    matrix, mean = row.arrays()
    return row, Projection(matrix=matrix, mean=mean)


def compact_fit(*, source: str | None = None, dims: int | None = None) -> VisualProjection:
    source = source or recommender_setting("ENCODER")
    dims = compact_dims() if dims is None else dims
    if dims <= 0:
        raise ValueError("compact vectors are switched off (RECOMMENDER['COMPACT_DIMS'] is 0)")
    name = compact_name(source, dims)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        ids, vectors, times = bulk.product_vectors_read(encoder=source, with_times=True)  # under the lock
        projection = pca_fit(vectors, dims=dims)
        row = VisualProjection.objects.create(
            encoder=source, method=METHOD, params={"dims": dims}, input_dim=vectors.shape[1], output_dim=dims,
            matrix=projection.matrix.tobytes(), mean=projection.mean.tobytes(), products=len(ids), categories=0,
            split="unsupervised: fitted on every product vector, no label read",
            held_out={"explained_variance": round(explained_variance(vectors, projection), 4)},
        )
        cursor.execute("DELETE FROM recommender_productembedding WHERE encoder = %s", [name])
        compact = projection.apply(vectors)
        bulk.product_vectors_copy(cursor, encoder=name, product_ids=ids, vectors=compact, updated_at=times)
        del vectors  # the source matrix (5 GB at a million 1280-d rows) is not needed while the index builds
        # Another width's rows (COMPACT_DIMS changed) would never be served again.
        cursor.execute("DELETE FROM recommender_productembedding WHERE encoder LIKE %s AND encoder <> %s",
                       [f"{source}-{METHOD}%", name])
        VisualProjection.objects.filter(encoder=source, method=METHOD).exclude(pk=row.pk).delete()
        # Built before the commit: serving switches to these rows at the commit, and must find them indexed.
        # CREATE INDEX refuses to run while deferred foreign-key checks are pending: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        bulk.vector_index_ensure(encoder=name)
        # How deep this index must look for the recall the shop promises, measured on it before anyone reads it.
        hnsw = ef_search_calibrate(cursor, encoder=name, product_ids=ids, vectors=compact)
        if hnsw is not None:
            row.held_out = {**row.held_out, "hnsw": hnsw}
            row.save(update_fields=["held_out"])
        transaction.on_commit(lambda: cache.delete(cache.SERVING_ENCODER))
        transaction.on_commit(depth_forget)
    logger.info("compact vectors %s: %d products, %.1f%% of the variance kept, serving depth %s", name, len(ids),
                100 * row.held_out["explained_variance"], (row.held_out.get("hnsw") or {}).get("ef_search"))
    return row


def compact_refresh(*, product_ids: list[int], source: str) -> None:
    """Make these products' compact rows match their source rows (inside the caller's transaction)."""
    dims = compact_dims()
    if not dims:
        return
    name = compact_name(source, dims)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [LOCK_KEY])
        projection = _projection(name)
        if projection is None:
            return
        ids, vectors, times = bulk.product_vectors_read(encoder=source, product_ids=product_ids, with_times=True)
        cursor.execute("DELETE FROM recommender_productembedding WHERE encoder = %s AND product_id = ANY(%s)",
                       [name, list(product_ids)])
        if len(ids):
            # Each compact row carries its source row's time: the reconciler tells a stale one by a different time.
            bulk.product_vectors_copy(cursor, encoder=name, product_ids=ids, vectors=projection.apply(vectors),
                                       updated_at=times)


def compact_ensure(*, source: str | None = None) -> VisualProjection | None:
    """Fit if due (see the module docstring); else bring the compact rows in line with the source rows (what a
    killed embedding task left). Returns the new row, or None when no fit was due."""
    dims = compact_dims()
    if not dims:
        return None
    source = source or recommender_setting("ENCODER")
    products = ProductEmbedding.objects.filter(encoder=source).count()
    current = compact_current(source=source, dims=dims)
    if current is None:
        due = products >= max(int(recommender_setting("COMPACT_MIN_PRODUCTS")), dims + 1)
    else:
        due = products >= current[0].products * COMPACT_REFIT_GROWTH
    if due:
        return compact_fit(source=source, dims=dims)
    if current is not None:
        compact_reconcile(source=source, dims=dims)
    return None


def compact_reconcile(*, source: str, dims: int) -> int:
    """Refresh the products whose compact row is missing, from another version of their source row (the times
    differ), or left without a source row."""
    name = compact_name(source, dims)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT coalesce(s.product_id, c.product_id)
              FROM (SELECT product_id, updated_at FROM recommender_productembedding WHERE encoder = %s) s
              FULL JOIN (SELECT product_id, updated_at FROM recommender_productembedding WHERE encoder = %s) c
                ON c.product_id = s.product_id
             WHERE s.product_id IS NULL OR c.product_id IS NULL OR c.updated_at <> s.updated_at
            """,
            [source, name],
        )
        stale = [row[0] for row in cursor.fetchall()]
    for start in range(0, len(stale), 1000):
        with transaction.atomic():
            compact_refresh(product_ids=stale[start:start + 1000], source=source)
    return len(stale)


_LOADED: dict[tuple, tuple[int, Projection]] = {}  # (database, compact encoder) -> (row id, projection)


def _projection(encoder: str) -> Projection | None:
    """The stored projection of a compact encoder, kept per process and reloaded only when a refit stored a new row.

    The row is 1.3 MB at 256 x 1280: loading it took ~9 ms of a photo search's ~20, and every product-vector
    write needs it."""
    parts = compact_parts(encoder)
    if parts is None:
        return None
    source, dims = parts
    row_id = (VisualProjection.objects.filter(encoder=source, method=METHOD, output_dim=dims)
              .values_list("pk", flat=True).first())
    if row_id is None:
        return None
    key = (connection.settings_dict.get("NAME"), encoder)
    cached = _LOADED.get(key)
    if cached is None or cached[0] != row_id:
        current = compact_current(source=source, dims=dims)
        if current is None:  # refitted between the two reads
            return None
        cached = _LOADED[key] = (current[0].pk, current[1])
    return cached[1]


def compact_vectors_apply(vectors: np.ndarray, *, encoder: str) -> np.ndarray:
    """Vectors made by a compact encoder's source (a photo search's upload) -> that compact encoder's space."""
    projection = _projection(encoder)
    if projection is None:
        raise LookupError(f"no projection stored for {encoder}")
    return projection.apply(vectors)
