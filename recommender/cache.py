"""The recommender's cache, fail open: every key it uses, and get/set/add/delete/incr that never raise.

In: a key made here, a value, a timeout in seconds. Out: what Django's cache returns; when the cache cannot be
reached (Redis stopped, a connection reset) the call is logged and answers as a miss: `get` returns `down`
(`default` unless given), `get_many` None, `set`/`set_many`/`delete` False, `add`/`incr` None. So a stopped Redis
costs speed, never a page: each reader then asks PostgreSQL, as it does on a miss.

Code that must fail loudly instead (a bulk precomputation that would store nothing) uses `strict`, Django's cache
itself, with a key from here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from django.core.cache import cache as strict

logger = logging.getLogger(__name__)

UNAVAILABLE = object()  # a `down=` value no cached value can be: tells "unreachable" from a miss

# Keys: every name the recommender caches under. Formats are stable: a running shop keeps reading what the
# previous process wrote.
SERVING_ENCODER = "recommender:serving-encoder"  # which encoder's vectors answer queries
TUNED_WEIGHTS = "recommender:tuned-weights"  # the blend weights staff saved
SERVING_RANKER = "recommender:ranker:serving"  # the serving RankerVersion's id
CATALOGUE_VERSION = "recommender:catalogue-version"  # bumped by any catalogue edit: cached cards are made again
HEALTH_SNAPSHOT = "recommender:health:snapshot"
HEALTH_WORKERS = "recommender:health:workers"


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


_AS_DEFAULT = object()


def _unavailable(action: str, key) -> None:
    logger.warning("cache unavailable: %s %s", action, key)


def get(key: str, default=None, *, down=_AS_DEFAULT):
    """The cached value, `default` on a miss, `down` (`default` unless given) when the cache is unreachable."""
    try:
        return strict.get(key, default)
    except Exception:  # redis-py and django-redis raise a family of connection errors; all mean "not reachable"
        _unavailable("not read", key)
        return default if down is _AS_DEFAULT else down


def get_many(keys: Iterable[str]) -> dict | None:
    """{key: value} of those found; None when the cache is unreachable (not the same as nothing found)."""
    keys = list(keys)
    try:
        return strict.get_many(keys)
    except Exception:
        _unavailable("not read", f"{len(keys)} keys")
        return None


def set(key: str, value, timeout: float | None) -> bool:  # noqa: A001 (the cache's own verb)
    try:
        strict.set(key, value, timeout)
    except Exception:
        _unavailable("not stored", key)
        return False
    return True


def set_many(values: Mapping[str, object], timeout: float | None) -> bool:
    try:
        strict.set_many(dict(values), timeout)
    except Exception:
        _unavailable("not stored", f"{len(values)} keys")
        return False
    return True


def add(key: str, value, timeout: float | None) -> bool | None:
    """True when stored, False when the key was there already, None when the cache is unreachable."""
    try:
        return bool(strict.add(key, value, timeout))
    except Exception:
        _unavailable("not added", key)
        return None


def delete(key: str) -> bool:
    try:
        strict.delete(key)
    except Exception:
        _unavailable("not deleted", key)
        return False
    return True


def incr(key: str, *, timeout: float | None = None) -> int | None:
    """The key's counter plus one (1 when it is not there), kept `timeout` seconds from now; None when the cache is
    unreachable."""
    try:
        if strict.add(key, 1, timeout):
            return 1
        value = strict.incr(key)
        if timeout is not None:
            strict.touch(key, timeout)
        return value
    except ValueError:  # expired between add and incr
        return 1 if add(key, 1, timeout) else None
    except Exception:
        _unavailable("not counted", key)
        return None
