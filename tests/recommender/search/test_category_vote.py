"""The category vote read from a photo's neighbours: pure function, no database."""

import pytest

from recommender.search.photo import category_vote


def test_the_category_with_the_most_similarity_weight_wins_with_its_share_as_confidence():
    vote = category_vote([(1, 0.9), (2, 0.8), (1, 0.7), (3, 0.1)])
    weights = {1: 0.81 + 0.49, 2: 0.64, 3: 0.01}
    assert vote.category_id == 1
    assert vote.confidence == pytest.approx(weights[1] / sum(weights.values()))


def test_close_neighbours_outvote_a_crowd_of_loose_ones():
    vote = category_vote([(7, 0.95), (7, 0.9), (8, 0.4), (8, 0.4), (8, 0.4), (8, 0.4)])
    assert vote.category_id == 7


def test_a_unanimous_vote_is_fully_confident():
    assert category_vote([(5, 0.6), (5, 0.5)]).confidence == pytest.approx(1.0)


def test_a_tie_goes_to_the_category_of_the_nearest_neighbour():
    assert category_vote([(2, 0.5), (1, 0.5)]).category_id == 2


def test_no_neighbours_or_only_opposite_ones_predict_nothing():
    assert category_vote([]).category_id is None
    vote = category_vote([(1, -0.2), (2, 0.0)])
    assert vote.category_id is None and vote.confidence == 0.0
