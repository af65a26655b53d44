"""Experiment, not served: coordinate ascent over every blend weight on the validation split.

Run: .venv/bin/python manage.py shell -c "from benchmarks.weights_ascent import run; print(run())"
In: the shop's own interactions in the database the command runs against (the demo data for the figures in
docs/benchmarks.md), a seed, a number of rounds. Out: {"weights", "validation_ndcg", "start_ndcg", "test"}: the
weights the ascent picks on the validation split, and the test split's NDCG@k for them beside the configured ones.
Nothing is stored. The shop tunes with `tune_weights` (a coarse grid over three weights), which carries over to the
test split; this search over every weight overfits the validation split on the demo data (docs/benchmarks.md).

Each step tries every weight of one source at a few multiples of its value (and 0, and a floor for a switched-off
source), keeps the best, and moves on; sources are visited in a seeded random order; a round that improves nothing
ends the search. A move is kept only when it raises the metric by MIN_GAIN (relative) over all validation shoppers
and does not lower it on either half of them (shoppers split by id parity).
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from recommender.conf import recommender_setting
from recommender.evaluation.runner import Prepared, evaluate, prepared
from recommender.evaluation.tuning import ndcg_by_half

MULTIPLIERS = (0.0, 0.25, 0.5, 2.0, 4.0)
FLOOR = 0.1  # the value a switched-off source is tried at
MIN_GAIN = 0.02  # a move must improve the metric by 2 % of its value


def weights_search(ready: Prepared, *, start: Mapping[str, float], seed: int = 7, rounds: int = 3
                   ) -> tuple[dict[str, float], float, list[str]]:
    rng = random.Random(seed)
    best = {name: float(w) for name, w in start.items()}
    best_score, *best_halves = ndcg_by_half(ready, best)
    log = [f"start ndcg={best_score:.4f}"]
    for round_number in range(1, rounds + 1):
        improved = False
        names = sorted(best)
        rng.shuffle(names)
        for name in names:
            current = best[name]
            tries = {round(current * m, 4) for m in MULTIPLIERS} | ({FLOOR, 1.0} if current == 0 else set())
            for value in sorted(tries - {current}):
                trial = {**best, name: value}
                if sum(trial.values()) <= 0:
                    continue
                score, *halves = ndcg_by_half(ready, trial)
                steady = all(h >= b for h, b in zip(halves, best_halves))
                if score > best_score * (1 + MIN_GAIN) and steady:
                    best, best_score, best_halves, improved = trial, score, halves, True
                    log.append(f"round {round_number}: {name} {current:g} -> {value:g}: ndcg={score:.4f}")
                    current = value
        if not improved:
            break
    return best, best_score, log


def run(*, k: int = 10, seed: int = 7, rounds: int = 3) -> dict:
    default = dict(recommender_setting("WEIGHTS"))
    with prepared(k=k, split="validation") as ready:
        start_score = ready.score(default, diversity=False)["ndcg"]
        best, best_score, log = weights_search(ready, start=default, seed=seed, rounds=rounds)
    test = evaluate(k=k, weights={"ascent": best, "default": default})
    return {"weights": best, "start_ndcg": round(start_score, 4), "validation_ndcg": round(best_score, 4),
            "test": {label: test["sources"][f"hybrid_{label}"]["ndcg"] for label in ("ascent", "default")},
            "log": log}
