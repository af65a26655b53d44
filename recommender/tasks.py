"""Celery tasks: thin interfaces that take ids, call a service, and own retries and time limits."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError

from recommender.behaviour.services import signals_rebuild
from recommender.conf import recommender_setting
from recommender.embeddings import service
from recommender.embeddings.text_service import text_embeddings_compute, text_embeddings_reconcile
from recommender.evaluation.service import evaluation_run_execute
from recommender.learning.training import ranker_train
from recommender.recommend.feed_batch import active_shoppers, feeds_precompute
from recommender.recommend.feeds import feed_refresh_claim, feed_refresh_latest
from recommender.vectors.compact_store import compact_ensure

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=3600, time_limit=3700)
def train_ranker_task(seed: int = 7) -> dict:
    """Beat: retrain the collaborative factors and the learned ranker; the new version serves only if it wins."""
    version = ranker_train(seed=seed)
    return {"version": version.pk, "status": version.status, "reason": version.reason}


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,  # a SIGKILLed worker's batch goes back to the queue
    soft_time_limit=recommender_setting("EMBED_SOFT_TIME_LIMIT"),
    time_limit=recommender_setting("EMBED_SOFT_TIME_LIMIT") + 60,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def embed_images_task(self, image_ids: list[int], encoder: str | None = None) -> dict:
    if self.request.delivery_info and self.request.delivery_info.get("redelivered") and len(image_ids) > 1:
        # This batch killed a worker once: split it, so one poison image fails alone.
        for image_id in image_ids:
            embed_images_task.delay([image_id], encoder)
        return {"split": len(image_ids)}
    try:
        report = service.image_embeddings_compute(image_ids=image_ids, encoder_name=encoder)
    except SoftTimeLimitExceeded:
        # Attempts were counted; the reconciler re-queues what is still pending.
        logger.warning("embedding %d images ran past the soft time limit", len(image_ids))
        return {"timed_out": len(image_ids)}
    for image_id, reason in report.failures:
        logger.warning("image %s not embedded: %s", image_id, reason)
    return {"ready": report.ready, "failed": report.failed, "skipped": report.skipped}


@shared_task(acks_late=True)
def reconcile_embeddings_task() -> int:
    """Beat: queue images that lack a current vector (missing, stale, or lost while Redis was down); fit the
    compact serving vectors when they are due (recommender.vectors.compact_store)."""
    queued = service.embeddings_reconcile(enqueue=lambda ids: embed_images_task.delay(ids))
    compact_ensure()
    return queued


def embed_images_enqueue(image_ids: list[int]) -> bool:
    """Queue an embedding without ever failing the caller: a stopped broker is logged, the reconciler catches up."""
    try:
        embed_images_task.apply_async((image_ids,), retry=False)
    except Exception:  # kombu/redis raise a family of connection errors; all mean "not queued"
        logger.warning("could not queue embeddings for images %s; the reconciler will pick them up", image_ids)
        return False
    return True


@shared_task(acks_late=True, ignore_result=True)
def rebuild_signals_task(full: bool = False) -> dict:
    """Beat: rebuild behaviour signals. The service holds a PostgreSQL advisory lock, so two never overlap."""
    log = signals_rebuild(incremental=not full)
    if log is None:
        return {"skipped": True}
    return {"generation": log.generation, "events": log.events, "seconds": log.seconds}


@shared_task(
    acks_late=True,
    soft_time_limit=recommender_setting("EMBED_SOFT_TIME_LIMIT"),
    time_limit=recommender_setting("EMBED_SOFT_TIME_LIMIT") + 60,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def embed_texts_task(product_ids: list[int]) -> dict:
    """Text vectors for these products (search by meaning). Idempotent: unchanged text is skipped."""
    try:
        report = text_embeddings_compute(product_ids=product_ids)
    except SoftTimeLimitExceeded:
        logger.warning("embedding the text of %d products ran past the soft time limit", len(product_ids))
        return {"timed_out": len(product_ids)}
    return {"embedded": report.embedded, "skipped": report.skipped}


@shared_task(acks_late=True)
def reconcile_text_embeddings_task() -> int:
    """Beat: queue products whose text vector is missing or was made from other text."""
    return text_embeddings_reconcile(enqueue=lambda ids: embed_texts_task.delay(ids))


def embed_texts_enqueue(product_ids: list[int]) -> bool:
    """Queue text embeddings without ever failing the caller; the reconciler catches up."""
    try:
        embed_texts_task.apply_async((product_ids,), retry=False)
    except Exception:  # any broker error means "not queued"
        logger.warning("could not queue text embeddings for products %s; the reconciler will pick them up", product_ids)
        return False
    return True


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=1800, time_limit=1900)
def evaluate_task(run_id: int) -> dict:
    """Run a queued EvaluationRun (see recommender.evaluation.service); progress goes to the cache and the row."""
    run = evaluation_run_execute(run_id=run_id)
    return {"run": run.pk, "step": run.step}


# A refresh still queued a minute later is for a visit that has moved on.
REFRESH_EXPIRES_SECONDS = 60


@shared_task(ignore_result=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=2)
def refresh_feed_task(who: str, version: int | None = None) -> str:
    """After a shopper acted: their home feed, computed and cached for their version as it is now
    (recommender.recommend.feeds). `version` is what it was when queued, kept for tasks queued by older code."""
    return feed_refresh_latest(who=who)


def refresh_feed_enqueue(who: str, version: int) -> bool:
    """Queue a feed refresh without ever failing the caller: without it, the next request computes the feed.

    One refresh queued per shopper at a time, and it ranks for the version current when it runs: a burst of
    actions (or a replayed history with no worker up) costs one task, not one per action."""
    try:
        if not feed_refresh_claim(who, seconds=REFRESH_EXPIRES_SECONDS):
            return False  # one is queued already and will see this action
        # No countdown: a worker holds an ETA task unacknowledged until it is due, and losing Redis with one held
        # crashed the worker (kombu's restore_unacked: "'NoneType' object has no attribute 'hostname'", make chaos).
        refresh_feed_task.apply_async((who, version), expires=REFRESH_EXPIRES_SECONDS, retry=False)
    except Exception:  # any broker or cache error means "not queued"
        logger.warning("could not queue a feed refresh for %s", who)
        return False
    return True


@shared_task(acks_late=True)
def precompute_feeds_task() -> int:
    """Beat: queue the bulk feed precomputation (recommender.recommend.feed_batch) in chunks, so every worker takes a share.
    Returns how many shoppers were queued."""
    shoppers = active_shoppers()
    chunk = max(1, int(recommender_setting("FEED_BATCH_CHUNK")))
    for start in range(0, len(shoppers), chunk):
        precompute_feeds_chunk_task.delay(shoppers[start:start + chunk])
    return len(shoppers)


@shared_task(
    acks_late=True, ignore_result=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=2,
    # Longer than this and the next batch is already due: a chunk stuck on a slow database gives way to it.
    soft_time_limit=recommender_setting("FEED_BATCH_INTERVAL"), time_limit=recommender_setting("FEED_BATCH_INTERVAL") + 60,
    expires=recommender_setting("FEED_BATCH_INTERVAL"),
)
def precompute_feeds_chunk_task(shoppers: list[str]) -> dict:
    try:
        report = feeds_precompute(shoppers)
    except SoftTimeLimitExceeded:
        logger.warning("precomputing %d feeds ran past the soft time limit", len(shoppers))
        return {"timed_out": len(shoppers)}
    return {"cached": report.cached, "stale": report.stale, "gone": report.gone}


# The online metrics' tasks live beside their code; imported here so that the worker's autodiscovery finds them.
from recommender.impressions.tasks import flush_impressions_task, rebuild_online_metrics_task  # noqa: E402,F401
