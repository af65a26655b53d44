"""Evaluate every source, the linear blends and the learned ranker on the later period, on the same candidates.

In: k, named blend weight sets, optionally a set of shoppers (a world's), how many earlier periods the ranker is
fitted on, a seed. Out: the runner's dict ({"k", "shoppers", "held_out", "catalogue", "sources": {name: metrics}},
metrics with NDCG@k, hit rate, coverage...) plus "learned" among the sources, "importance" (the ranker's features by
share of gain), "learned_vs_best_single", "learned_vs_blend" and the periods it was fitted and measured on.

Through `evaluation.cuts.periods`: the ranker is fitted only on buying sessions before each shopper's last, with
hyper-parameters chosen on the session before the last (`learning.ltr.ranker_select`); nothing is chosen on the
reported period. Every source and
blend ranks the same inputs (gathered as of each shopper's cut, history and collaborative candidates included).

Blends: the given weight sets (the shop's tuned and default ones)
and `all_sources`: the first weight set with its history and collab weights chosen again
(`tuning.learned_sources_search`) on the validation period (the session just before the later one, the period the ranker's early stopping uses). The
learned ranker is compared with the best of them on the later period.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from recommender.evaluation.cuts import periods
from recommender.evaluation.runner import SINGLE_SOURCES, Prepared
from recommender.evaluation.tuning import learned_sources_search
from recommender.learning.feature_blend import feature_blend_apply, feature_blend_tune
from recommender.learning.ltr import importance, period_score, ranker_select
from shop.catalog.models import Product

LEARNED_SOURCES = {**SINGLE_SOURCES, "history": {"history": 1.0}, "collab": {"collab": 1.0}}


def evaluate_learned(*, k: int = 10, weights: Mapping[str, Mapping[str, float]], user_ids: set[int] | None = None,
                     train_cuts: int = 3, seed: int = 7, max_shoppers: int | None = None,
                     progress: Callable[[str, float], None] | None = None) -> dict:
    catalogue = Product.objects.filter(is_active=True).count()
    with periods(train_cuts=train_cuts, k=k, seed=seed, user_ids=user_ids, max_shoppers=max_shoppers,
                 progress=progress) as found:
        result = learned_figures(test=found.test, validation=found.validation, earlier=found.earlier, k=k,
                                 weights=weights, catalogue=catalogue, seed=seed)
        result.update(train_periods=found.train_periods, train_shoppers=found.train_shoppers)
    return result


def learned_figures(*, test, validation, earlier, k: int, weights: Mapping[str, Mapping[str, float]], catalogue: int,
                    seed: int = 7) -> dict:
    """The figures of `evaluate_learned` from periods already gathered (plain data: no query). The ranker is trained
    as `learning.training` trains it: its blend feature tuned on the validation period (`learning.feature_blend`),
    starting from the first weight set."""
    score = lambda **how: period_score(test, k=k, catalogue_size=catalogue, **how)  # noqa: E731
    sources = {name: score(weights=w) for name, w in LEARNED_SOURCES.items()}
    blends = {label: score(weights=w) for label, w in weights.items()}
    used = {label: dict(w) for label, w in weights.items()}
    if validation is not None and validation.inputs:
        ready = Prepared(split=validation.split, inputs=validation.inputs, catalogue_size=catalogue, k=k)
        used["all_sources"], _, _ = learned_sources_search(ready, start=next(iter(weights.values())))
        blends["all_sources"] = score(weights=used["all_sources"])
    feature_blend = feature_blend_tune(validation, start=next(iter(weights.values())), catalogue=catalogue, k=k)
    train = feature_blend_apply(test=test, earlier=earlier, weights=feature_blend)
    booster, selection = ranker_select(train, seed=seed) if train else (None, {})
    learned = score(model=booster) if booster is not None else None
    result = {"k": k, "split": "test", "shoppers": len(test.split.cuts), "held_out": test.split.held_out_pairs,
              "catalogue": catalogue, "period": test.period, "train_groups": len(train), "weights": used,
              "feature_blend": feature_blend}
    first = next(iter(weights))
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
