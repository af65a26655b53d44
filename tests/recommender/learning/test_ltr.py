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


def test_the_choice_and_its_trees_are_picked_on_the_validation_period_and_the_signal_is_learned():
    groups = planted_groups()
    booster, selection = ranker_select(groups, seed=5)
    assert len(selection["validation"]) == len(CHOICES)
    assert 1 <= selection["params"]["n_estimators"] == booster.current_iteration()
    test = planted_groups(n=20, seed=9)
    hits = [g.labels[int(np.argmax(booster.predict(g.matrix)))] for g in test]
    assert np.mean(hits) >= 0.6  # 2 positives in 40: 0.05 by chance
    again, _ = ranker_select(groups, seed=5)
    assert again.model_to_string() == booster.model_to_string()
