"""What share of the recommendation lists served each staff rule touched: counters in the cache, by the hour.

In: `lists_served(touched)`, one entry per list served (a rail, an API answer, a feed page): the ids of the rules
that placed, re-scored or removed something in it. Out: `touched_shares(rule_ids=...)` -> {rule id: (lists touched,
lists served)} over the last `WINDOW_HOURS`, for the health page.

A list counts once per rule however many of its items the rule touched. Counters live in the cache (Redis), an hour
per key, kept a day and an hour; with the cache down nothing is counted and nothing fails.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.cache import cache
from django.utils import timezone

from recommender.ranking import Ranked

logger = logging.getLogger(__name__)

WINDOW_HOURS = 24
KEEP_SECONDS = (WINDOW_HOURS + 1) * 3600


def _hour(now=None) -> int:
    return int((now or timezone.now()).timestamp() // 3600)


def _served_key(hour: int) -> str:
    return f"recommender:merch:served:{hour}"


def _touched_key(hour: int, rule_id: int) -> str:
    return f"recommender:merch:touched:{hour}:{rule_id}"


def rules_touched(items: Iterable[Ranked], *, excluding: Iterable[int] = ()) -> frozenset[int]:
    """The rules that touched a list: those on its items, and the exclusions that removed something from it."""
    return frozenset({rule_id for item in items for rule_id in item.rule_ids} | set(excluding))


def _add(key: str, amount: int) -> None:
    try:
        cache.incr(key, amount)
    except ValueError:  # not there yet
        if not cache.add(key, amount, timeout=KEEP_SECONDS):
            cache.incr(key, amount)


def lists_served(touched: Iterable[frozenset[int]], *, now=None) -> None:
    touched = list(touched)
    if not touched:
        return
    hour = _hour(now)
    counts: dict[int, int] = {}
    for rules in touched:
        for rule_id in rules:
            counts[rule_id] = counts.get(rule_id, 0) + 1
    try:
        _add(_served_key(hour), len(touched))
        for rule_id, count in counts.items():
            _add(_touched_key(hour, rule_id), count)
    except Exception:
        logger.warning("merchandising: effects not counted", exc_info=True)


def touched_shares(*, rule_ids: Iterable[int], now=None) -> dict[int, tuple[int, int]]:
    """{rule id: (lists it touched, lists served)} over the last day; {} when the cache is unreachable."""
    rule_ids = list(rule_ids)
    last = _hour(now)
    hours = range(last - WINDOW_HOURS + 1, last + 1)
    keys = [_served_key(h) for h in hours] + [_touched_key(h, r) for h in hours for r in rule_ids]
    try:
        found = cache.get_many(keys)
    except Exception:
        logger.warning("merchandising: effects unavailable", exc_info=True)
        return {}
    served = sum(int(found.get(_served_key(h), 0)) for h in hours)
    return {r: (sum(int(found.get(_touched_key(h, r), 0)) for h in hours), served) for r in rule_ids}
