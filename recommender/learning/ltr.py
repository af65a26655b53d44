"""Fit the learning-to-rank model and score rankers on a period: LightGBM lambdarank over `features.FEATURES`.

In: `cuts.Group`s (one shopper's candidates, feature matrix, labels each), a seed. Out: a `lightgbm.Booster`;
`importance(booster)` -> {feature: share of the total gain}, largest first.
`period_score(state, ...)`: NDCG@k, hit rate, coverage (see `evaluation.metrics.summarise`) of one ranker on a
period: a booster (`model`), or blend weights (`weights`).

Hyper-parameters are never chosen on the period a figure is reported for: `ranker_select` tries the few fixed
CHOICES, each fitted on the deeper earlier periods (depth >= 2) and scored on the earliest-but-one (depth 1, the
session just before the later period: the validation period), keeps the best, and refits it on every earlier
period. With only one earlier period it uses PARAMS as they are. Deterministic for a seed: `deterministic`,
`force_row_wise`, seeded bagging.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from recommender.evaluation.metrics import summarise
from recommender.ranking.features import FEATURES

PARAMS = {
    "objective": "lambdarank", "n_estimators": 150, "learning_rate": 0.05, "num_leaves": 15,
    "min_child_samples": 20, "subsample": 0.8, "subsample_freq": 1, "colsample_bytree": 0.8, "reg_lambda": 1.0,
    "lambdarank_truncation_level": 20, "deterministic": True, "force_row_wise": True, "n_jobs": 2, "verbose": -1,
}


# From a near-linear model to a flexible one: small shops' logs support only the first.
CHOICES = (
    {"n_estimators": 60, "num_leaves": 3, "min_child_samples": 100, "learning_rate": 0.1},
    {"n_estimators": 100, "num_leaves": 7, "min_child_samples": 50},
    {},
    {"n_estimators": 300, "num_leaves": 31, "min_child_samples": 10, "learning_rate": 0.03},
)


def group_ndcg(groups: Sequence, scores: Sequence[np.ndarray], *, k: int = 10) -> float:
    """Mean NDCG@k of each group's candidates ordered by the scores (ties by position): validation only."""
    total = 0.0
    for group, score in zip(groups, scores):
        order = np.lexsort((np.arange(len(score)), -np.asarray(score)))[:k]
        gains = group.labels[order]
        dcg = float((gains / np.log2(np.arange(2, len(gains) + 2))).sum())
        ideal = np.sort(group.labels)[::-1][:k]
        total += dcg / float((ideal / np.log2(np.arange(2, len(ideal) + 2))).sum())
    return total / len(groups) if groups else 0.0


def ranker_select(groups: Sequence, *, seed: int = 7, params: Mapping | None = None) -> tuple[object, dict]:
    """(booster fitted on every group, {"params", "validation": [ndcg per choice]}). `params` given: no search."""
    fit_on = [g for g in groups if getattr(g, "depth", 1) >= 2]
    validate_on = [g for g in groups if getattr(g, "depth", 1) == 1]
    if params is not None or not fit_on or not validate_on:
        return ranker_fit(groups, seed=seed, params=params), {"params": dict(params or {}), "validation": []}
    figures = []
    for choice in CHOICES:
        booster = ranker_fit(fit_on, seed=seed, params=choice)
        figures.append(round(group_ndcg(validate_on, [booster.predict(g.matrix) for g in validate_on]), 4))
    best = CHOICES[int(np.argmax(figures))]
    return ranker_fit(groups, seed=seed, params=best), {"params": best, "validation": figures}


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
    lists = period_lists(state, model=model, weights=weights)
    return summarise(lists, state.split.targets, k=k, catalogue_size=catalogue_size)
