"""Weight search on the validation split: seeded coordinate ascent over the blend's weights.

In: a `runner.Prepared` for the validation split (never the test split), the starting weights, a seed.
Out: (best weights, their validation NDCG@k, a log of the steps). Each step tries every weight of one source at a
few multiples of its value (and 0, and a floor for a switched-off source), keeps the best, and moves on; sources are
visited in a seeded random order; a round that improves nothing ends the search. Ranking is pure and the inputs are
gathered once, so each try costs milliseconds per shopper and no query.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from recommender.evaluation.runner import Prepared

MULTIPLIERS = (0.0, 0.25, 0.5, 2.0, 4.0)
FLOOR = 0.1  # the value a switched-off source is tried at


def weights_search(ready: Prepared, *, start: Mapping[str, float], seed: int = 7, rounds: int = 3,
                   metric: str = "ndcg") -> tuple[dict[str, float], float, list[str]]:
    rng = random.Random(seed)
    best = {name: float(w) for name, w in start.items()}
    best_score = ready.score(best, diversity=False)[metric]
    log = [f"start {metric}={best_score:.4f}"]
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
                score = ready.score(trial, diversity=False)[metric]
                if score > best_score + 1e-4:
                    best, best_score, improved = trial, score, True
                    log.append(f"round {round_number}: {name} {current:g} -> {value:g}: {metric}={score:.4f}")
                    current = value
        if not improved:
            break
    return best, best_score, log
