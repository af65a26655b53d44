"""The unfiltered "looks like this" query with and without its transaction and SET LOCALs, side by side.

`manage.py shell -c "from benchmarks.similar_roundtrips import run; print(run(products=20000))"`

In: a scratch catalogue of `products` synthetic products (benchmarks.scratch, compact vectors as served).
Out: p50 and p95 in ms, and statements per call, for
* `nearest_db`: `nearest_products(k=10)` without filters as it is (one statement at the connection's ef_search)
  against `nearest_db_in_transaction` (BEGIN, three SET LOCAL, the statement, COMMIT: the iterative-scan path);
* `api`: GET /api/products/{id}/similar/?k=10 through Django's test client with each of the two;
* `product_neighbours` (the db figure of `bench similar`) as a yardstick.
Calls alternate between the variants query by query, so a machine shared with other work weighs on all alike.
"""

from __future__ import annotations

import time
from unittest import mock

import numpy as np
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from benchmarks.scratch import catalogue_fill, scratch_database
from benchmarks.similar import LOCAL_CACHE

K = 10


def _in_transaction(*, vector, encoder, k, filters=None, exclude=None):
    from recommender.conf import recommender_setting
    from recommender.vectors import nearest as vector_query

    where, params = vector_query.filter_sql(vector_query.ProductFilters())
    if exclude is not None:
        where, params = where + " AND p.id <> %s", params + [exclude]
    with transaction.atomic(), connection.cursor() as cursor:
        return vector_query._hnsw(cursor, vector=np.asarray(vector, np.float32), encoder=encoder, k=k, where=where,
                                  params=params, ef_search=int(recommender_setting("HNSW_EF_SEARCH")))


def run(*, products: int = 20_000, queries: int = 300, log=print) -> dict:
    from recommender.vectors.store import product_neighbours
    from recommender.vectors.nearest import nearest_products

    with override_settings(CACHES=LOCAL_CACHE, DEBUG=False), scratch_database("bench_roundtrips", log=log):
        filled = catalogue_fill(products=products, raw_index=False, log=log)
        vectors, first, encoder = filled["vectors"], filled["first_product_id"], filled["encoder"]
        picked = np.random.default_rng(5).choice(products, size=min(queries + 300, products), replace=False)
        for index in picked[queries:]:  # warm: the index into shared buffers
            product_neighbours(product_id=first + int(index), k=K, encoder=encoder)
        variants = {"nearest_db": nearest_products, "nearest_db_in_transaction": _in_transaction}
        times: dict[str, list[float]] = {name: [] for name in [*variants, "api", "api_in_transaction",
                                                               "product_neighbours"]}
        statements: dict[str, int] = {}
        client = Client(SERVER_NAME="localhost")
        for index in picked[:queries]:
            anchor, vector = first + int(index), vectors[int(index)]
            for name, call in variants.items():
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    rows = call(vector=vector, encoder=encoder, k=K, exclude=anchor)
                    times[name].append((time.perf_counter() - started) * 1000)
                statements[name] = len(captured)
                assert len(rows) == K
            for name, call in (("api", nearest_products), ("api_in_transaction", _in_transaction)):
                with mock.patch("recommender.api.catalog.nearest_products", call):
                    started = time.perf_counter()
                    response = client.get(f"/api/products/{anchor}/similar/?k={K}")
                    times[name].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200 and len(response.json()) == K
            started = time.perf_counter()
            product_neighbours(product_id=anchor, k=K, encoder=encoder)
            times["product_neighbours"].append((time.perf_counter() - started) * 1000)
        return {
            "products": products, "queries": queries, "encoder": encoder,
            **{name: {"p50_ms": round(float(np.percentile(v, 50)), 2), "p95_ms": round(float(np.percentile(v, 95)), 2)}
               for name, v in times.items()},
            "statements": statements,
        }
