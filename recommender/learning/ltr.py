"""Fit the learning-to-rank model and score rankers on a period: LightGBM lambdarank over `features.FEATURES`.

In: `cuts.Group`s (one shopper's candidates, feature matrix, labels each), a seed. Out: a `lightgbm.Booster`;
`importance(booster)` -> {feature: share of the total gain}, largest first.
`period_score(state, ...)`: NDCG@k, hit rate, coverage (see `evaluation.metrics.summarise`) of one ranker on a
period: a booster (`model`), or blend weights (`weights`).

Hyper-parameters are never chosen on the period a figure is reported for. `ranker_select` fits each of the few
fixed CHOICES on the deeper earlier periods (depth >= 2) with early stopping on the earliest-but-one (depth 1, the
session just before the later period: the validation period, NDCG@10 of LightGBM's own), keeps the choice and the
number of trees that did best there, and refits that on every earlier period. With no validation period it uses
PARAMS with DEFAULT_TREES.

Training rows: every positive of a group, its NEGATIVES_HARD best other candidates by the linear blend's score
(the ones a ranker must learn to put below the positive) and NEGATIVES_RANDOM others drawn with the seed; the
validation period keeps its whole pools, so early stopping sees what serving sees. Deterministic for a seed:
`deterministic`, `force_row_wise`, seeded bagging and sampling.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from recommender.evaluation.metrics import summarise
from recommender.ranking.features import FEATURES

PARAMS = {
    "objective": "lambdarank", "n_estimators": 400, "learning_rate": 0.05, "num_leaves": 15,
    "min_child_samples": 20, "subsample": 0.8, "subsample_freq": 1, "colsample_bytree": 0.8, "reg_lambda": 1.0,
    "lambdarank_truncation_level": 20, "deterministic": True, "force_row_wise": True, "n_jobs": 2, "verbose": -1,
}
DEFAULT_TREES = 150  # without a validation period to stop on
MAX_BIN = 63  # histogram bins per feature: a quarter of the work per split of LightGBM's 255, for scores and ranks
EARLY_STOPPING_ROUNDS = 40
NEGATIVES_HARD = 60
NEGATIVES_RANDOM = 60

# From a near-linear model to a flexible one: small shops' logs support only the first.
CHOICES = (
    {"num_leaves": 3, "min_child_samples": 100, "learning_rate": 0.1},
    {"num_leaves": 7, "min_child_samples": 50},
    {"num_leaves": 15, "min_child_samples": 20},
)


@dataclass
class _Rows:
    matrix: np.ndarray
    labels: np.ndarray
    depth: int = 1


def negatives_sample(groups: Sequence, *, seed: int = 7, hard: int = NEGATIVES_HARD,
                     random: int = NEGATIVES_RANDOM) -> list[_Rows]:
    """Each group's positives, its `hard` best negatives by the blend's score and `random` others (seeded)."""
    rng = np.random.default_rng(seed)
    column = FEATURES.index("blend_score")
    sampled = []
    for group in groups:
        labels = np.asarray(group.labels)
        negatives = np.flatnonzero(labels <= 0)
        if len(negatives) <= hard + random:
            sampled.append(_Rows(group.matrix, labels, getattr(group, "depth", 1)))
            continue
        by_blend = negatives[np.lexsort((negatives, -group.matrix[negatives, column]))]
        rest = by_blend[hard:]
        keep = np.concatenate([np.flatnonzero(labels > 0), by_blend[:hard],
                               rng.choice(rest, size=random, replace=False)])
        keep.sort()
        sampled.append(_Rows(group.matrix[keep], labels[keep], getattr(group, "depth", 1)))
    return sampled


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


def _dataset(groups: Sequence, *, reference=None):
    import lightgbm

    return lightgbm.Dataset(np.concatenate([g.matrix for g in groups]).astype(np.float32),
                            np.concatenate([g.labels for g in groups]), group=[len(g.labels) for g in groups],
                            feature_name=list(FEATURES), reference=reference, free_raw_data=False,
                            params={"verbose": -1, "feature_pre_filter": False, "max_bin": MAX_BIN})


def ranker_select(groups: Sequence, *, seed: int = 7, params: Mapping | None = None) -> tuple[object, dict]:
    """(booster fitted on every group, {"params", "validation": [ndcg per choice]}). `params` given: no search,
    those parameters as they are. The deeper periods' and the validation period's rows are binned once for all
    the choices."""
    sampled = negatives_sample(groups, seed=seed)
    fit_on = [g for g in sampled if g.depth >= 2]
    validate_on = [g for g in groups if getattr(g, "depth", 1) == 1]
    if params is not None or not fit_on or not validate_on:
        chosen = dict(params) if params is not None else {"n_estimators": DEFAULT_TREES}
        return ranker_fit(sampled, seed=seed, params=chosen), {"params": chosen, "validation": []}
    train = _dataset(fit_on)
    validation = _dataset(validate_on, reference=train)
    figures, trees = [], []
    for choice in CHOICES:
        booster = _train(train, seed=seed, params=choice, validation=validation)
        figures.append(round(float(booster.best_score["validation"]["ndcg@10"]), 4))
        trees.append(max(int(booster.best_iteration or booster.current_iteration()), 1))
    best = int(np.argmax(figures))
    chosen = {**CHOICES[best], "n_estimators": trees[best]}
    return ranker_fit(sampled, seed=seed, params=chosen), {"params": chosen, "validation": figures}


def _train(train, *, seed: int, params: Mapping | None, validation=None):
    import lightgbm

    settings = {**PARAMS, **(params or {}), "random_state": seed}
    rounds = int(settings.pop("n_estimators"))
    extra = {}
    if validation is not None:
        settings.update(metric="ndcg", eval_at=[10])
        extra = {"valid_sets": [validation], "valid_names": ["validation"],
                 "callbacks": [lightgbm.early_stopping(EARLY_STOPPING_ROUNDS, verbose=False)]}
    return lightgbm.train(settings, train, num_boost_round=rounds, **extra)


def ranker_fit(groups: Sequence, *, seed: int = 7, params: Mapping | None = None):
    """A booster on the groups' rows (LightGBM's own API: its sklearn wrapper rebuilds the binned data per fit)."""
    return _train(_dataset(groups), seed=seed, params=params)


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
