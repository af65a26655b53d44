"""Fit the learned ranker and score rankers on a period: LightGBM lambdarank or a linear ranker over `FEATURES`.

In: `cuts.Group`s (one shopper's candidates, feature matrix, labels each), a seed. Out: a model with
`predict(matrix)` (a `lightgbm.Booster` or a `ranking.linear.LinearRanker`) and how it was chosen;
`importance(model)` -> {feature: share of the total gain, or of |weight|}, largest first.
`period_score(state, ...)`: NDCG@k, hit rate, coverage (see `evaluation.metrics.summarise`) of one ranker on a
period: a model (`model`), or blend weights (`weights`).

Hyper-parameters and the model family are never chosen on the period a figure is reported for: see
`ranker_select` (fit on the deepest earlier periods, tune on the next, compare on the session just before the later
period). With a single earlier period it uses PARAMS with DEFAULT_TREES.

LightGBM's training rows: every positive of a group, its NEGATIVES_HARD best other candidates by the linear blend's
score (the ones a ranker must learn to put below the positive) and NEGATIVES_RANDOM others drawn with the seed; the
tuning and comparing periods keep their whole pools, so they see what serving sees. Deterministic for a seed:
`deterministic`, `force_row_wise`, seeded bagging and sampling; the linear fit samples with the seed too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from recommender.evaluation.metrics import summarise
from recommender.learning.linear_fit import linear_fit
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
LINEAR_PENALTIES = (0.01, 0.1, 1.0)  # L2 on standardised columns: from a free fit to a strongly shrunk one

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
    """(model fitted on every group, how it was chosen). `params` given: LightGBM with those parameters, no search.

    Candidates: each of CHOICES (LightGBM, its trees by early stopping) and a linear ranker per LINEAR_PENALTIES.
    With three earlier periods or more, each candidate is fitted on the deepest ones (depth >= 3), tuned (trees,
    penalty) on depth 2, and the families are compared on depth 1, which neither fitting nor tuning saw: early
    stopping's best score is the best of hundreds of looks at its own period, too hopeful to compare with anything.
    With two, depth 1 both tunes and compares. The winner is refitted on every group. Never the later period."""
    sampled = negatives_sample(groups, seed=seed)
    layout = _layout(groups)
    if params is not None or layout is None:
        chosen = dict(params) if params is not None else {"n_estimators": DEFAULT_TREES}
        return ranker_fit(sampled, seed=seed, params=chosen), {"family": "lightgbm", "params": chosen,
                                                               "validation": []}
    fit_depth, tune_depth = layout
    fit_on = [g for g in sampled if g.depth >= fit_depth]
    fit_full = [g for g in groups if getattr(g, "depth", 1) >= fit_depth]
    tune_on = [g for g in groups if getattr(g, "depth", 1) == tune_depth]
    choose_on = [g for g in groups if getattr(g, "depth", 1) == 1]
    train = _dataset(fit_on)
    tune = _dataset(tune_on, reference=train)
    tried = []
    for choice in CHOICES:
        booster = _train(train, seed=seed, params=choice, validation=tune)
        trees = max(int(booster.best_iteration or booster.current_iteration()), 1)
        tried.append({"family": "lightgbm", "params": {**choice, "n_estimators": trees},
                      "ndcg": round(group_ndcg(choose_on, [booster.predict(g.matrix, num_iteration=trees)
                                                           for g in choose_on]), 4)})
    linear = [(penalty, linear_fit(fit_full, regularisation=penalty, seed=seed)) for penalty in LINEAR_PENALTIES]
    penalty, model = max(linear, key=lambda pm: (group_ndcg(tune_on, [pm[1].predict(g.matrix) for g in tune_on]),
                                                 pm[0]))
    tried.append({"family": "linear", "regularisation": penalty,
                  "ndcg": round(group_ndcg(choose_on, [model.predict(g.matrix) for g in choose_on]), 4)})
    best = max(tried, key=lambda t: t["ndcg"])  # ties: the earlier (LightGBM's simplest first)
    selection = {**best, "validation": [t["ndcg"] for t in tried], "tried": tried,
                 "periods": {"fit": f"depth >= {fit_depth}", "tune": tune_depth, "compare": 1}}
    if best["family"] == "linear":
        return linear_fit(groups, regularisation=best["regularisation"], seed=seed), selection
    return ranker_fit(sampled, seed=seed, params=best["params"]), selection


def _layout(groups: Sequence) -> tuple[int, int] | None:
    """(fit on depth >= this, tune on this depth), comparing on depth 1; None with fewer than two periods."""
    depths = {getattr(g, "depth", 1) for g in groups}
    if 1 not in depths or len(depths) < 2:
        return None
    return (3, 2) if len(depths) >= 3 and 2 in depths else (2, 1)


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
    if hasattr(booster, "importance"):  # the linear ranker: shares of |weight|
        return booster.importance()
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
