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


def test_a_product_never_viewed_and_one_viewed_just_now_differ_in_view_recency():
    events = (Event(1, "view", 0.0, BLUE),)
    candidates = [Candidate.from_source(1, Source.HISTORY, 0.5), Candidate.from_source(2, Source.TRENDING, 1.0)]
    matrix = features_matrix(candidates, facts=catalogue(product(1), product(2)),
                             context=Context(events=events, items={1: ItemStats(BLUE), 2: ItemStats(BLUE)}))
    assert column(matrix, "days_since_view").tolist() == [0.0, 0.0]  # the old column cannot tell them apart
    assert column(matrix, "view_recency").tolist() == [1.0, 0.0]


def test_returns_in_separate_visits_and_the_latest_visits_intent_are_features():
    shoes = Attributes(category_id=3, colour="Black", season="Winter", details=(("pattern", "dots"),))
    events = (Event(1, "view", 0.001, shoes), Event(2, "view", 0.002, shoes),  # the latest visit: shoes
              Event(1, "view", 3.0, BLUE), Event(1, "view", 3.001, BLUE), Event(4, "view", 6.0, BLUE))
    candidates = [Candidate.from_source(pid, Source.HISTORY, 0.5) for pid in (1, 2, 4)]
    items = {1: ItemStats(shoes), 2: ItemStats(shoes), 4: ItemStats(BLUE)}
    matrix = features_matrix(candidates, facts=catalogue(product(1), product(2), product(4)),
                             context=Context(events=events, items=items))
    assert column(matrix, "views").tolist() == [3.0, 1.0, 1.0]
    assert column(matrix, "visits_viewed").tolist() == [2.0, 1.0, 1.0]  # two views 90 s apart are one visit
    assert column(matrix, "viewed_last_visit").tolist() == [1.0, 1.0, 0.0]
    assert column(matrix, "last_visit_category").tolist() == [1.0, 1.0, 0.0]
    dots, _, plain = column(matrix, "affinity_details_max")
    assert dots > 0 and plain == 0
    assert column(matrix, "affinity_season")[0] > 0  # their winter items


def test_the_factor_score_is_also_given_relative_to_the_requests_best():
    candidates = [Candidate.from_source(pid, Source.COLLAB, 1.0) for pid in (1, 2, 3)]
    matrix = features_matrix(candidates, facts=catalogue(product(1), product(2), product(3)),
                             context=Context(factor_scores={1: 2.0, 2: 1.0, 3: -1.0}))
    assert column(matrix, "factor_relative").tolist() == [1.0, 0.5, 0.0]
