"""A shopper's ranked recommendations, computed once and served from the cache until they do something.

In: the same arguments as `recommend.service.recommend_inputs` for a caller (user and/or guest session key; neither:
a first-time visitor, who shares one cached feed with every other), no explicit profile. Out: `ranking.Ranked`
items, best first, at most k.

Ranking a feed costs ~20 queries and two or more HNSW scans; most requests for one shopper ask the
same question again (a reload, the API polled, the next page view before they did anything new).
The cache key holds the shopper's *version*, a counter bumped whenever an interaction is recorded
for them, a like is taken back, a guest's history joins an account or their profile sizes change
(recommender.interactions.versions): the next request after any
of those recomputes. A cached feed also carries the merchandising rules' version it was ranked under
(recommender.merchandising.selectors): one ranked under other rules is recomputed, so a rule saved in admin or the
API reaches every cached or precomputed feed on its next request. Signals rebuilt, a new encoder or weights saved
in admin reach cached feeds within FEED_CACHE_SECONDS.

Computing a feed on the request costs 100-300 ms; so with FEED_PRECOMPUTE each bump also queues
`refresh_feed_task` (recommender.receivers listens to the bump), and a worker computes the home feed for the new version right away: the
shopper's next page usually finds it ready. A task whose version is no longer current does nothing
(the shopper acted again; the later task covers it).

Stock moves faster than that, so a hit is re-checked in one query: an item that went inactive or
out of stock in every size the shopper wants (the rule of `ranking.filters.wanted_sizes`) is
dropped, and the cache holds 2k items so the next ones fill in. With the cache down (Redis
stopped) every request computes, exactly as without a cache.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.db import connection
from django.dispatch import Signal

from recommender import cache
from recommender.conf import recommender_setting
from recommender.experiments.selectors import arm_for
from recommender.experiments.serving import arm_apply, arm_sources, arm_weights, fell_back
from recommender.merchandising.effects import lists_served, rules_touched
from recommender.merchandising.selectors import rules_version
from recommender.interactions.versions import ANYONE, shopper_id, shopper_version
from recommender.ranking import Placement, Ranked, Source
from recommender.recommend.service import recommend_inputs
from shop.catalog.models import Product, Variant

logger = logging.getLogger(__name__)

OVERFETCH = 2  # items cached per item asked for: room to drop what sold out since

# Sent with `product_ids` (the feed's items, best first) after a feed was computed ahead of a request.
feed_cached = Signal()


def feed_refresh_claim(who: str, *, seconds: int) -> bool:
    """True when no refresh of `who`'s feed is queued yet (and marks one queued for `seconds`)."""
    return bool(cache.strict.add(cache.feed_refresh_queued_key(who), 1, timeout=seconds))


def feed_refresh_latest(*, who: str) -> str:
    """The queued refresh: from here on the shopper's next action queues another, and this one ranks for
    their version as it is now. Returns what `feed_refresh` returns."""
    version = shopper_version(who) if cache.delete(cache.feed_refresh_queued_key(who)) else cache.UNAVAILABLE
    if version is cache.UNAVAILABLE:
        logger.warning("feed cache unavailable: feed for %s not precomputed", who)
        return "stale"
    return feed_refresh(who=who, version=version)


def feed_refresh(*, who: str, version: int, cache_seconds: int | None = None) -> str:
    """Compute and cache `who`'s home feed, unless they have acted again since `version` (a later task does it).
    The feed is kept `cache_seconds` (FEED_CACHE_SECONDS when None), and the product cards it shows are made.

    Returns what happened: "stale", "gone" (no such user any more) or "cached"."""
    current = shopper_version(who)
    if current is cache.UNAVAILABLE:
        logger.warning("feed cache unavailable: feed for %s not precomputed", who)
        return "stale"
    if current != version:
        return "stale"
    user, session_key = None, None
    if who.startswith("u"):
        user = get_user_model().objects.filter(pk=int(who[1:]), is_active=True).first()
        if user is None:
            return "gone"
    else:
        session_key = who[1:]
    ranked, _ = recommend_with_stock(placement="home", user=user, session_key=session_key,
                                     k=int(recommender_setting("FEED_PRECOMPUTE_K")), cache_seconds=cache_seconds,
                                     recompute=True)
    # The product cards it shows are made now (recommender.api.cards listens): the shopper's request then only
    # assembles them.
    feed_cached.send(sender=None, product_ids=[item.product_id for item in ranked])
    return "cached"


