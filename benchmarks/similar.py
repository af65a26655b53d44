"""bench similar: "looks like this" at catalogue scale, on synthetic vectors in a scratch database.

Setup (not timed, reported): `products` synthetic products with 1280-d unit vectors (the lite0
encoder's width; see benchmarks.scratch for how they are made) in a scratch database that
is dropped afterwards; then what the shop serves: with `COMPACT_DIMS` (default 256) the compact
vectors fitted and indexed by `compact_fit`, otherwise the raw ones indexed (`index_build_s`,
`encoder`, `dim` say which). Every timed query and every recall is on the served vectors.

Timed, one query at a time, on `queries` random products, after WARM_UP unmeasured queries on others:
- db_p95_ms: `product_neighbours(k=10)` (one transaction: dims lookup, SET LOCAL, HNSW scan);
- api_p95_ms: GET /api/products/{id}/similar/?k=10 through Django's test client (URL routing,
  DRF, serialisation of 10 products; no network);
- recall_at_10: against exact cosine over the full matrix in NumPy (the product itself excluded);
- bruteforce_p95_ms: the seeds' approach, per query: load every vector through the ORM, compute
  cosine in NumPy, take the top 10 (only `brute_queries` of them: each takes seconds);
  speedup_vs_bruteforce = bruteforce p95 / db p95. Above BRUTE_MAX_PRODUCTS it is not run (null): at a
  million products one such query takes minutes and gigabytes.
- filtered: for filters keeping 1 %, 5 % and 20 % of products (leaf category, a size in stock,
  a price ceiling), `nearest_products(k=10, filters=...)`: recall@10 against exact filtered
  search in NumPy, p95 and the fewest rows any query returned (k = 10 whenever 10 match).

Also reported: serving_ef_search, the depth unfiltered scans ran at, and calibration, what the shop's compact refit
measured to choose it (recommender.vectors.calibration: its own seeded sample of products, not the queries above, so
the recall reported here is not the one the depth was chosen on). Also, for sizing (`--products 1000000` by hand: the raw vectors are generated and copied block by
block, so this process holds the served 256-d matrix for recall, about 1 GB at a million, plus what the shop's
own compact refit needs): copy_s (the binary COPY of the raw vectors), index_build_s, index_size_mb and
table_size_mb, the server's shared_buffers, backend_rss_mb (the serving backend, shared buffers it touched
included) and bench_peak_rss_mb (this process).
"""

from __future__ import annotations

import time

import numpy as np
from django.db import connection
from django.test import Client, override_settings

from benchmarks.scratch import PRICE_STEPS, catalogue_fill, scratch_database, selective_filters

K = 10
WARM_UP = 1000  # queries on other products before the clock starts
BRUTE_MAX_PRODUCTS = 200_000
LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def run(*, products: int, queries: int = 200, brute_queries: int = 2, seed: int = 11, log) -> dict:
    # A private cache: the bench must not leave "serving encoder" and friends in the shop's Redis. DEBUG off, as in
    # production: with it on, Django records every query's SQL (about 0.1 ms each here).
    with override_settings(CACHES=LOCAL_CACHE, DEBUG=False), scratch_database("bench_similar", log=log):
        filled = catalogue_fill(products=products, raw_index=False, log=log)
        return _measure(filled, products=products, queries=queries, brute_queries=brute_queries, seed=seed, log=log)


def _p95(values) -> float:
    return round(float(np.percentile(values, 95)), 2)


def _measure(filled: dict, *, products: int, queries: int, brute_queries: int, seed: int, log) -> dict:
    from recommender.vectors.depth import ef_search_serving
    from recommender.vectors.store import product_neighbours

    rng = np.random.default_rng(seed)
    vectors, first, encoder = filled["vectors"], filled["first_product_id"], filled["encoder"]
    picked = rng.choice(products, size=min(queries + WARM_UP, products), replace=False)
    sample, warm_up = picked[:queries], picked[queries:]
    # Not measured: a server that has been serving has the index in shared buffers; one just built has not.
    log(f"warm-up: {len(warm_up)} product_neighbours on other products")
    for index in warm_up:
        product_neighbours(product_id=first + int(index), k=K, encoder=encoder)

    log(f"db: {len(sample)} product_neighbours(k={K})")
    db_ms, hits = [], 0
    for index in sample:
        started = time.perf_counter()
        found = product_neighbours(product_id=first + int(index), k=K, encoder=encoder)
        db_ms.append((time.perf_counter() - started) * 1000)
        hits += len({n.product_id - first for n in found} & set(_exact_top(vectors, index)))

    log("api: GET /api/products/{id}/similar/")
    client = Client(SERVER_NAME="localhost")
    client.get(f"/api/products/{first + int(sample[0])}/similar/?k={K}")
    api_ms = []
    for index in sample:
        started = time.perf_counter()
        response = client.get(f"/api/products/{first + int(index)}/similar/?k={K}")
        api_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200 and len(response.json()) == K, response.content[:200]

    log(f"brute force (the seeds' way): {brute_queries} queries")
    brute_ms = [_brute_force_ms(first + int(index), encoder=encoder)
                for index in sample[:brute_queries if products <= BRUTE_MAX_PRODUCTS else 0]]

    filtered = {}
    masks = _filter_masks(products)
    for share, filters in selective_filters(first_category_id=filled["first_category_id"]).items():
        filtered[share] = _filtered(vectors, encoder=encoder, first=first, filters=filters, mask=masks[share], sample=sample, log=log)

    db_p95 = _p95(db_ms)
    return {
        "products": products,
        "db_p95_ms": db_p95,
        "api_p95_ms": _p95(api_ms),
        "recall_at_10": round(hits / (K * len(sample)), 3),
        "bruteforce_p95_ms": _p95(brute_ms) if brute_ms else None,
        "speedup_vs_bruteforce": round(float(np.percentile(brute_ms, 95)) / db_p95, 1) if brute_ms else None,
        "filtered": filtered,
        "db_p50_ms": round(float(np.percentile(db_ms, 50)), 2),
        "queries": len(sample),
        "bruteforce_queries": len(brute_ms),
        "index_build_s": filled["index_build_s"],
        "serving_ef_search": ef_search_serving(encoder),
        "calibration": filled["hnsw"],
        "copy_s": filled["copy_s"],
        **_sizes(),
        "encoder": encoder,
        "dim": filled["dim"],
        "pgvector": _pgvector_version(),
    }


