"""Fit the learning-to-rank model and score rankers on a period: LightGBM lambdarank over `features.FEATURES`.

In: `cuts.Group`s (one shopper's candidates, feature matrix, labels each), a seed. Out: a `lightgbm.Booster`;
`importance(booster)` -> {feature: share of the total gain}, largest first.
`period_score(state, ...)`: NDCG@k, hit rate, coverage (see `evaluation.metrics.summarise`) of one ranker on a
period: a booster (`model`), or blend weights (`weights`).

Hyper-parameters are fixed up front (PARAMS), never chosen on the period a figure is reported for. Deterministic
for a seed: one thread's worth of ordering (`deterministic`, `force_row_wise`), seeded bagging.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from recommender.ranking.features import FEATURES

PARAMS = {
    "objective": "lambdarank", "n_estimators": 150, "learning_rate": 0.05, "num_leaves": 15,
    "min_child_samples": 20, "subsample": 0.8, "subsample_freq": 1, "colsample_bytree": 0.8, "reg_lambda": 1.0,
    "lambdarank_truncation_level": 20, "deterministic": True, "force_row_wise": True, "n_jobs": 2, "verbose": -1,
}


def ranker_fit(groups: Sequence, *, seed: int = 7, params: Mapping | None = None):
    import lightgbm

    matrix = np.concatenate([g.matrix for g in groups]).astype(np.float32)
    labels = np.concatenate([g.labels for g in groups])
    model = lightgbm.LGBMRanker(**{**PARAMS, **(params or {})}, random_state=seed)
    model.fit(matrix, labels, group=[len(g.labels) for g in groups], feature_name=list(FEATURES))
    return model.booster_


def importance(booster) -> dict[str, float]:
    gains = booster.feature_importance(importance_type="gain")
    total = float(gains.sum()) or 1.0
    pairs = sorted(zip(booster.feature_name(), gains), key=lambda kv: -kv[1])
    return {name: round(float(gain) / total, 4) for name, gain in pairs if gain > 0}


def period_lists(state, *, model=None, weights: Mapping[str, float] | None = None) -> dict[int, list[int]]:
    if model is not None:
        return {u: [r.product_id for r in inputs.ranked_learned(model)] for u, inputs in state.inputs.items()}
    return {u: [r.product_id for r in inputs.ranked(dict(weights))] for u, inputs in state.inputs.items()}


def period_score(state, *, k: int, catalogue_size: int, model=None, weights=None) -> dict[str, float]:
    from recommender.evaluation.metrics import summarise

    lists = period_lists(state, model=model, weights=weights)
    return summarise(lists, state.split.targets, k=k, catalogue_size=catalogue_size)
