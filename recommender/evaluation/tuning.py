"""Weight search on the validation split: a coarse grid over the three weights that matter most, then the two
sources learned from the shop's own log.

`grid_search`: every combination of a few values for co_view, visual and profile (GRID), the others kept; 18
rankings of the validation shoppers. Then, over that best, LEARNED_GRID's values for history ("viewed before, not
bought") and collab (the factor model's neighbours, when one serves): 12 more. Their weights are 0 by default, so a
new shop's blend starts without them; what a shop's own history says they are worth is learned here. Few degrees of freedom, so what it picks carries over to the test split: on the
demo data it picks the shipped defaults (co_view 1.2, visual 0.25, profile 0.8), docs/benchmarks.md. A search over
every weight overfits the validation split there: it is kept as an experiment, benchmarks/weights_ascent.py.

In: a `runner.Prepared` for the validation split (never the test split), the starting weights. Out: (best weights,
their validation NDCG@k, a log of the steps). Ranking is pure and the inputs are gathered once, so each try costs
milliseconds per shopper and no query.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from recommender.evaluation.metrics import ndcg_at_k
from recommender.evaluation.runner import Prepared

def ndcg_by_half(ready: Prepared, weights: Mapping[str, float]) -> tuple[float, float, float]:
    """NDCG@k over all shoppers, over even ids, over odd ids."""
    lists = ready.lists(weights)
    targets = ready.split.targets
    halves: tuple[list[float], list[float]] = ([], [])
    for shopper, relevant in targets.items():
        halves[shopper % 2].append(ndcg_at_k(lists.get(shopper, ()), relevant, ready.k))
    mean = lambda values: sum(values) / len(values) if values else 0.0  # noqa: E731
    return mean(halves[0] + halves[1]), mean(halves[0]), mean(halves[1])


GRID = {"co_view": (0.6, 1.2, 2.0), "visual": (0.25, 0.5, 1.0), "profile": (0.4, 0.8)}
# The others' weights total about 4.4: off, a minor voice, about one other source, dominant.
LEARNED_GRID = {"history": (0.0, 0.5, 2.0, 8.0), "collab": (0.0, 0.5, 2.0)}


def grid_search(ready: Prepared, *, start: Mapping[str, float]) -> tuple[dict[str, float], float, list[str]]:
    """The best of GRID's combinations on validation NDCG, then of LEARNED_GRID's over that best; ties keep the
    earlier (smaller) values."""
    base = {name: float(w) for name, w in start.items()}
    best, best_score, log = _search(ready, base=base, grid={name: GRID[name] for name in GRID if name in base})
    learned, learned_score, more = learned_sources_search(ready, start=best)
    if learned_score > best_score + 1e-9:
        best, best_score = learned, learned_score
    return best, best_score, log + more


def learned_sources_search(ready: Prepared, *, start: Mapping[str, float]
                           ) -> tuple[dict[str, float], float, list[str]]:
    """The best of LEARNED_GRID's history and collab weights over `start` (ties: the earlier)."""
    return _search(ready, base=dict(start), grid=LEARNED_GRID)


def _search(ready: Prepared, *, base: Mapping[str, float], grid: Mapping[str, tuple[float, ...]]
            ) -> tuple[dict[str, float], float, list[str]]:
    best, best_score, log = dict(base), -1.0, []
    names = list(grid)
    for values in itertools.product(*(grid[name] for name in names)):
        trial = {**base, **dict(zip(names, values))}
        score = ndcg_by_half(ready, trial)[0]
        log.append(" ".join(f"{n}={v:g}" for n, v in zip(names, values)) + f": ndcg={score:.4f}")
        if score > best_score + 1e-9:
            best, best_score = trial, score
    return best, best_score, log
