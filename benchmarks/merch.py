"""bench merch: what 50 active merchandising rules add to a computed home feed.

Setup (not timed): a scratch database (dropped afterwards) with `products` synthetic products and vectors
(benchmarks.scratch), `events` synthetic interactions (the signals bench's generator) and the behaviour signals
rebuilt; then 50 live rules written through the ORM as staff would keep them, most of them reaching home feeds:
boosts and buries by category, department and price range, exclusions of categories and products, pins on home,
plus complements and product-page pins that home requests must look at and skip.

Measured, for `shoppers` shoppers with history, interleaved so that load on the machine falls on both sides alike:
- ranking: `RecommendInputs.ranking()` on the same fetched inputs (k = 24, what a feed ranks: 12 shown x OVERFETCH)
  without the rules and with them: the pure ranking step, rules read from the warm cache; wall time and this
  thread's CPU time (the step is pure Python on one thread: its CPU time is its cost, whatever else the machine
  runs);
- feed: the whole computed feed, `recommend_inputs(...)` + ranking (every query, HNSW scans included) with no rule
  in the database and with the 50, the rule set read from the cache (as it is after the first request).
Figures are milliseconds per feed: p50 and mean of each, and the difference with minus without.
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

import numpy as np
from django.utils import timezone

from benchmarks.feed import _history
from benchmarks.scratch import catalogue_fill, scratch_database

K = 24
REPEATS = 5  # ranking repeats per shopper and side: the step is a few milliseconds


def _rules(*, first_product: int, first_category: int, products: int) -> int:
    from recommender.models import ComplementPick, MerchandisingRule

    now = timezone.now()
    made = []
    for n in range(12):
        made.append(MerchandisingRule(name=f"boost leaf {n}", kind="boost", factor=1.3 + n / 10,
                                      match_category_id=first_category + n * 7))
    for n, department in enumerate(["women", "men", "unisex"]):
        made.append(MerchandisingRule(name=f"bury {department}", kind="boost", factor=0.7, match_department=department,
                                      match_price_min=10 + n, match_price_max=40 + n))
    for n in range(10):
        made.append(MerchandisingRule(name=f"exclude {n}", kind="exclude",
                                      **({"match_category_id": first_category + 80 + n} if n % 2
                                         else {"match_product_id": first_product + 97 * n})))
    for n in range(12):
        made.append(MerchandisingRule(name=f"home pin {n}", kind="pin", placement="home", position=1 + n % 12,
                                      product_id=first_product + (n * 811) % products, priority=n))
    for n in range(8):
        made.append(MerchandisingRule(name=f"product pin {n}", kind="pin", placement="product", position=1,
                                      product_id=first_product + 13 * n,
                                      anchor_product_id=first_product + 5 * n))
    complements = [MerchandisingRule(name=f"look {n}", kind="complements", rail="bought_together",
                                     anchor_product_id=first_product + 31 * n, fill=2) for n in range(5)]
    made += complements
    for rule in made:
        rule.starts_at = now - timedelta(days=1)
        rule.ends_at = now + timedelta(days=7)
    MerchandisingRule.objects.bulk_create(made)
    for n, rule in enumerate(complements):
        ComplementPick.objects.bulk_create([ComplementPick(rule=rule, product_id=first_product + 40 * n + i, position=i)
                                            for i in range(1, 4)])
    return len(made)


def run(*, products: int, events: int, shoppers: int = 100, seed: int = 5, log) -> dict:
    from recommender.merchandising.selectors import live_rules, rules_version_bump
    from recommender.recommend.service import recommend_inputs
    from django.contrib.auth import get_user_model

    with scratch_database("bench_merch", log=log) as _name:
        filled = catalogue_fill(products=products, raw_index=False, log=log)
        log(f"{events:,} interactions; rebuilding signals")
        users, _guests = _history(first_product=filled["first_product_id"], products=products, events=events,
                                  seed=seed)
        rng = np.random.default_rng(seed)
        picked = sorted(rng.choice(users, size=min(shoppers, len(users)), replace=False).tolist())
        people = get_user_model().objects.in_bulk(picked)
        rules_version_bump()

        def feed(user):
            started = time.perf_counter()
            inputs = recommend_inputs(placement="home", user=user, k=K)
            inputs.ranking()
            return (time.perf_counter() - started) * 1000, inputs

        for user in list(people.values())[:5]:
            feed(user)  # warm-up: connections, the serving encoder, the rules version
        log(f"feeds without rules for {len(people)} shoppers")
        bare = [feed(people[u])[0] for u in picked]
        count = _rules(first_product=filled["first_product_id"], first_category=filled["first_category_id"],
                       products=products)
        rules_version_bump()
        assert len(live_rules()) == count, "the rules are not all live"
        log(f"{count} rules; feeds with them, and the ranking step alone with and without")
        steered, without, with_rules, touched = [], [], [], 0
        cpu_without, cpu_with = [], []
        for u in picked:
            ms, inputs = feed(people[u])
            steered.append(ms)
            for _ in range(REPEATS):
                for steer, wall, cpu in ((False, without, cpu_without), (True, with_rules, cpu_with)):
                    started, started_cpu = time.perf_counter(), time.thread_time()
                    ranking = inputs.ranking(steered=steer)
                    cpu.append((time.thread_time() - started_cpu) * 1000)
                    wall.append((time.perf_counter() - started) * 1000)
            touched += bool(ranking.effects)
        rules_version_bump()  # the cache outlives the scratch database: nothing may be served from its rule set
    return {
        "rules": count, "shoppers": len(picked), "products": products, "events": events, "k": K,
        "ranking_ms": _pair(without, with_rules),
        "ranking_cpu_ms": _pair(cpu_without, cpu_with),
        "feed_ms": _pair(bare, steered),
        "feeds_touched_by_rules": touched,
    }


def _pair(before: list[float], after: list[float]) -> dict:
    p50_before, p50_after = statistics.median(before), statistics.median(after)
    return {"without_p50": round(p50_before, 2), "with_p50": round(p50_after, 2),
            "added_p50": round(p50_after - p50_before, 2),
            "without_mean": round(statistics.fmean(before), 2), "with_mean": round(statistics.fmean(after), 2),
            "added_mean": round(statistics.fmean(after) - statistics.fmean(before), 2)}
