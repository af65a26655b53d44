"""Tuned blend weights: what staff (or `tune_weights`) saved in RecommenderSettings, cached for a minute.

`tuned_weights()` -> {source: weight} or None (nothing saved, or the table is not there yet).
`tuned_weights_save(weights=..., notes=...)` stores them and drops the cache, so the next request uses them.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import DatabaseError

CACHE_KEY = "recommender:tuned-weights"
CACHE_SECONDS = 60
_NONE = "none"  # cached "nothing saved", so a shop without tuned weights does not query every request


def tuned_weights() -> dict[str, float] | None:
    try:
        cached = cache.get(CACHE_KEY)
    except Exception:  # a stopped Redis must not take recommendations down: read the row instead
        cached = None
    if cached is None:
        from recommender.models import RecommenderSettings

        try:
            row = RecommenderSettings.objects.filter(pk=1).values_list("weights", flat=True).first()
        except DatabaseError:
            return None
        cached = dict(row) if row else _NONE
        try:
            cache.set(CACHE_KEY, cached, CACHE_SECONDS)
        except Exception:
            pass
    return None if cached == _NONE else {name: float(w) for name, w in cached.items()}


def tuned_weights_forget() -> None:
    try:
        cache.delete(CACHE_KEY)
    except Exception:  # nothing cached while Redis is down either
        pass


def tuned_weights_save(*, weights: dict[str, float], notes: str = ""):
    from recommender.models import RecommenderSettings
    from recommender.ranking.blend import check_weights

    check_weights(weights)
    row = RecommenderSettings.load()
    row.weights, row.notes = {name: round(float(w), 4) for name, w in weights.items()}, notes
    row.save()
    return row
