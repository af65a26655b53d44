"""Computed home feed with a learned ranker serving: latency per request, and where the time goes.

Run: .venv/bin/python manage.py shell -c "from benchmarks.learned_feed import run; print(run())"
In: how many shoppers (the demo world's, demo_data), k, an optional LightGBM model file (else a ranker fitted on
random groups with `trees` trees of 15 leaves: predict costs the same whatever it learned), `rounds`, `profile` (a
cProfile top-35 by cumulative time goes to stderr). Out: {"shoppers", "feeds", "p50_ms", "p95_ms", "max_ms",
"cpu_p50_ms", "cpu_p95_ms", "queries_per_feed", "unfrozen_p50_ms", "unfrozen_p95_ms", "unfrozen_max_ms"}: wall
time, and this process's CPU time per feed (the database server's is not in it), which on shared cores says what
the code costs when the wall time mostly says how busy the neighbours are.

Each request is `recommend_inputs(placement=home, user=..., k=k)` then `.ranked()` with the serving models given by
`models_override` (factors fitted on the whole log here, not timed), no feed cache: what a shopper outside the
precomputed batch waits for, less the HTTP layer. One unmeasured pass over the shoppers first (the neighbour caches
a serving shop has warm), then `rounds` pairs of passes, side by side in this process and in alternating order:
one as the web process serves (`shop.core.startup_gc.startup_objects_freeze()` done, as `shop.wsgi` does: the
main figures) and one with the start-up objects unfrozen (`gc.unfreeze()`; the `unfrozen_` figures).
"""

from __future__ import annotations

import time

import numpy as np



def _random_ranker(trees: int, seed: int):
    from recommender.learning.ltr import ranker_fit
    from recommender.ranking.features import FEATURES

    rng = np.random.default_rng(seed)

    class G:
        def __init__(self):
            self.matrix = rng.random((200, len(FEATURES)), dtype=np.float32)
            self.labels = (self.matrix[:, 0] + rng.random(200) > 1.8).astype(np.float32)
            self.depth = 1

    return ranker_fit([G() for _ in range(300)], seed=seed, params={"n_estimators": trees})


def run(*, shoppers: int = 60, k: int = 12, model_file: str | None = None, trees: int = 150, rounds: int = 2,
        profile: bool = False, seed: int = 7) -> dict:
    import cProfile
    import gc
    import pstats
    import sys

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from recommender.collaborative.data import factors_fit_on_log
    from recommender.recommend.ranker import Served, booster_from_text, models_override
    from recommender.recommend.service import recommend_inputs
    from shop.core.startup_gc import startup_objects_freeze

    factors = factors_fit_on_log(seed=seed)
    ranker = booster_from_text(open(model_file).read()) if model_file else _random_ranker(trees, seed)
    users = list(get_user_model().objects.filter(username__startswith="demo-shopper-").order_by("pk")[:shoppers])
    measured: dict[bool, dict[str, list[float]]] = {frozen: {"wall": [], "cpu": [], "queries": []}
                                                    for frozen in (True, False)}
    profiler = cProfile.Profile() if profile else None

    def one_pass(record: dict | None) -> None:
        for user in users:
            with CaptureQueriesContext(connection) as captured:
                if profiler and record is not None:
                    profiler.enable()
                started, cpu = time.perf_counter(), time.process_time()
                recommend_inputs(placement="home", user=user, k=k).ranked()
                elapsed, used = time.perf_counter() - started, time.process_time() - cpu
                if profiler and record is not None:
                    profiler.disable()
            if record is not None:
                record["wall"].append(elapsed * 1000)
                record["cpu"].append(used * 1000)
                record["queries"].append(len(captured.captured_queries))

    with models_override(Served(version_id=None, factors=factors, ranker=ranker)):
        one_pass(None)
        for round_ in range(rounds):
            for frozen in ((True, False) if round_ % 2 == 0 else (False, True)):
                if frozen:
                    startup_objects_freeze()
                one_pass(measured[frozen])
                gc.unfreeze()
    if profiler:
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(35)
    served, unfrozen = measured[True], measured[False]
    return {"shoppers": len(users), "feeds": len(served["wall"]), **_percentiles(served["wall"], ""),
            "cpu_p50_ms": round(float(np.percentile(served["cpu"], 50)), 1),
            "cpu_p95_ms": round(float(np.percentile(served["cpu"], 95)), 1),
            "queries_per_feed": round(float(np.mean(served["queries"])), 1),
            **_percentiles(unfrozen["wall"], "unfrozen_")}


def _percentiles(values: list[float], prefix: str) -> dict:
    return {f"{prefix}p50_ms": round(float(np.percentile(values, 50)), 1),
            f"{prefix}p95_ms": round(float(np.percentile(values, 95)), 1),
            f"{prefix}max_ms": round(float(max(values)), 1)}
