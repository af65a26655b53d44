"""The serving learned models: loaded once per process, replaced when a promotion changes the serving version.

`served_models()` -> `Served` (the factor model, the ranker and the blend weights of its features, of the serving
`RankerVersion`) or None
(no version serves: the linear blend does). Which version serves is one indexed query, cached for
CHECK_SECONDS (fail-open: a stopped cache means one query per request); a promotion drops the cached id, so every
process loads the new version at its next request, without a restart. `models_override(served)` replaces the
serving models inside a block (offline training and evaluation, which rank with models they just fitted).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, transaction

from recommender import cache
from recommender.collaborative.factors import FactorModel
from recommender.models import RankerStatus, RankerVersion
from recommender.ranking.linear import LinearRanker, is_linear_text

CHECK_SECONDS = 30
_UNSET = object()
_override: ContextVar = ContextVar("recommender_models_override", default=_UNSET)
_lock = threading.Lock()
_loaded: dict[str, Any] = {}


@dataclass(frozen=True)
class Served:
    version_id: int | None
    factors: FactorModel | None
    ranker: Any = None  # lightgbm.Booster, or anything with predict(matrix)
    # The weights of the blend feature the ranker was trained with (learning.feature_blend); None: the served blend's.
    blend_weights: dict[str, float] | None = None


def booster_from_text(text: str):
    """The stored model: a linear ranker (JSON) or a LightGBM booster (its text format)."""
    if is_linear_text(text):
        return LinearRanker.from_text(text)
    import os

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before LightGBM loads OpenMP: see recommender.learning
    import lightgbm

    return lightgbm.Booster(model_str=text)


def serving_version_id() -> int | None:
    cached = cache.get(cache.SERVING_RANKER)  # the cache down reads as a miss: the database answers
    if cached is None:
        try:
            with transaction.atomic():  # a savepoint: a missing table (not migrated yet) must not abort the caller's
                cached = RankerVersion.objects.filter(status=RankerStatus.SERVING).values_list(
                    "pk", flat=True).first() or 0
        except DatabaseError:
            return None
        cache.set(cache.SERVING_RANKER, cached, CHECK_SECONDS)
    return int(cached) or None


def serving_version_forget() -> None:
    cache.delete(cache.SERVING_RANKER)


def served_models() -> Served | None:
    override = _override.get()
    if override is not _UNSET:
        return override
    version_id = serving_version_id()
    if version_id is None:
        return None
    with _lock:
        if _loaded.get("id") != version_id:
            row = RankerVersion.objects.filter(pk=version_id).only("factors", "ranker", "params").first()
            if row is None:
                serving_version_forget()
                return None
            _loaded["served"] = Served(
                version_id=version_id,
                factors=FactorModel.from_bytes(row.factors) if row.factors else None,
                ranker=booster_from_text(row.ranker) if row.ranker else None,
                blend_weights=(row.params or {}).get("blend_weights"),
            )
            _loaded["id"] = version_id
        return _loaded["served"]


@contextmanager
def models_override(served: Served | None) -> Iterator[None]:
    token = _override.set(served)
    try:
        yield
    finally:
        _override.reset(token)
