"""Fitting the learning-to-rank model on plain arrays: sampling, early stopping on the validation period. No
database."""

import numpy as np

from recommender.learning.ltr import CHOICES, negatives_sample, ranker_select
from recommender.ranking.features import FEATURES


class Group:
    def __init__(self, matrix, labels, depth):
        self.matrix, self.labels, self.depth = matrix, labels, depth


def planted_groups(n=60, size=40, seed=4):
    """Column 0 (and a little of column 3) says which candidate is carted; depth cycles 1..3."""
    rng = np.random.default_rng(seed)
    groups = []
    for i in range(n):
        matrix = rng.random((size, len(FEATURES)), dtype=np.float32)
        signal = matrix[:, 0] + 0.3 * matrix[:, 3] + 0.02 * rng.standard_normal(size)
        labels = (signal >= np.sort(signal)[-2]).astype(np.float32)
        groups.append(Group(matrix, labels, 1 + i % 3))
    return groups


def test_sampling_keeps_every_positive_and_the_hardest_negatives_and_is_seeded():
    group = planted_groups(n=1, size=200)[0]
    blend = FEATURES.index("blend_score")
    (kept,) = negatives_sample([group], seed=3, hard=5, random=7)
    assert len(kept.labels) == int(group.labels.sum()) + 12 and kept.labels.sum() == group.labels.sum()
    negatives = group.matrix[group.labels == 0]
    hardest = np.sort(negatives[:, blend])[-5:]
    assert set(hardest.tolist()) <= set(kept.matrix[:, blend].tolist())
    (again,) = negatives_sample([group], seed=3, hard=5, random=7)
    assert np.array_equal(kept.matrix, again.matrix)


def test_the_model_is_picked_on_earlier_periods_and_the_signal_is_learned():
    groups = planted_groups()
    booster, selection = ranker_select(groups, seed=5)
    assert len(selection["validation"]) == len(CHOICES) + 1  # each tree choice, then the linear ranker
    if selection["family"] == "lightgbm":
        assert 1 <= selection["params"]["n_estimators"] == booster.current_iteration()
    test = planted_groups(n=20, seed=9)
    hits = [g.labels[int(np.argmax(booster.predict(g.matrix)))] for g in test]
    assert np.mean(hits) >= 0.6  # 2 positives in 40: 0.05 by chance
    again, _ = ranker_select(groups, seed=5)
    assert again.model_to_string() == booster.model_to_string()


def test_the_linear_ranker_learns_a_planted_signal_and_is_deterministic_for_a_seed():
    from recommender.learning.linear_fit import linear_fit

    model = linear_fit(planted_groups(), regularisation=0.01, seed=3)
    test = planted_groups(n=20, seed=9)
    hits = [g.labels[int(np.argmax(model.predict(g.matrix)))] for g in test]
    assert np.mean(hits) >= 0.6
    assert max(model.importance(), key=model.importance().get) == FEATURES[0]
    assert linear_fit(planted_groups(), regularisation=0.01, seed=3).model_to_string() == model.model_to_string()


def test_the_stored_linear_ranker_reads_back_and_scores_the_same():
    from recommender.learning.linear_fit import linear_fit
    from recommender.recommend.ranker import booster_from_text

    model = linear_fit(planted_groups(), regularisation=0.1, seed=3)
    again = booster_from_text(model.model_to_string())
    matrix = planted_groups(n=1, seed=11)[0].matrix
    np.testing.assert_allclose(again.predict(matrix), model.predict(matrix))


def additive_groups(n=60, size=60, seed=6):
    """The carted candidate is the best on a sum of twenty columns: one line for a linear model, a staircase in
    twenty directions for trees fitted on twenty groups."""
    rng = np.random.default_rng(seed)
    groups = []
    for i in range(n):
        matrix = rng.standard_normal((size, len(FEATURES))).astype(np.float32)
        signal = matrix[:, :20].sum(axis=1) + rng.standard_normal(size)
        labels = (signal >= np.sort(signal)[-2]).astype(np.float32)
        groups.append(Group(matrix, labels, 1 + i % 3))
    return groups


def test_the_family_is_compared_on_the_latest_earlier_period_which_neither_fitting_nor_tuning_saw():
    groups = additive_groups()
    model, selection = ranker_select(groups, seed=5)
    assert selection["periods"] == {"fit": "depth >= 3", "tune": 2, "compare": 1}
    assert [t["family"] for t in selection["tried"]] == ["lightgbm"] * len(CHOICES) + ["linear"]
    assert selection["family"] == max(selection["tried"], key=lambda t: t["ndcg"])["family"]
    assert selection["family"] == "linear" and hasattr(model, "importance")
    assert set(model.importance()) >= set(FEATURES[:20])
