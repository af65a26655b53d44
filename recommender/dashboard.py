"""Recommender health, an admin page at /admin/recommender/health/ (staff only).

Shows: embedding coverage per encoder (ready / pending / failed, top failure reasons), the Celery queue length and
live workers ("unreachable" when the broker or the workers do not answer within a second), the last signal rebuild,
the latest evaluation's table and chart. Buttons queue Celery tasks: rebuild signals, re-embed missing images, run an
evaluation; `health/status/` is the JSON the page polls for their progress.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import admin, messages
from django.core.cache import cache
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.views.decorators.http import require_POST

from recommender.models import EmbeddingStatus, EvaluationKind, EvaluationRun, ImageEmbedding, SignalRebuild
from shop.catalog.models import ProductImage

logger = logging.getLogger(__name__)
QUEUE = "celery"
ACTIONS = ("rebuild", "reembed", "evaluate")


def embedding_coverage() -> list[dict]:
    """Per encoder: counts by status, images with no row at all, and the five commonest failure reasons."""
    images = ProductImage.objects.count()
    by_encoder: dict[str, dict] = {}
    for encoder, status, n in (ImageEmbedding.objects.values_list("encoder", "status").annotate(n=Count("id"))
                               .order_by("encoder", "status")):
        row = by_encoder.setdefault(encoder, {"encoder": encoder, "ready": 0, "pending": 0, "failed": 0,
                                              "reasons": []})
        row[status] = row.get(status, 0) + n
    for encoder, error, n in (ImageEmbedding.objects.filter(status=EmbeddingStatus.FAILED)
                              .values_list("encoder", "error").annotate(n=Count("id")).order_by("-n")):
        reasons = by_encoder[encoder]["reasons"]
        if len(reasons) < 5:
            reasons.append({"reason": error or "(no reason recorded)", "count": n})
    for row in by_encoder.values():
        row["missing"] = max(images - row["ready"] - row["pending"] - row["failed"], 0)
        row["percent"] = round(100 * row["ready"] / images, 1) if images else 0.0
    return list(by_encoder.values())


def serving_vectors() -> dict:
    """What answers "looks like" now: the serving encoder, its product vectors and, for compact vectors, their fit."""
    from recommender.embeddings.compact import compact_parts
    from recommender.embeddings.store import encoder_for_serving
    from recommender.models import ProductEmbedding, VisualProjection

    encoder = encoder_for_serving()
    found = {"encoder": encoder, "products": ProductEmbedding.objects.filter(encoder=encoder).count(), "fit": None}
    parts = compact_parts(encoder or "")
    if parts:
        row = VisualProjection.objects.filter(encoder=parts[0], method="pca", output_dim=parts[1]).first()
        if row is not None:
            found["fit"] = {"source": row.encoder, "dims": row.output_dim, "input_dim": row.input_dim,
                            "products": row.products, "at": row.created_at,
                            "variance": round(100 * float(row.held_out.get("explained_variance", 0)), 1)}
    return found


def queue_length() -> int | None:
    """LLEN of the default Celery queue on the Redis broker; None when unreachable."""
    try:
        import redis

        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1)
        return int(client.llen(QUEUE))
    except Exception as error:  # any connection or protocol error: show "unreachable"
        logger.info("queue length unavailable: %s", error)
        return None


def live_workers() -> list[str] | None:
    """Names of workers that answered a ping within a second; None when the broker is unreachable."""
    from shop.celery import app

    try:
        replies = app.control.inspect(timeout=1).ping() or {}
    except Exception as error:
        logger.info("workers unreachable: %s", error)
        return None
    return sorted(replies)


def _evaluation_state(run: EvaluationRun | None) -> dict | None:
    if run is None:
        return None
    live = cache.get(f"recommender:evaluation:{run.pk}") or {}
    return {"id": run.pk, "kind": run.kind, "step": live.get("step", run.step), "finished": run.finished_at is not None,
            "progress": live.get("progress", run.progress), "error": run.error}


def _rebuild_state(rebuild: SignalRebuild | None) -> dict | None:
    if rebuild is None:
        return None
    return {"started_at": rebuild.started_at.isoformat(), "finished": rebuild.finished_at is not None,
            "seconds": rebuild.seconds, "events": rebuild.events, "pairs": rebuild.pairs,
            "products": rebuild.products, "generation": rebuild.generation, "error": rebuild.error}


def health_status() -> dict:
    return {
        "queue": queue_length(),
        "embeddings": embedding_coverage(),
        "rebuild": _rebuild_state(SignalRebuild.objects.first()),
        "evaluation": _evaluation_state(EvaluationRun.objects.first()),
    }


def health_view(request):
    status = health_status()
    latest = EvaluationRun.objects.filter(kind=EvaluationKind.RANKING, finished_at__isnull=False, error="").first()
    rows = []
    if latest is not None:
        for name, metrics in latest.results.get("sources", {}).items():
            rows.append({"name": name, **{m: metrics.get(m) for m in ("ndcg", "precision", "recall", "map",
                                                                        "coverage", "diversity")}})
    visual = EvaluationRun.objects.filter(kind=EvaluationKind.VISUAL, finished_at__isnull=False, error="").first()
    context = {
        **admin.site.each_context(request),
        "title": "Recommender health",
        "status": status,
        "serving": serving_vectors(),
        "workers": live_workers(),
        "rebuild": SignalRebuild.objects.first(),
        "latest": latest,
        "rows": rows,
        "visual": visual,
        "chart_url": f"{settings.MEDIA_URL}{latest.chart}" if latest is not None and latest.chart else None,
    }
    return TemplateResponse(request, "recommender/health.html", context)


def health_status_view(request):
    return JsonResponse(health_status())


@require_POST
def health_action_view(request, action: str):
    from recommender import tasks
    from recommender.evaluation.service import evaluation_run_start

    if action not in ACTIONS:
        messages.error(request, f"Unknown action {action!r}.")
        return redirect("admin:recommender-health")
    try:
        if action == "rebuild":
            tasks.rebuild_signals_task.apply_async(kwargs={"full": True}, retry=False)
            messages.success(request, "Signal rebuild queued.")
        elif action == "reembed":
            tasks.reconcile_embeddings_task.apply_async(retry=False)
            messages.success(request, "Re-embedding of missing images queued.")
        else:
            run = evaluation_run_start(kind=EvaluationKind.RANKING, k=10)
            try:
                tasks.evaluate_task.apply_async((run.pk,), retry=False)
            except Exception:
                run.delete()
                raise
            messages.success(request, f"Evaluation #{run.pk} queued.")
    except Exception as error:  # the broker is down: say so instead of a 500
        logger.warning("could not queue %s: %s", action, error)
        messages.error(request, f"Could not queue the task: the task queue is unreachable ({type(error).__name__}).")
    return redirect("admin:recommender-health")


def health_urls(site) -> list:
    return [
        path("recommender/health/", site.admin_view(health_view), name="recommender-health"),
        path("recommender/health/status/", site.admin_view(health_status_view), name="recommender-health-status"),
        path("recommender/health/<str:action>/", site.admin_view(health_action_view), name="recommender-health-action"),
    ]
