"""What share of the recommendation lists served each staff rule touched: counters in the cache, by the hour.

In: `lists_served(touched)`, one entry per list served (a rail, an API answer, a feed page): the ids of the rules
that placed, re-scored or removed something in it. Out: `touched_shares(rule_ids=...)` -> {rule id: (lists touched,
lists served)} over the last `WINDOW_HOURS`, for the health page.

A list counts once per rule however many of its items the rule touched. Counters live in the cache (Redis), an hour
per key, kept a day and an hour; with the cache down nothing is counted and nothing fails.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from recommender import cache
from recommender.ranking import Ranked

WINDOW_HOURS = 24
KEEP_SECONDS = (WINDOW_HOURS + 1) * 3600


def _hour(now=None) -> int:
    return int((now or timezone.now()).timestamp() // 3600)


def rules_touched(items: Iterable[Ranked], *, excluding: Iterable[int] = ()) -> frozenset[int]:
    """The rules that touched a list: those on its items, and the exclusions that removed something from it."""
    return frozenset({rule_id for item in items for rule_id in item.rule_ids} | set(excluding))


def _add(key: str, amount: int) -> None:
    # Not `cache.incr`: the counter keeps the timeout of its first count, so an hour's key goes a day after that hour.
    try:
        cache.strict.incr(key, amount)
    except ValueError:  # not there yet
        if not cache.strict.add(key, amount, timeout=KEEP_SECONDS):
            cache.strict.incr(key, amount)


def _count(hour: int, served: int, counts: dict[int, int]) -> None:
    _add(cache.merch_served_key(hour), served)
    for rule_id, count in counts.items():
        _add(cache.merch_touched_key(hour, rule_id), count)


def lists_served(touched: Iterable[frozenset[int]], *, now=None) -> None:
    touched = list(touched)
    if not touched:
        return
    hour = _hour(now)
    counts: dict[int, int] = {}
    for rules in touched:
        for rule_id in rules:
            counts[rule_id] = counts.get(rule_id, 0) + 1
    cache.fail_open(lambda: _count(hour, len(touched), counts), down=None, says="merchandising: effects not counted")


def touched_shares(*, rule_ids: Iterable[int], now=None) -> dict[int, tuple[int, int]]:
    """{rule id: (lists it touched, lists served)} over the last day; {} when the cache is unreachable."""
    rule_ids = list(rule_ids)
    last = _hour(now)
    hours = range(last - WINDOW_HOURS + 1, last + 1)
    keys = [cache.merch_served_key(h) for h in hours]
    keys += [cache.merch_touched_key(h, r) for h in hours for r in rule_ids]
    found = cache.get_many(keys)
    if found is None:
        return {}
    served = sum(int(found.get(cache.merch_served_key(h), 0)) for h in hours)
    return {r: (sum(int(found.get(cache.merch_touched_key(h, r), 0)) for h in hours), served) for r in rule_ids}
