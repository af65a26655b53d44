"""Learned-ranking features from plain data: no database, milliseconds."""

import numpy as np

from recommender.ranking import Candidate, Source
from recommender.ranking.features import FEATURES, Attributes, Context, Event, ItemStats, features_matrix
from recommender.ranking.history import history_candidates
from tests.recommender.ranking.builders import catalogue, product

BLUE = Attributes(category_id=1, colour="Blue", usage="Casual", department="women", brand="A", price=30.0)
RED = Attributes(category_id=2, colour="Red", usage="Formal", department="men", brand="B", price=90.0)


def column(matrix, name):
    return matrix[:, FEATURES.index(name)]


def test_features_are_computed_from_plain_facts_without_a_database():
    events = (Event(1, "view", 3.0, BLUE), Event(1, "view", 5.0, BLUE), Event(3, "purchase", 10.0, BLUE),
              Event(2, "view", 1.0, RED))
    candidates = [Candidate.from_source(1, Source.HISTORY, 0.6), Candidate.from_source(2, Source.TRENDING, 1.0),
                  Candidate.from_source(4, Source.COLLAB, 2.0)]
    facts = catalogue(product(1, price=30.0), product(2, price=90.0), product(4, price=30.0))
    items = {1: ItemStats(BLUE, popularity=0.5), 2: ItemStats(RED, trending=0.9), 4: ItemStats(BLUE)}
    matrix = features_matrix(candidates, facts=facts, context=Context(events=events, items=items,
                                                                      factor_scores={4: 1.5, 1: 0.2}))
    assert matrix.shape == (3, len(FEATURES)) and matrix.dtype == np.float32
    assert column(matrix, "views").tolist() == [2.0, 1.0, 0.0]
    assert column(matrix, "days_since_view").tolist() == [3.0, 1.0, 0.0]
    blue, red, unseen_blue = column(matrix, "affinity_colour")
    assert blue == unseen_blue > red > 0
    assert column(matrix, "factor_rank").tolist() == [0.5, 0.0, 1.0]
    assert column(matrix, "score_history")[0] > 0 and column(matrix, "score_history")[1] == 0
    assert column(matrix, "popularity")[0] == 0.5 and column(matrix, "trending")[1] == np.float32(0.9)
    assert column(matrix, "history_length").tolist() == [4.0, 4.0, 4.0]


def test_an_unknown_shopper_gets_zero_affinities_and_no_history():
    matrix = features_matrix([Candidate.from_source(1, Source.TRENDING, 1.0)], facts=catalogue(product(1)),
                             context=Context())
    assert column(matrix, "affinity_category")[0] == 0 and column(matrix, "views")[0] == 0


def test_items_viewed_often_and_lately_come_first_in_the_history_source_and_purchases_never():
    events = (Event(5, "view", 0.5), Event(6, "view", 8.0), Event(6, "view", 9.0), Event(6, "view", 9.5),
              Event(7, "view", 40.0), Event(8, "view", 2.0), Event(8, "purchase", 1.0))
    found = history_candidates(events, k=10)
    assert [c.product_id for c in found] == [6, 5, 7]
    assert found[0].evidence[0].label == "last week"
