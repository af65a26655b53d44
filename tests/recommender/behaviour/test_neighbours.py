"""Co-bought and co-viewed neighbours: shrunk cosine, computed by hand on a handful of orders."""

from datetime import timedelta
from math import sqrt

import pytest

from recommender.behaviour.selectors import co_occurring
from recommender.behaviour.services import signals_rebuild
from recommender.models import NeighbourKind
from tests.factories import ProductFactory

from .conftest import order, view

pytestmark = pytest.mark.django_db


def shrunk_cosine(together, n_i, n_j, shrink=2.0):
    return together / sqrt(n_i * n_j) * together / (together + shrink)


def test_co_bought_neighbours_match_a_hand_computation_and_the_best_seller_does_not_dominate(now):
    a, b, c, x = (ProductFactory(name=name) for name in "ABCX")
    baskets = [[a, x]] * 3 + [[a, b]] * 2 + [[x]] * 4 + [[x, c]]
    for number, basket in enumerate(baskets):
        order(shopper=f"shopper-{number}", products=basket, at=now)
    signals_rebuild(now=now)

    found = co_occurring(product_ids=[a.pk, x.pk, b.pk], kind=NeighbourKind.CO_BOUGHT, k=10)
    # n: A 5, B 2, X 8, C 1. X is bought with A more often (3 vs 2) but B ranks first: only B's two
    # sales are always with A, while X sells everywhere.
    assert [pid for pid, _ in found[a.pk]] == [b.pk, x.pk]
    assert [s for _, s in found[a.pk]] == pytest.approx([shrunk_cosine(2, 5, 2), shrunk_cosine(3, 5, 8)], rel=1e-4)
    assert found[x.pk] == [(a.pk, pytest.approx(shrunk_cosine(3, 8, 5), rel=1e-4)),
                           (c.pk, pytest.approx(shrunk_cosine(1, 8, 1), rel=1e-4))]
    assert found[b.pk] == [(a.pk, pytest.approx(shrunk_cosine(2, 2, 5), rel=1e-4))]


def test_only_the_best_k_neighbours_are_returned(now):
    a, *others = (ProductFactory() for _ in range(5))
    for number, other in enumerate(others):
        for repeat in range(number + 1):  # later products are bought with A more often
            order(shopper=f"s-{number}-{repeat}", products=[a, other], at=now)
    signals_rebuild(now=now)
    assert [pid for pid, _ in co_occurring(product_ids=[a.pk], kind=NeighbourKind.CO_BOUGHT, k=2)[a.pk]] == [
        others[3].pk, others[2].pk]


def test_views_in_one_session_are_co_viewed_but_a_long_pause_starts_a_new_session(now):
    a, b, c = (ProductFactory() for _ in range(3))
    view(shopper="g", product=a, at=now - timedelta(hours=5))
    view(shopper="g", product=b, at=now - timedelta(hours=5) + timedelta(minutes=3))
    view(shopper="g", product=c, at=now)  # hours later: another session
    signals_rebuild(now=now)
    found = co_occurring(product_ids=[a.pk, c.pk], kind=NeighbourKind.CO_VIEWED, k=5)
    assert [pid for pid, _ in found[a.pk]] == [b.pk]
    assert found[c.pk] == []
    assert co_occurring(product_ids=[a.pk], kind=NeighbourKind.CO_BOUGHT, k=5) == {a.pk: []}


def test_neighbours_for_many_products_take_one_query(now, django_assert_num_queries):
    products = [ProductFactory() for _ in range(4)]
    order(shopper="s", products=products, at=now)
    signals_rebuild(now=now)
    with django_assert_num_queries(1):
        found = co_occurring(product_ids=[p.pk for p in products], kind=NeighbourKind.CO_BOUGHT, k=10)
    assert all(len(found[p.pk]) == 3 for p in products)
