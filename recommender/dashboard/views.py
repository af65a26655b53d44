"""The health page, its JSON status (polled by the page) and its buttons; thin: read, summarise, render.

GET health/: the owner's statements first, the engineering detail below (collapsed), from a snapshot at most
SNAPSHOT_SECONDS old. GET health/status/: queue,
workers (pinged here, at most every WORKERS_SECONDS), coverage, rebuild and evaluation progress, as JSON.
POST health/<action>/: queue a rebuild, a re-embed of missing images or an evaluation; a down broker is said, not
raised.
"""

from __future__ import annotations

import logging
from dataclasses import asdict

from django.conf import settings
from django.contrib import admin, messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from recommender import tasks
from recommender.dashboard import selectors, summary
from recommender.evaluation.service import evaluation_run_start
from recommender.impressions.panel import online_panel
from recommender.models import EvaluationKind

logger = logging.getLogger(__name__)
ACTIONS = ("rebuild", "reembed", "evaluate")


def _rebuild_state(rebuild) -> dict | None:
    if rebuild is None:
        return None
    return {"started_at": rebuild.started_at.isoformat(), "finished": rebuild.finished_at is not None,
            "seconds": rebuild.seconds, "events": rebuild.events, "pairs": rebuild.pairs,
            "products": rebuild.products, "generation": rebuild.generation, "error": rebuild.error}


def _workers_state(workers: selectors.Workers | None) -> dict:
    if workers is None:
        return {"known": False, "names": None}
    return {"known": True, "names": workers.names, "checked_at": workers.checked_at.isoformat()}


def health_view(request):
    now = timezone.now()
    snapshot = selectors.health_snapshot()
    workers = selectors.workers_cached()
    queue = selectors.queue_length()
    rebuild, latest = snapshot.rebuild, snapshot.ranking
    configured = snapshot.photos[0]
    statements = [
        summary.photos_statement(photos=configured.photos, ready=configured.ready, pending=configured.pending,
                                 failed=configured.failed),
        summary.text_statement(products=snapshot.text.products, searchable=snapshot.text.searchable),
        summary.recommendations_statement(results=latest.results if latest else None,
                                          finished_at=latest.finished_at if latest else None, now=now),
        summary.signals_statement(started_at=rebuild.started_at if rebuild else None,
                                  finished_at=rebuild.finished_at if rebuild else None,
                                  events=rebuild.events if rebuild else 0, error=rebuild.error if rebuild else "",
                                  now=now),
        summary.workers_statement(workers=workers.names if workers else None, known=workers is not None,
                                  waiting=queue),
    ]
    context = {
        **admin.site.each_context(request),
        "title": "Recommender health",
        "statements": statements,
        "photos": snapshot.photos,
        "text": snapshot.text,
        "queue": queue,
        "workers": workers,
        "serving": snapshot.serving,
        "rebuild": rebuild,
        "evaluation": selectors.evaluation_live(selectors.current_evaluation()),
        "latest": latest,
        "rows": summary.evaluation_rows(latest.results if latest else None),
        "legend": summary.metric_legend(latest.k if latest else 10),
        "visual": snapshot.visual,
        "chart_url": f"{settings.MEDIA_URL}{latest.chart}" if latest is not None and latest.chart else None,
        "online": online_panel(),  # impressions, clicks and sales per rail (recommender.impressions)
    }
    return TemplateResponse(request, "recommender/health.html", context)


def health_status_view(request):
    workers = selectors.workers_cached() or selectors.workers_refresh()
    queue = selectors.queue_length()
    snapshot = selectors.health_snapshot()
    return JsonResponse({
        "queue": queue,
        "workers": _workers_state(workers),
        "workers_statement": asdict(summary.workers_statement(workers=workers.names, known=True, waiting=queue)),
        "embeddings": [{**asdict(row), "missing": row.missing, "percent": row.percent} for row in snapshot.photos],
        "text": asdict(snapshot.text),
        "rebuild": _rebuild_state(selectors.latest_rebuild()),
        "evaluation": selectors.evaluation_live(selectors.current_evaluation()),
    })


@require_POST
def health_action_view(request, action: str):
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
    selectors.health_snapshot_forget()  # the page they come back to shows what they just started
    return redirect("admin:recommender-health")


def health_urls(site) -> list:
    return [
        path("recommender/health/", site.admin_view(health_view), name="recommender-health"),
        path("recommender/health/status/", site.admin_view(health_status_view), name="recommender-health-status"),
        path("recommender/health/<str:action>/", site.admin_view(health_action_view), name="recommender-health-action"),
    ]
