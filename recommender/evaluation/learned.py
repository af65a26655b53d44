"""Evaluate every source, the linear blends and the learned ranker on the later period, on the same candidates.

In: k, named blend weight sets, optionally a set of shoppers (a world's), how many earlier periods the ranker is
fitted on, a seed. Out: the runner's dict ({"k", "shoppers", "held_out", "catalogue", "sources": {name: metrics}},
metrics with NDCG@k, hit rate, coverage...) plus "learned" among the sources, "importance" (the ranker's features by
share of gain), "learned_vs_best_single", "learned_vs_blend" and the periods it was fitted and measured on.

Through `evaluation.cuts.periods`: the ranker is fitted only on buying sessions before each shopper's last, with
hyper-parameters chosen on the session before the last (`learning.ltr.ranker_select`); nothing is chosen on the
reported period. Every source and
blend ranks the same inputs (gathered as of each shopper's cut, history and collaborative candidates included).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from recommender.evaluation.cuts import periods
from recommender.evaluation.runner import SINGLE_SOURCES
from recommender.learning.ltr import importance, period_score, ranker_select
from shop.catalog.models import Product

LEARNED_SOURCES = {**SINGLE_SOURCES, "history": {"history": 1.0}, "collab": {"collab": 1.0}}


def evaluate_learned(*, k: int = 10, weights: Mapping[str, Mapping[str, float]], user_ids: set[int] | None = None,
                     train_cuts: int = 3, seed: int = 7, max_shoppers: int | None = None,
                     progress: Callable[[str, float], None] | None = None) -> dict:
    catalogue = Product.objects.filter(is_active=True).count()
    with periods(train_cuts=train_cuts, k=k, seed=seed, user_ids=user_ids, max_shoppers=max_shoppers,
                 progress=progress) as found:
        state = found.test
        score = lambda **how: period_score(state, k=k, catalogue_size=catalogue, **how)  # noqa: E731
        sources = {name: score(weights=w) for name, w in LEARNED_SOURCES.items()}
        blends = {label: score(weights=w) for label, w in weights.items()}
        booster, selection = ranker_select(found.train, seed=seed) if found.train else (None, {})
        learned = score(model=booster) if booster is not None else None
        result = {"k": k, "split": "test", "shoppers": len(state.split.cuts), "held_out": state.split.held_out_pairs,
                  "catalogue": catalogue, "period": state.period, "train_periods": found.train_periods,
                  "train_groups": len(found.train), "train_shoppers": found.train_shoppers,
                  "weights": {label: dict(w) for label, w in weights.items()}}
    first = next(iter(blends))
    result["sources"] = {**sources, "hybrid": blends[first],
                         **{f"hybrid_{label}": m for label, m in blends.items()}}
    best_single = max(m["ndcg"] for m in sources.values())
    best_blend = max(m["ndcg"] for m in blends.values())
    result["hybrid_vs_best_single"] = round(blends[first]["ndcg"] / best_single, 3) if best_single else None
    if learned is not None:
        result["sources"]["learned"] = learned
        result["importance"] = importance(booster)
        result["selection"] = selection
        result["learned_vs_best_single"] = round(learned["ndcg"] / best_single, 3) if best_single else None
        result["learned_vs_blend"] = round(learned["ndcg"] / best_blend, 3) if best_blend else None
    return result