def recommend_with_stock(
    *, placement: str, user=None, session_key: str | None = None, anchor_ids: Sequence[int] = (), k: int = 12,
    cache_seconds: int | None = None, recompute: bool = False, beside_history: bool = False,
) -> tuple[list[Ranked], dict[int, frozenset[str]]]:
    """The feed and, for each item, its sizes in stock as this request saw them (for its product cards).

    A home feed is ranked with Request.history_beside: k items new to the shopper, the viewed-before items among
    them beside. Its first k are the list for k (what the API answers); `beside_history` answers up to the k-th
    new item instead, with the viewed-before items before it (the home page's two rails).

    A computed feed is cached `cache_seconds` (FEED_CACHE_SECONDS when None); `recompute` ignores a cached one
    (a precomputation replacing a feed ranked on older signals)."""
    user_id = user.pk if user is not None and getattr(user, "pk", None) is not None else None
    # A visitor with no account and no session yet (a first visit, a crawler) has no history: every one of them
    # gets the same feed for the same question, so they share one, kept FEED_CACHE_SECONDS (nothing bumps it).
    who = shopper_id(user_id=user_id, session_key=session_key) or ANYONE
    # A shopper in an experiment gets their arm's feed, cached apart from the default's (recommender.experiments).
    arm = arm_for(who) if who != ANYONE else None
    if arm is not None and arm.shows_nothing:
        return [], {}
    version = shopper_version(who)
    key, cached = None, None  # the cache down: computed, and not stored
    # A feed ranked under other staff rules is stale: a rule saved in admin or the API reaches it on its next request.
    rules = rules_version()
    if version is not cache.UNAVAILABLE:
        key = cache.feed_key(placement=placement, who=who, version=version, anchors=anchor_ids) + (
            f":{arm.key}" if arm is not None else "")
        cached = cache.get(key)
        if cached is not None and cached.get("rules") != rules:
            cached = None
    # A feed ranked for a longer list serves a shorter one: ranking and MMR are greedy, so the first k of a
    # longer list are the list for k.
    if cached is not None and not recompute and cached.get("asked", 0) >= k * OVERFETCH:
        fresh, stock = _still_fitting(cached["items"], sizes=cached["sizes"])
        if len(fresh) >= min(k, cached["complete"]):
            if not recompute:
                lists_served([rules_touched(_first(fresh, k, beside_history=beside_history),
                                            excluding=cached.get("excluding", ()))])
            return _first(fresh, k, beside_history=beside_history), stock
    def ranking_for(arm):
        inputs = recommend_inputs(placement=placement, user=user, session_key=session_key, anchor_ids=anchor_ids,
                                  k=k * OVERFETCH, sources=arm_sources(arm),
                                  history_beside=Placement(placement) == Placement.HOME)
        return inputs, inputs.ranking(arm_weights(arm))

    inputs, ranking = arm_apply(arm, ranking_for)
    ranked = ranking.items
    excluding = sorted({e.rule_id for e in ranking.effects if e.applied and e.what == "excluded"})
    if key is not None and not fell_back():  # the default served in an arm's place is not kept under its key
        items = [
            (r.product_id, r.score, r.reason, r.source.value if r.source is not None else None, r.anchor_id,
             inputs.facts[r.product_id].size_type if r.product_id in inputs.facts else None, r.rule_ids, r.picked)
            for r in ranked
        ]
        sizes = {kind: sorted(values) for kind, values in inputs.shopper.sizes.items()}
        timeout = cache_seconds if cache_seconds is not None else recommender_setting("FEED_CACHE_SECONDS")
        cache.set(key, {"items": items, "sizes": sizes, "complete": len(items), "asked": k * OVERFETCH,
                        "excluding": excluding, "rules": rules}, timeout=int(timeout))
    shown = _first(ranked, k, beside_history=beside_history)
    if not recompute:
        lists_served([rules_touched(shown, excluding=excluding)])
    stock = {pid: fact.sizes_in_stock for pid, fact in inputs.facts.items()}
    return shown, stock


def _first(items: list[Ranked], k: int, *, beside_history: bool) -> list[Ranked]:
    """The first k items; `beside_history`: up to the k-th one not `viewed_before`."""
    if not beside_history:
        return items[:k]
    counted = 0
    for end, item in enumerate(items, start=1):
        counted += not item.viewed_before
        if counted == k:
            return items[:end]
    return list(items)


def _still_fitting(items: list[tuple], *, sizes: dict[str, list[str]]
                   ) -> tuple[list[Ranked], dict[int, frozenset[str]]]:
    """The cached items still active and in stock in a size the shopper wants: one query."""
    in_stock: dict[int, set[str]] = defaultdict(set)
    # Plain SQL: on a cache hit this is the only query, and building it through the ORM cost more than running it.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT v.product_id, v.size FROM {Variant._meta.db_table} v JOIN {Product._meta.db_table} p "
            "ON p.id = v.product_id WHERE v.product_id = ANY(%s) AND v.stock > 0 AND p.is_active",
            [[item[0] for item in items]],
        )
        for product_id, size in cursor.fetchall():
            in_stock[product_id].add(size)
    kept = []
    for product_id, score, reason, source, anchor_id, size_type, rule_ids, picked in items:
        if product_id not in in_stock:
            continue
        wanted = set(sizes.get(size_type, ())) if size_type is not None else set()
        if wanted and not wanted & in_stock[product_id]:
            continue
        kept.append(Ranked(product_id, score, reason, Source(source) if source is not None else None, anchor_id,
                           tuple(rule_ids), picked))
    return kept, {pid: frozenset(found) for pid, found in in_stock.items()}
