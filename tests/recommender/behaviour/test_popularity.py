"""Popularity and trending: exponential time decay, overall and within a category's subtree."""

from datetime import timedelta

import pytest

from recommender.behaviour.popularity import product_popularity
from recommender.behaviour.selectors import trending
from recommender.behaviour.services import signals_rebuild
from tests.factories import CategoryFactory, ProductFactory

from .conftest import view

pytestmark = pytest.mark.django_db


def views(product, *, count, at):
    for n in range(count):
        view(shopper=f"{product.pk}-{n}", product=product, at=at)


def test_trending_prefers_recent_over_old_with_the_same_counts(now):
    old, new = ProductFactory(), ProductFactory()
    views(old, count=5, at=now - timedelta(days=20))
    views(new, count=5, at=now - timedelta(hours=1))
    signals_rebuild(now=now)
    (first, top), (second, low) = trending(k=5)
    assert (first, second) == (new.pk, old.pk)
    assert top == pytest.approx(1.0)
    assert low < 0.01  # 20 days at a 2-day half-life
    scores = dict(product_popularity(limit=10))
    assert scores[new.pk] == pytest.approx(1.0)
    assert 0.5 < scores[old.pk] < 0.7  # 20 days at a 30-day half-life: 2^(-2/3) = 0.63


def test_trending_within_a_category_covers_its_subcategories_and_honours_exclusions(now):
    apparel = CategoryFactory()
    shirts, shoes = CategoryFactory(parent=apparel), CategoryFactory()
    shirt, polo, sneaker = ProductFactory(category=shirts), ProductFactory(category=apparel), ProductFactory(category=shoes)
    views(sneaker, count=9, at=now)
    views(shirt, count=3, at=now)
    views(polo, count=2, at=now)
    signals_rebuild(now=now)
    assert [pid for pid, _ in trending(k=5, category_id=apparel.pk)] == [shirt.pk, polo.pk]
    assert [pid for pid, _ in trending(k=5, exclude=[sneaker.pk])] == [shirt.pk, polo.pk]
    assert [pid for pid, _ in trending(k=1)] == [sneaker.pk]


def test_before_any_rebuild_there_are_no_signals():
    product = ProductFactory()
    assert trending(k=5) == []
    assert product_popularity(limit=10) == []
