"""The category vote read from a photo's neighbours, and when it is too weak to name a category:
pure functions, no database."""

import pytest

from recommender.search.photo import VOTE_MIN_LEAD, VOTE_MIN_SHARE, category_vote, vote_is_clear


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


def test_a_tie_goes_to_the_category_of_the_nearest_neighbour_but_names_no_category():
    vote = category_vote([(2, 0.5), (1, 0.5)])
    assert vote.leader == 2 and vote.confidence == pytest.approx(0.5)
    assert vote.category_id is None  # half the vote is not a prediction


def test_no_neighbours_or_only_opposite_ones_predict_nothing():
    assert category_vote([]).category_id is None
    vote = category_vote([(1, -0.2), (2, 0.0)])
    assert vote.category_id is None and vote.confidence == 0.0


def test_a_vote_spread_over_many_categories_is_not_sure():
    # What a flat blue square gets: loose neighbours from everywhere, the leader with half the vote.
    vote = category_vote([(8, 0.62), (8, 0.61), (12, 0.60), (8, 0.60), (12, 0.59), (3, 0.58), (8, 0.58), (5, 0.57)])
    assert vote.leader == 8 and 0.45 < vote.confidence < VOTE_MIN_SHARE
    assert vote.category_id is None


def test_a_leader_with_most_of_the_vote_but_a_close_runner_up_is_not_sure():
    vote = category_vote([(1, 0.9), (2, 0.85), (1, 0.6)])  # shares 0.62 and 0.38
    assert vote.confidence >= VOTE_MIN_SHARE and vote.confidence < VOTE_MIN_LEAD * vote.runner_up
    assert vote.category_id is None


def test_a_leader_with_a_clear_majority_and_lead_is_named():
    vote = category_vote([(4, 0.9), (4, 0.88), (4, 0.85), (6, 0.6), (7, 0.5)])
    assert vote.confidence >= VOTE_MIN_SHARE and vote.confidence >= VOTE_MIN_LEAD * vote.runner_up
    assert vote.category_id == 4


@pytest.mark.parametrize(
    ("share", "runner_up", "clear"),
    [
        (VOTE_MIN_SHARE, VOTE_MIN_SHARE / VOTE_MIN_LEAD, True),  # both at the threshold
        (VOTE_MIN_SHARE - 0.01, 0.0, False),  # unopposed, but too small a share
        (0.7, 0.7 / VOTE_MIN_LEAD + 0.01, False),  # a big share, not far enough ahead
        (1.0, 0.0, True),
        (0.0, 0.0, False),
    ],
)
def test_a_vote_is_clear_only_with_enough_share_and_lead(share, runner_up, clear):
    assert vote_is_clear(share, runner_up) is clear
