"""A worker SIGKILLed in the middle of embedding 500 images: after a restart and the reconciler, every
image has a vector for its current bytes and there is exactly one row per (image, encoder) and per
(product, encoder).

Real processes only: the beat task is sent through the broker (`celery call`, as beat does) and runs on a
Celery worker (prefork, acks_late, the real EfficientNet-Lite0 encoder) against the scenario's own
PostgreSQL and Redis. The kill takes the whole process group, pool child included, mid-batch.
"""

import time

import pytest

from tests.chaos.conftest import CATALOGUE
from tests.chaos.harness import wait_for

pytestmark = pytest.mark.chaos

RECONCILE = "recommender.tasks.reconcile_embeddings_task"
KILL_AFTER_READY = 100


def counts(shop) -> dict:
    rows = shop.sql("""
        SELECT e.status, count(*) FROM recommender_imageembedding e WHERE e.encoder = 'lite0' GROUP BY e.status
    """)
    return {status: n for status, n in rows}


def killable_mid_batch(shop) -> bool:
    """Enough images are ready, and a batch is claimed (attempt counted) but not written yet."""
    ready, claimed = shop.sql("""
        SELECT count(*) FILTER (WHERE status = 'ready'), count(*) FILTER (WHERE status = 'pending' AND attempts > 0)
          FROM recommender_imageembedding WHERE encoder = 'lite0'
    """)[0]
    return ready >= KILL_AFTER_READY and claimed > 0


def current_vectors(shop) -> int:
    """Images whose lite0 row is ready, holds a vector, and was computed from the image's current bytes."""
    return shop.scalar("""
        SELECT count(*) FROM catalog_productimage i
          JOIN recommender_imageembedding e ON e.image_id = i.id AND e.encoder = 'lite0'
         WHERE e.status = 'ready' AND e.sha256 = i.sha256 AND e.vector IS NOT NULL
    """)


def test_a_worker_killed_mid_embed_leaves_every_image_with_one_current_vector(shop, figures):
    images = shop.scalar("SELECT count(*) FROM catalog_productimage")
    assert images == CATALOGUE

    worker = shop.worker()
    started = time.monotonic()
    shop.celery_call(RECONCILE)  # beat's sweep: all 500 images lack a vector
    wait_for(lambda: killable_mid_batch(shop), timeout=180, interval=0.02,
             what=f"{KILL_AFTER_READY} images ready and a batch in flight")
    worker.kill()
    at_kill = counts(shop)
    in_flight = shop.scalar("""
        SELECT count(*) FROM recommender_imageembedding WHERE status = 'pending' AND attempts > 0
    """)
    figures["in_flight_at_kill"] = in_flight
    figures["images"] = images
    figures["ready_at_kill"] = at_kill.get("ready", 0)
    figures["pending_at_kill"] = at_kill.get("pending", 0)
    figures["seconds_to_kill"] = round(time.monotonic() - started, 1)
    assert 0 < at_kill.get("ready", 0) < images, f"the worker must die mid-way: {at_kill}"
    assert at_kill.get("failed", 0) == 0
    assert in_flight > 0, "the kill must land inside a batch (claimed, not written)"

    # The killed batch is unacknowledged in Redis (back only after the visibility timeout, an hour):
    # a new worker drains what was still queued, and the reconciler re-queues what the database says is missing.
    restarted = time.monotonic()
    shop.worker()
    figures["missing_when_reconciled"] = images - current_vectors(shop)
    shop.celery_call(RECONCILE)
    wait_for(lambda: current_vectors(shop) == images, timeout=300, interval=0.5, what="every image embedded")
    figures["seconds_to_recover"] = round(time.monotonic() - restarted, 1)

    after = counts(shop)
    figures["ready_after"] = after.get("ready", 0)
    figures["failed_after"] = after.get("failed", 0)
    assert after == {"ready": images}
    per_image = shop.sql("""
        SELECT count(*), count(DISTINCT image_id) FROM recommender_imageembedding WHERE encoder = 'lite0'
    """)[0]
    per_product = shop.sql("""
        SELECT count(*), count(DISTINCT product_id) FROM recommender_productembedding WHERE encoder = 'lite0'
    """)[0]
    products = shop.scalar("SELECT count(*) FROM catalog_product")
    figures["image_rows"], figures["product_rows"] = per_image[0], per_product[0]
    assert per_image == (images, images), "exactly one row per (image, encoder)"
    assert per_product == (products, products), "exactly one vector per (product, encoder)"
    # Each product's vector is the mean of its current image vectors (one photo each here).
    stale = shop.scalar("""
        SELECT count(*) FROM recommender_productembedding p
          JOIN catalog_productimage i ON i.product_id = p.product_id
          JOIN recommender_imageembedding e ON e.image_id = i.id AND e.encoder = p.encoder
         WHERE p.encoder = 'lite0' AND (p.vector <=> e.vector) > 1e-4
    """)
    assert stale == 0
    attempts = dict(shop.sql("SELECT attempts, count(*) FROM recommender_imageembedding GROUP BY attempts"))
    figures["attempts"] = {str(k): v for k, v in sorted(attempts.items())}
    assert attempts.get(2, 0) >= in_flight and max(attempts) <= 2  # the killed batch ran twice, nothing more
