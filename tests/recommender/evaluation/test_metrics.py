"""Ranking metrics, hand-computed: no database."""

import math

import numpy as np
import pytest

from recommender.evaluation.metrics import (
    average_precision_at_k,
    coverage,
    intra_list_diversity,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
    summarise,
)


def test_precision_counts_hits_in_the_top_k_over_k():
    assert precision_at_k([1, 2, 3, 4], {2, 4, 9}, 4) == 0.5
    assert precision_at_k([1, 2], {2}, 4) == 0.25  # a short list's empty slots are misses


def test_recall_is_hits_over_everything_held_out():
    assert recall_at_k([1, 2, 3], {2, 9}, 3) == 0.5
    assert recall_at_k([1, 2, 3], set(), 3) == 0.0


def test_ndcg_rewards_hits_near_the_top():
    # hits at ranks 1 and 3 of 2 relevant: (1 + 1/log2(4)) / (1 + 1/log2(3))
    expected = (1 + 0.5) / (1 + 1 / math.log2(3))
    assert ndcg_at_k([7, 1, 8], {7, 8}, 3) == pytest.approx(expected)
    assert ndcg_at_k([7, 8, 1], {7, 8}, 3) == pytest.approx(1.0)
    assert ndcg_at_k([1, 2, 3], {7}, 3) == 0.0


def test_average_precision_averages_precision_at_each_hit():
    # hits at 1 and 3: (1/1 + 2/3) / min(k, 2)
    assert average_precision_at_k([7, 1, 8], {7, 8}, 3) == pytest.approx((1 + 2 / 3) / 2)
    assert average_precision_at_k([1, 7], {7, 8, 9}, 2) == pytest.approx((1 / 2) / 2)


def test_coverage_is_distinct_items_over_the_catalogue():
    assert coverage([[1, 2], [2, 3]], 10) == 0.3
    assert coverage([], 0) == 0.0


def test_intra_list_diversity_is_mean_pairwise_one_minus_cosine():
    vectors = {1: np.array([1.0, 0.0]), 2: np.array([0.0, 2.0]), 3: np.array([1.0, 0.0])}
    # pairs: (1,2) 1, (1,3) 0, (2,3) 1 -> 2/3
    assert intra_list_diversity([1, 2, 3], vectors) == pytest.approx(2 / 3)
    assert intra_list_diversity([1, 99], vectors) is None


def test_intra_list_diversity_counts_opposite_items_as_unrelated_so_it_never_exceeds_one():
    opposite = {1: np.array([1.0, 0.0]), 2: np.array([-1.0, 0.0])}
    assert intra_list_diversity([1, 2], opposite) == pytest.approx(1.0)
    # Centred vectors, as the compact ones are: about half the pairs have a negative cosine.
    rng = np.random.default_rng(3)
    centred = rng.normal(size=(40, 16))
    centred -= centred.mean(axis=0)
    vectors = dict(enumerate(centred))
    assert 0.0 <= intra_list_diversity(list(vectors), vectors) <= 1.0
    assert intra_list_diversity([0, 0, 0], {0: centred[0]}) == pytest.approx(0.0)


def test_summarise_averages_over_every_shopper_with_targets():
    result = summarise({"a": [1, 2], "b": [3]}, {"a": {1}, "b": {9}, "c": {5}}, k=2, catalogue_size=10)
    assert result["precision"] == pytest.approx(round(0.5 / 3, 4))
    assert result["recall"] == pytest.approx(round(1 / 3, 4))
    assert result["coverage"] == 0.3
