"""bench health: how long the recommender health page takes to answer a logged-in owner, at catalogue scale.

Setup (not timed): a scratch database (benchmarks.scratch, dropped afterwards) with `products` synthetic
products, their 1280-d vectors and the compact ones the shop serves; then one photo per product with its
embedding row (98 % ready, 1 % failed with three reasons, 1 % pending), a text vector for 90 % of the products,
a finished signal rebuild, and a ranking and a visual evaluation, as the page finds them in a shop that runs.

Timed: GET /admin/recommender/health/ through Django's test client (URL routing, the admin's login check, every
read the page makes, template rendering; no network), `loads` times after WARM_UP untimed loads, with a private
in-memory cache (the shop's Redis is left alone). Reported: p50, p95 and max in ms as an owner reloading the page
gets them (the page's snapshot cached for up to SNAPSHOT_SECONDS), `uncached_p50_ms` / `uncached_p95_ms` with the
snapshot dropped before every load (every count read again), the first load after the cache was emptied
(`cold_ms`), and the number of SQL queries of an uncached load. The broker is the configured one: with no
worker running, a page that pings the workers waits for the ping's whole timeout.
"""

from __future__ import annotations

import time

import numpy as np
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from benchmarks.scratch import catalogue_fill, scratch_database

URL = "/admin/recommender/health/"
WARM_UP = 3
LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REASONS = ("This file is damaged or incomplete.", "This photo is too large (max 50 megapixels).",
           "This file is not a photo.")


def run(*, products: int, loads: int = 30, log) -> dict:
    with override_settings(CACHES=LOCAL_CACHE, DEBUG=False), scratch_database("bench_health", log=log):
        catalogue_fill(products=products, raw_index=False, log=log)
        _fill_the_rest(products=products, log=log)
        return _measure(loads=loads, products=products, log=log)


def _fill_the_rest(*, products: int, log) -> None:
    from django.utils import timezone

    from recommender.conf import recommender_setting
    from recommender.models import EvaluationKind, EvaluationRun, SignalRebuild
    from recommender.models.text import TEXT_DIM

    encoder = recommender_setting("ENCODER")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO catalog_productimage (product_id, image, position, alt_text, sha256, created_at, updated_at) "
            "SELECT id, 'products/bench-' || id || '.jpg', 0, name, md5(id::text), now(), now() FROM catalog_product"
        )
        # Statuses by image id: 1 in 100 failed (three reasons), 1 in 100 pending, the rest ready.
        cursor.execute(
            """
            INSERT INTO recommender_imageembedding (image_id, encoder, sha256, status, error, attempts, created_at,
                                                    updated_at)
            SELECT id, %s, sha256,
                   CASE WHEN id %% 100 = 0 THEN 'failed' WHEN id %% 100 = 1 THEN 'pending' ELSE 'ready' END,
                   CASE WHEN id %% 100 = 0 THEN (%s::text[])[1 + (id / 100) %% 3] ELSE '' END,
                   1, now(), now()
              FROM catalog_productimage
            """,
            [encoder, list(REASONS)],
        )
        cursor.execute(
            f"""
            INSERT INTO recommender_textembedding (product_id, model, text_sha256, vector, updated_at)
            SELECT id, %s, md5(name), array_fill(1.0::real, ARRAY[{TEXT_DIM}])::vector, now()
              FROM catalog_product WHERE id %% 10 <> 0
            """,
            [recommender_setting("TEXT_MODEL")],
        )
        cursor.execute("ANALYZE")
    now = timezone.now()
    SignalRebuild.objects.create(kind="full", generation=3, started_at=now, finished_at=now, seconds=2.1,
                                 events=products * 30, pairs=products * 25, products=products)
    metrics = {"ndcg": 0.0669, "precision": 0.0222, "recall": 0.1075, "map": 0.0396, "coverage": 0.81,
               "diversity": 0.26}
    sources = {name: dict(metrics) for name in ("popularity", "visual", "co_view", "co_buy", "profile", "hybrid",
                                                "hybrid_default")}
    EvaluationRun.objects.create(kind=EvaluationKind.RANKING, step="done", progress=1.0, finished_at=now,
                                 results={"k": 10, "shoppers": 275, "held_out": 590, "sources": sources,
                                          "weights": {"default": {}}})
    EvaluationRun.objects.create(kind=EvaluationKind.VISUAL, step="done", progress=1.0, finished_at=now,
                                 results={"p_at_10": 0.6, "products": products})
    log(f"{products:,} photos with embedding rows, {products - products // 10:,} text vectors, one rebuild, "
        "two evaluations")


def _measure(*, loads: int, products: int, log) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.cache import cache

    from recommender.dashboard.selectors import health_snapshot_forget

    owner = get_user_model().objects.create_superuser("bench-owner", "owner@example.com", "bench-only")
    client = Client(HTTP_HOST="localhost")
    client.force_login(owner)
    cache.clear()
    started = time.perf_counter()
    first = client.get(URL)
    cold_ms = (time.perf_counter() - started) * 1000
    assert first.status_code == 200, first.status_code
    for _ in range(WARM_UP):
        client.get(URL)
    times = []
    for _ in range(loads):
        started = time.perf_counter()
        response = client.get(URL)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    uncached = []
    for _ in range(loads):
        health_snapshot_forget()
        started = time.perf_counter()
        client.get(URL)
        uncached.append((time.perf_counter() - started) * 1000)
    health_snapshot_forget()
    with CaptureQueriesContext(connection) as queries:
        client.get(URL)
    log(f"{loads} loads: p50 {np.percentile(times, 50):.1f} ms, p95 {np.percentile(times, 95):.1f} ms; "
        f"uncached p50 {np.percentile(uncached, 50):.1f} ms")
    return {"products": products, "loads": loads, "p50_ms": _percentile(times, 50), "p95_ms": _percentile(times, 95),
            "max_ms": round(max(times), 1), "uncached_p50_ms": _percentile(uncached, 50),
            "uncached_p95_ms": _percentile(uncached, 95), "cold_ms": round(cold_ms, 1), "queries": len(queries)}


def _percentile(values, q) -> float:
    return round(float(np.percentile(values, q)), 1)