def _exact_top(vectors: np.ndarray, index: int, mask: np.ndarray | None = None) -> list[int]:
    scores = vectors @ vectors[index]
    scores[index] = -np.inf
    if mask is not None:
        scores[~mask] = -np.inf
    top = np.argpartition(-scores, K)[:K]
    return [int(i) for i in top if np.isfinite(scores[i])]


def _brute_force_ms(product_id: int, *, encoder: str) -> float:
    """Per query: every vector through the ORM into NumPy, cosine, top k (what the seeds did)."""
    from recommender.models import ProductEmbedding

    started = time.perf_counter()
    rows = list(ProductEmbedding.objects.filter(encoder=encoder).values_list("product_id", "vector"))
    ids = np.array([pid for pid, _ in rows])
    matrix = np.stack([np.asarray(vector, dtype=np.float32) for _, vector in rows])
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    query = matrix[int(np.flatnonzero(ids == product_id)[0])]
    scores = matrix @ query
    top = ids[np.argsort(-scores)[1:K + 1]]
    assert len(top) == K
    return (time.perf_counter() - started) * 1000


def _filter_masks(products: int) -> dict[str, np.ndarray]:
    """Which product indices each of `selective_filters` keeps (mirrors scratch.catalogue_fill)."""
    i = np.arange(products)
    return {"1": i % 100 == 3, "5": (i // 7) % 20 == 4, "20": 10 + (i // 3) % PRICE_STEPS <= 19}


def _filtered(vectors, *, encoder: str, first: int, filters, mask: np.ndarray, sample, log) -> dict:
    from recommender.vectors.nearest import nearest_products

    log(f"filtered nearest_products: {filters} keeps {mask.mean():.1%}")
    nearest_products(vector=vectors[int(sample[0])], encoder=encoder, k=K, filters=filters)
    timings, hits, expected, fewest = [], 0, 0, K
    for index in sample[:100]:
        started = time.perf_counter()
        rows = nearest_products(vector=vectors[int(index)], encoder=encoder, k=K, filters=filters,
                                exclude=first + int(index))
        timings.append((time.perf_counter() - started) * 1000)
        truth = _exact_top(vectors, int(index), mask)
        hits += len({pid - first for pid, _ in rows} & set(truth))
        expected += len(truth)
        fewest = min(fewest, len(rows))
    return {"recall_at_10": round(hits / max(expected, 1), 3), "p95_ms": _p95(timings), "min_rows": fewest,
            "share": round(float(mask.mean()), 4)}


def _sizes() -> dict:
    """Index and table sizes, the server's shared_buffers, and memory: this process's peak RSS (the vectors it
    holds for recall) and the serving backend's RSS (which counts the shared buffers it has touched)."""
    import resource

    import psutil

    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(pg_relation_size(indexrelid)), 0) FROM pg_index i JOIN pg_class c "
                       "ON c.oid = i.indexrelid WHERE i.indrelid = 'recommender_productembedding'::regclass "
                       "AND c.relam = (SELECT oid FROM pg_am WHERE amname = 'hnsw')")
        index_bytes = cursor.fetchone()[0]
        cursor.execute("SELECT pg_table_size('recommender_productembedding'), current_setting('shared_buffers'), "
                       "pg_backend_pid()")
        table_bytes, shared_buffers, backend = cursor.fetchone()
    try:
        backend_rss = round(psutil.Process(backend).memory_info().rss / 2**20, 1)
    except psutil.Error:  # another user's server process, not readable here
        backend_rss = None
    return {"index_size_mb": round(int(index_bytes) / 2**20, 1), "table_size_mb": round(int(table_bytes) / 2**20, 1),
            "shared_buffers": shared_buffers, "backend_rss_mb": backend_rss,
            "bench_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def _pgvector_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        row = cursor.fetchone()
    return row[0] if row else ""
