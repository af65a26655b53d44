"""The health page's image-encoder panel: every trained version with its figures beside the serving encoder's,
training progress, and the buttons (train, promote, roll back). Thin: read, call a service, redirect.

POST health/encoders/train/ queues ``train_encoder_task`` (the next lite0-shop-N, or ``name`` to resume one);
POST health/encoders/<id>/promote/ and health/encoders/rollback/ call the versions service. A refused promotion,
an unreachable queue or a bad id is said as a message, never a 500.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_POST

from recommender import cache, tasks
from recommender.conf import recommender_setting
from recommender.encoder_training.progress import progress_read
from recommender.encoder_training.versions import PromotionRefused, next_version_name, version_promote, version_rollback
from recommender.models import EncoderStatus, EncoderVersion

logger = logging.getLogger(__name__)
FIGURES = (("p_at_10", "Looks-like P@10 (held out)"), ("own_photo_first", "Own photo first"),
           ("colour_agreement", "Colour agreement"), ("shopper_hit_at_10", "Shopper photos: right kind in top 10"),
           ("shopper_success_at_1", "Shopper photos: first hit right"),
           ("shopper_category_accuracy", "Shopper photos: category named right"),
           ("shopper_head_accuracy", "Shopper photos: category head right"))

# The versions change only through recommender.encoder_training.versions and this module's buttons, which drop
# the key: the page reads no row of them while nothing changed (it keeps its fixed query count).
PANEL_SECONDS = 3600


def panel(*, answering: str | None) -> dict:
    """What the panel shows; `answering`: the encoder the page's snapshot found serving. Training progress fresh."""
    found = cache.get(cache.HEALTH_ENCODERS)  # a stopped Redis reads as a miss: read every time
    if found is None:
        found = _panel_read()
        cache.set(cache.HEALTH_ENCODERS, found, PANEL_SECONDS)
    return {**found, "answering": answering, "training": progress_read()}


def panel_forget() -> None:
    cache.delete(cache.HEALTH_ENCODERS)


def _panel_read() -> dict:
    versions = list(EncoderVersion.objects.all()[:10])
    rows = [{"version": v, "figures": [(label, v.baseline_figures.get(key), v.figures.get(key)) for key, label in FIGURES]}
            for v in versions]
    return {"versions": rows, "configured": recommender_setting("ENCODER"),
            "can_roll_back": any(v.status == EncoderStatus.SERVING for v in versions)}


@require_POST
def train_view(request):
    name = (request.POST.get("name") or "").strip() or next_version_name()
    try:
        minutes = float(request.POST.get("minutes") or 40)
        if not 0 < minutes <= 600:
            raise ValueError
    except ValueError:
        messages.error(request, "Minutes must be a number between 0 and 600.")
        return redirect("admin:recommender-health")
    try:
        tasks.train_encoder_task.apply_async(kwargs={"name": name, "minutes": minutes}, retry=False)
        messages.success(request, f"Training of {name} queued ({minutes:g} minutes); progress shows below.")
    except Exception as error:
        logger.warning("could not queue encoder training: %s", error)
        messages.error(request, f"Could not queue the task: the task queue is unreachable ({type(error).__name__}).")
    panel_forget()
    return redirect("admin:recommender-health")


@require_POST
def promote_view(request, version_id: int):
    try:
        row = version_promote(version_id)
        messages.success(request, f"{row.name} now computes new vectors; the old ones answer until it covers the "
                                  "catalogue.")
    except EncoderVersion.DoesNotExist:
        messages.error(request, f"No encoder version #{version_id}.")
    except PromotionRefused as refused:
        messages.error(request, str(refused))
    panel_forget()
    return redirect("admin:recommender-health")


@require_POST
def rollback_view(request):
    try:
        name = version_rollback()
        messages.success(request, f"Rolled back: {name} serves again, on its own vectors.")
    except PromotionRefused as refused:
        messages.error(request, str(refused))
    panel_forget()
    return redirect("admin:recommender-health")


def encoder_urls(site) -> list:
    return [
        path("recommender/health/encoders/train/", site.admin_view(train_view), name="recommender-encoder-train"),
        path("recommender/health/encoders/rollback/", site.admin_view(rollback_view),
             name="recommender-encoder-rollback"),
        path("recommender/health/encoders/<int:version_id>/promote/", site.admin_view(promote_view),
             name="recommender-encoder-promote"),
    ]
