"""Serving a shopper's arm: what it changes in a recommendation, and the fallback when it fails.

`arm_apply(arm, compute)`: `compute(arm)` with the arm in force (its learned ranker version swapped in, or the
learned ranker switched off for a blend arm); when that raises, the failure is logged and counted
(`arm_failures`), and `compute(None)`, the default, answers this request instead. `current_arm()` is the arm in
force inside that call (None outside, or on the default), for code that switches on an arm's flags
(`merchandising_enabled()`). `arm_sources`, `arm_weights`: an arm's candidate sources and blend weights.
`fell_back()`: whether the last `arm_apply` in this context served the default instead of its arm, so that its
impressions are recorded as the default's.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from typing import TypeVar

from recommender import cache
from recommender.collaborative.factors import FactorModel
from recommender.experiments.selectors import ArmConfig
from recommender.models import RankerVersion
from recommender.ranking import Source
from recommender.recommend.ranker import Served, booster_from_text, models_override
from recommender.recommend.weights import recommendation_weights

logger = logging.getLogger(__name__)
T = TypeVar("T")

_current: ContextVar[ArmConfig | None] = ContextVar("recommender_arm", default=None)
_fell_back: ContextVar[bool] = ContextVar("recommender_arm_fell_back", default=False)
_versions: dict[int, object] = {}  # learned ranker versions loaded by arms, per process
_lock = threading.Lock()
MAX_VERSIONS = 4


def current_arm() -> ArmConfig | None:
    return _current.get()


def merchandising_enabled() -> bool:
    """False only inside an arm that switches merchandising off."""
    arm = _current.get()
    return arm is None or arm.merchandising


def fell_back() -> bool:
    return _fell_back.get()


def arm_sources(arm: ArmConfig | None, sources=None):
    """The sources an arm ranks from: None (every source) unless it is a popularity or no-rail control."""
    if arm is None or not arm.control:
        return sources
    if arm.control == "popularity":
        return {Source.TRENDING} & set(sources) if sources is not None else {Source.TRENDING}
    return set()


def arm_weights(arm: ArmConfig | None) -> dict[str, float] | None:
    """The arm's weights over the shop's (None: the shop's, and the learned ranker where it serves)."""
    if arm is None or not arm.weights:
        return None

    return {**recommendation_weights(), **{k: float(v) for k, v in arm.weights.items()}}


def _served_version(version_id: int):
    with _lock:
        if version_id not in _versions:
            row = RankerVersion.objects.filter(pk=version_id).only("factors", "ranker").first()
            if row is None:
                raise LookupError(f"ranker version {version_id} does not exist")
            if len(_versions) >= MAX_VERSIONS:
                _versions.pop(next(iter(_versions)))
            _versions[version_id] = Served(
                version_id=version_id, factors=FactorModel.from_bytes(row.factors) if row.factors else None,
                ranker=booster_from_text(row.ranker) if row.ranker else None)
        return _versions[version_id]


@contextmanager
def _in_force(arm: ArmConfig):
    if arm.ranker == "learned" and arm.ranker_version_id:
        models = models_override(_served_version(arm.ranker_version_id))
    elif arm.ranker == "blend":
        models = models_override(None)
    else:
        models = nullcontext()
    token = _current.set(arm)
    try:
        with models:
            yield
    finally:
        _current.reset(token)


def arm_apply(arm: ArmConfig | None, compute: Callable[[ArmConfig | None], T]) -> T:
    _fell_back.set(False)
    if arm is None:
        return compute(None)
    try:
        with _in_force(arm):
            return compute(arm)
    except Exception:
        logger.exception("experiment %s arm %s failed: serving the default", arm.experiment_id, arm.name)
        arm_failure_record(arm)
        _fell_back.set(True)
        return compute(None)


def _failure_count(key: str) -> None:
    # Not `cache.incr`: the count is kept with no timeout, for as long as the experiment's results are read.
    if not cache.strict.add(key, 1, timeout=None):
        cache.strict.incr(key)


def arm_failure_record(arm: ArmConfig) -> None:
    key = cache.experiment_failures_key(experiment_id=arm.experiment_id, arm=arm.name)
    cache.fail_open(lambda: _failure_count(key), down=None, says="experiments: an arm failure not counted")


def arm_failures(*, experiment_id: int, arm: str) -> int:
    return int(cache.get(cache.experiment_failures_key(experiment_id=experiment_id, arm=arm), 0) or 0)
