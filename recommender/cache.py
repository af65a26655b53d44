"""The recommender's cache, fail open: every key it uses, and get/set/add/delete/incr that never raise.

In: a key made here, a value, a timeout in seconds. Out: what Django's cache returns; when the cache cannot be
reached (Redis stopped, a connection reset) the call is logged and answers as a miss: `get` returns `down`
(`default` unless given), `get_many` None, `set`/`set_many`/`delete`/`delete_many` False, `add`/`incr` None. So a
stopped Redis costs speed, never a page: each reader then asks PostgreSQL, as it does on a miss.

An operation of several cache calls (read, add if missing, read again; a throttle's read and write) is one
`fail_open(call, down=..., says=...)`: `call()` uses `strict`, and the whole answers `down` with `says` logged when
the cache cannot be reached. Code that must fail loudly instead (a bulk precomputation that would store nothing)
uses `strict`, Django's cache itself, with a key from here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from django.core.cache import cache as strict

logger = logging.getLogger(__name__)
T = TypeVar("T")

UNAVAILABLE = object()  # a `down=` value no cached value can be: tells "unreachable" from a miss

# Keys: every name the recommender caches under. Formats are stable: a running shop keeps reading what the
# previous process wrote.
SERVING_ENCODER = "recommender:serving-encoder"  # which encoder's vectors answer queries
TUNED_WEIGHTS = "recommender:tuned-weights"  # the blend weights staff saved
SERVING_RANKER = "recommender:ranker:serving"  # the serving RankerVersion's id
CATALOGUE_VERSION = "recommender:catalogue-version"  # bumped by any catalogue edit: cached cards are made again
HEALTH_SNAPSHOT = "recommender:health:snapshot"
HEALTH_WORKERS = "recommender:health:workers"
HEALTH_ENCODERS = "recommender:health:encoders"  # the health page's encoder panel
ENCODER_TRAINING = "recommender:encoder-training"  # the running training's progress
MERCH_VERSION = "recommender:merch:version"  # replaced by any rule change: feeds and rule sets cache under it
EXPERIMENT_RUNNING = "recommender:experiment:running"
# Not a cache entry: the impression buffer, a Redis list in the cache's Redis (recommender.impressions.buffer).
IMPRESSIONS_BUFFER = "vitrine:recommender:impressions"


def card_key(product_id: int) -> str:
    return f"recommender:card:{product_id}"


def evaluation_progress_key(run_id: int) -> str:
    return f"recommender:evaluation:{run_id}"


def shopper_version_key(who: str) -> str:
    return f"recommender:shopper-version:{who}"


def feed_key(*, placement: str, who: str, version: int, anchors: Iterable[int]) -> str:
    return f"recommender:feed:{placement}:{who}:{version}:{','.join(str(a) for a in anchors)}"


def feed_refresh_queued_key(who: str) -> str:
    return f"recommender:feed-refresh-queued:{who}"


def promoted_encoder_key(database: str) -> str:
    """Per database name: the shared Redis may serve several (each test run has its own)."""
    return f"recommender:promoted-encoder:{database}"


def merch_rules_key(*, form: int, version: str) -> str:
    """A rules version's rule set; `form` is bumped when the cached shape changes."""
    return f"recommender:merch:rules:{form}:{version}"


def merch_served_key(hour: int) -> str:
    return f"recommender:merch:served:{hour}"


def merch_touched_key(hour: int, rule_id: int) -> str:
    return f"recommender:merch:touched:{hour}:{rule_id}"


def experiment_pin_key(*, experiment_id: int, user_id: int) -> str:
    return f"recommender:experiment:pin:{experiment_id}:{user_id}"


def experiment_failures_key(*, experiment_id: int, arm: str) -> str:
    return f"recommender:experiment:failures:{experiment_id}:{arm}"


def impressions_login_key(session_key: str) -> str:
    return f"vitrine:recommender:impressions:login:{session_key}"


_AS_DEFAULT = object()


def _attempt(call: Callable[[], T], down, message: str, *args):
    try:
        return call()
    except Exception:  # redis-py and django-redis raise a family of connection errors; all mean "not reachable"
        logger.warning(message, *args)
        return down


def fail_open(call: Callable[[], T], *, down: T, says: str) -> T:
    """`call()`, several cache calls as one operation; `down` (and `says` in the log) when the cache is unreachable."""
    return _attempt(call, down, "%s", says)


def get(key: str, default=None, *, down=_AS_DEFAULT):
    """The cached value, `default` on a miss, `down` (`default` unless given) when the cache is unreachable."""
    down = default if down is _AS_DEFAULT else down
    return _attempt(lambda: strict.get(key, default), down, "cache unavailable: not read %s", key)


def get_many(keys: Iterable[str]) -> dict | None:
    """{key: value} of those found; None when the cache is unreachable (not the same as nothing found)."""
    keys = list(keys)
    return _attempt(lambda: strict.get_many(keys), None, "cache unavailable: not read %s keys", len(keys))


def _stored(call: Callable[[], object]) -> Callable[[], bool]:
    def run() -> bool:
        call()
        return True
    return run


def set(key: str, value, timeout: float | None) -> bool:  # noqa: A001 (the cache's own verb)
    return _attempt(_stored(lambda: strict.set(key, value, timeout)), False, "cache unavailable: not stored %s", key)


def set_many(values: Mapping[str, object], timeout: float | None) -> bool:
    return _attempt(_stored(lambda: strict.set_many(dict(values), timeout)), False,
                    "cache unavailable: not stored %s keys", len(values))


def add(key: str, value, timeout: float | None) -> bool | None:
    """True when stored, False when the key was there already, None when the cache is unreachable."""
    return _attempt(lambda: bool(strict.add(key, value, timeout)), None, "cache unavailable: not added %s", key)


def delete(key: str) -> bool:
    return _attempt(_stored(lambda: strict.delete(key)), False, "cache unavailable: not deleted %s", key)


def delete_many(keys: Iterable[str]) -> bool:
    keys = list(keys)
    return _attempt(_stored(lambda: strict.delete_many(keys)), False, "cache unavailable: not deleted %s keys",
                    len(keys))


def _count(key: str, timeout: float | None) -> int | None:
    if strict.add(key, 1, timeout):
        return 1
    try:
        value = strict.incr(key)
    except ValueError:  # expired between add and incr
        return 1 if strict.add(key, 1, timeout) else None
    if timeout is not None:
        strict.touch(key, timeout)
    return value


def incr(key: str, *, timeout: float | None = None) -> int | None:
    """The key's counter plus one (1 when it is not there), kept `timeout` seconds from now; None when the cache is
    unreachable."""
    return _attempt(lambda: _count(key, timeout), None, "cache unavailable: not counted %s", key)
