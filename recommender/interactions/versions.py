"""Shopper versions: a counter per shopper, bumped whenever something they did could change their recommendations.

In: shopper ids ("u<user id>", "s<guest session key>"; `shopper_id` makes them). Out: the version a cached feed is
stored under (recommender.recommend.feeds), and the `shopper_version_bumped` signal (who, version) after each bump:
the interface layer listens and queues the feed's precomputation, so nothing here knows about tasks.

Bumped by recording an interaction, taking a like back, a guest's history joining an account and a change of profile
sizes. With the cache down (Redis stopped) nothing is bumped and nothing is served from it either.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.cache import cache
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent with `who`, `version` and `live` after each successful bump. `live` is False for replayed history: nobody is
# on a page waiting for a precomputed feed.
shopper_version_bumped = Signal()

ANYONE = "-"  # the shopper id shared by visitors without an account or a session
# A shopper's version outlives every feed cached under it (FEED_CACHE_SECONDS), and is forgotten after a day
# without activity: by then no feed cached under an old number is left, so counting again from 1 is safe.
VERSION_SECONDS = 86_400


def shopper_id(*, user_id: int | None = None, session_key: str | None = None) -> str | None:
    if user_id is not None:
        return f"u{user_id}"
    return f"s{session_key}" if session_key else None


def shopper_version_key(who: str) -> str:
    return f"recommender:shopper-version:{who}"


def shopper_version(who: str) -> int:
    """`who`'s current version (0: never bumped, or forgotten). Raises when the cache is unreachable."""
    return cache.get(shopper_version_key(who), 0)


def shopper_touched(shoppers: Iterable[str | None], *, live: Iterable[str | None] | None = None) -> None:
    """Bump these shoppers' versions: their cached feeds stop being served, and `shopper_version_bumped` is sent
    for each (with FEED_PRECOMPUTE a worker then computes the new home feed for those in `live`; all when None)."""
    live = None if live is None else set(live)
    for who in {s for s in shoppers if s}:
        key = shopper_version_key(who)
        try:
            if cache.add(key, 1, timeout=VERSION_SECONDS):
                version = 1
            else:
                version = cache.incr(key)
                cache.touch(key, VERSION_SECONDS)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=VERSION_SECONDS)
            version = 1
        except Exception:  # a stopped Redis: nothing is being served from it, and the broker is down with it
            logger.warning("feed cache: could not bump %s", who, exc_info=True)
            continue
        shopper_version_bumped.send(sender=None, who=who, version=version, live=live is None or who in live)


def shopper_version_kept(who: str) -> int:
    """`who`'s current version, its key kept another VERSION_SECONDS so that it outlives a feed cached under it now
    (a key that expired while a precomputed feed lived on would count again from 1 and serve that feed)."""
    key = shopper_version_key(who)
    if cache.add(key, 1, timeout=VERSION_SECONDS):
        return 1
    cache.touch(key, VERSION_SECONDS)
    return int(cache.get(key) or 0)
