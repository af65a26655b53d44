"""Celery tasks for the online metrics (queue `signals`): thin, idempotent, on the beat.

`flush_impressions_task`: drain the impression buffer into PostgreSQL (recommender.impressions.flush), every few
seconds. `rebuild_online_metrics_task`: flush, attribute the window's cart additions and purchases, rebuild the
daily aggregate for the days still settling, and prune rows past IMPRESSION_KEEP_DAYS.
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError


@shared_task(acks_late=True, ignore_result=True, autoretry_for=(OperationalError,), retry_backoff=True,
             max_retries=3, soft_time_limit=120, time_limit=150)
def flush_impressions_task() -> dict:
    from recommender.impressions.flush import impressions_flush

    return impressions_flush()


@shared_task(acks_late=True, ignore_result=True, autoretry_for=(OperationalError,), retry_backoff=True,
             max_retries=3, soft_time_limit=600, time_limit=660)
def rebuild_online_metrics_task(days: int | None = None) -> dict:
    from recommender.impressions.attribution import attribution_sweep
    from recommender.impressions.flush import impressions_flush
    from recommender.impressions.metrics import impressions_prune, online_metrics_rebuild

    flushed = impressions_flush()
    attributed = attribution_sweep()
    rebuilt = online_metrics_rebuild(days=days)
    pruned = impressions_prune()
    return {"flushed": flushed, "attributed": attributed, "rebuilt": rebuilt, "pruned": pruned}
