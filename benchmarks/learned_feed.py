"""Computed home feed with a learned ranker serving: latency per request, and where the time goes.

Run: .venv/bin/python manage.py shell -c "from benchmarks.learned_feed import run; print(run())"
In: how many shoppers (the demo world's, demo_data), k, an optional LightGBM model file (else a ranker fitted on
random groups with `trees` trees of 15 leaves: predict costs the same whatever it learned), `profile` (a cProfile
top-35 by cumulative time goes to stderr). Out: {"shoppers", "p50_ms", "p95_ms", "max_ms", "cpu_p50_ms", "cpu_p95_ms",
"queries_per_feed"}: wall time, and this process's CPU time per feed (the database server's is not in it), which
on shared cores says what the code costs when the wall time mostly says how busy the neighbours are.

Each request is `recommend_inputs(placement=home, user=..., k=k)` then `.ranked()` with the serving models given by
`models_override` (factors fitted on the whole log here, not timed), no feed cache: what a shopper outside the
precomputed batch waits for, less the HTTP layer. Shoppers are asked in id order after WARM_UP unmeasured ones.
"""

from __future__ import annotations

import time

import numpy as np

WARM_UP = 5


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


def run(*, shoppers: int = 60, k: int = 12, model_file: str | None = None, trees: int = 150,
        profile: bool = False, seed: int = 7) -> dict:
    import cProfile
    import pstats
    import sys

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from recommender.collaborative.data import factors_fit_on_log
    from recommender.recommend.ranker import Served, booster_from_text, models_override
    from recommender.recommend.service import recommend_inputs

    factors = factors_fit_on_log(seed=seed)
    ranker = booster_from_text(open(model_file).read()) if model_file else _random_ranker(trees, seed)
    users = list(get_user_model().objects.filter(username__startswith="demo-shopper-").order_by("pk")
                 [:shoppers + WARM_UP])
    times, cpus, queries = [], [], []
    profiler = cProfile.Profile() if profile else None
    with models_override(Served(version_id=None, factors=factors, ranker=ranker)):
        for n, user in enumerate(users):
            with CaptureQueriesContext(connection) as captured:
                if profiler and n >= WARM_UP:
                    profiler.enable()
                started, cpu = time.perf_counter(), time.process_time()
                recommend_inputs(placement="home", user=user, k=k).ranked()
                elapsed, used = time.perf_counter() - started, time.process_time() - cpu
                if profiler and n >= WARM_UP:
                    profiler.disable()
            if n >= WARM_UP:
                times.append(elapsed * 1000)
                cpus.append(used * 1000)
                queries.append(len(captured.captured_queries))
    if profiler:
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(35)
    return {"shoppers": len(times), "p50_ms": round(float(np.percentile(times, 50)), 1),
            "p95_ms": round(float(np.percentile(times, 95)), 1), "max_ms": round(float(max(times)), 1),
            "cpu_p50_ms": round(float(np.percentile(cpus, 50)), 1), "cpu_p95_ms": round(float(np.percentile(cpus, 95)), 1),
            "queries_per_feed": round(float(np.mean(queries)), 1)}
