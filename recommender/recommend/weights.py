"""Blend weights: the configured ones (RECOMMENDER["WEIGHTS"]) overlaid with what staff or `tune_weights` saved in
RecommenderSettings, the saved ones cached for a minute.

`recommendation_weights()` -> {source: weight}: what a request ranks with.
`tuned_weights()` -> {source: weight} or None (nothing saved, or the table is not there yet).
`tuned_weights_save(weights=..., notes=...)` and `recommender_settings_save(row)` store them and drop the cache, so
the next request uses them; `recommender_settings_delete()` goes back to the configured weights.
"""

from __future__ import annotations

from django.db import DatabaseError, transaction

from recommender import cache
from recommender.conf import recommender_setting
from recommender.models import RecommenderSettings
from recommender.ranking.blend import check_weights

CACHE_SECONDS = 60
_NONE = "none"  # cached "nothing saved", so a shop without tuned weights does not query every request
SETTINGS_PK = 1  # RecommenderSettings is a single row


def recommendation_weights() -> dict[str, float]:
    """Tuned weights when staff saved some, else RECOMMENDER["WEIGHTS"]."""
    weights = dict(recommender_setting("WEIGHTS"))
    weights.update(tuned_weights() or {})
    return weights


def tuned_weights() -> dict[str, float] | None:
    cached = cache.get(cache.TUNED_WEIGHTS)  # a stopped Redis reads as a miss: the row answers
    if cached is None:
        try:
            with transaction.atomic():  # a savepoint: an unreadable table must not abort the caller's transaction
                row = RecommenderSettings.objects.filter(pk=SETTINGS_PK).values_list("weights", flat=True).first()
        except DatabaseError:
            return None
        cached = dict(row) if row else _NONE
        cache.set(cache.TUNED_WEIGHTS, cached, CACHE_SECONDS)
    return None if cached == _NONE else {name: float(w) for name, w in cached.items()}


def tuned_weights_forget() -> None:
    cache.delete(cache.TUNED_WEIGHTS)


def recommender_settings_load() -> RecommenderSettings:
    return RecommenderSettings.objects.get_or_create(pk=SETTINGS_PK)[0]


def recommender_settings_save(row: RecommenderSettings) -> RecommenderSettings:
    """Save the one settings row (whatever pk it came with) and drop the cached weights."""
    row.pk = SETTINGS_PK
    row.save()
    transaction.on_commit(tuned_weights_forget)
    tuned_weights_forget()
    return row


def recommender_settings_delete() -> None:
    RecommenderSettings.objects.filter(pk=SETTINGS_PK).delete()
    transaction.on_commit(tuned_weights_forget)
    tuned_weights_forget()


def tuned_weights_save(*, weights: dict[str, float], notes: str = "") -> RecommenderSettings:
    check_weights(weights)
    row = recommender_settings_load()
    row.weights, row.notes = {name: round(float(w), 4) for name, w in weights.items()}, notes
    return recommender_settings_save(row)
