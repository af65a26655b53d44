"""Filtered nearest-neighbour search over product vectors: filters always hold, on both plans."""

from decimal import Decimal

import numpy as np
import pytest

from recommender.models import ProductEmbedding
from recommender.vectors.nearest import ProductFilters, nearest_products
from shop.catalog.models import Gender
from tests.factories import CategoryFactory, product_with_sizes

pytestmark = pytest.mark.django_db
DIM = 1280


def unit(seed):
    vector = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return vector / np.linalg.norm(vector)


def near(base, seed, noise):
    vector = base + noise * unit(seed)
    return vector / np.linalg.norm(vector)


def with_vector(vector, **fields):
    product = product_with_sizes(image=False, **fields)
    ProductEmbedding.objects.create(product=product, encoder="lite0", vector=vector.tolist())
    return product


@pytest.fixture(params=["exact", "hnsw"])
def plan(request, settings):
    # FILTER_EXACT_MAX_ROWS = 0 sends every filtered query to the HNSW plan (and its fallback).
    settings.RECOMMENDER = {"FILTER_EXACT_MAX_ROWS": 10_000 if request.param == "exact" else 0}
    return request.param


@pytest.fixture
def shop():
    """A query vector and products around it: the nearest ones fail one filter each."""
    query = unit(0)
    jackets, coats = CategoryFactory(name="Outerwear"), None
    coats = CategoryFactory(name="Coats", parent=jackets)
    items = {
        "sold out in M": with_vector(near(query, 1, 0.1), sizes=(("S", 3), ("M", 0)), category=coats),
        "no size M": with_vector(near(query, 2, 0.2), sizes=(("S", 3), ("L", 3)), category=coats),
        "inactive": with_vector(near(query, 3, 0.3), sizes=(("M", 3),), category=coats, is_active=False),
        "too dear": with_vector(near(query, 4, 0.4), sizes=(("M", 3),), category=coats, price=Decimal("500")),
        "women": with_vector(near(query, 5, 0.5), sizes=(("M", 3),), category=coats, gender=Gender.WOMEN),
        "other category": with_vector(near(query, 6, 0.6), sizes=(("M", 3),)),
        "fits, child category": with_vector(near(query, 7, 0.8), sizes=(("M", 3),), category=coats, gender=Gender.MEN),
        "fits, parent category": with_vector(near(query, 8, 1.0), sizes=(("M", 2),), category=jackets, gender=Gender.MEN),
    }
    for seed in range(20, 40):  # far away filler
        with_vector(unit(seed), sizes=(("M", 1),))
    return query, jackets, items


def ids(rows):
    return [pid for pid, _ in rows]


def test_without_filters_the_nearest_active_products_come_first_by_distance(shop, plan):
    query, _, items = shop
    rows = nearest_products(vector=query, encoder="lite0", k=3)
    assert ids(rows) == [items["sold out in M"].pk, items["no size M"].pk, items["too dear"].pk]
    assert [d for _, d in rows] == sorted(d for _, d in rows)


def test_out_of_stock_wrong_size_inactive_dear_and_other_department_products_are_never_returned(shop, plan):
    query, outerwear, items = shop
    filters = ProductFilters(category_id=outerwear.pk, gender=Gender.MEN, size="M", price_max=Decimal("100"))
    rows = nearest_products(vector=query, encoder="lite0", k=5, filters=filters)
    assert ids(rows) == [items["fits, child category"].pk, items["fits, parent category"].pk]


def test_a_size_filter_alone_keeps_only_products_with_that_size_in_stock(shop, plan):
    query, _, items = shop
    rows = nearest_products(vector=query, encoder="lite0", k=4, filters=ProductFilters(size="M"))
    returned = set(ids(rows))
    assert not returned & {items["sold out in M"].pk, items["no size M"].pk, items["inactive"].pk}
    assert ids(rows)[0] == items["too dear"].pk and len(rows) == 4


def test_a_price_range_is_inclusive(shop, plan):
    query, _, items = shop
    rows = nearest_products(
        vector=query, encoder="lite0", k=3, filters=ProductFilters(price_min=Decimal("500"), price_max=Decimal("500"))
    )
    assert ids(rows) == [items["too dear"].pk]


def test_a_selective_filter_on_the_hnsw_plan_still_finds_k_rows(settings):
    settings.RECOMMENDER = {"FILTER_EXACT_MAX_ROWS": 0, "FILTER_HNSW_EF_SEARCH": 10}
    query = unit(0)
    for seed in range(1, 41):
        with_vector(near(query, seed, 0.5), sizes=(("S", 1),))
    rare = [with_vector(unit(100 + seed), sizes=(("XXL", 1),)) for seed in range(3)]
    rows = nearest_products(vector=query, encoder="lite0", k=3, filters=ProductFilters(size="XXL"))
    assert set(ids(rows)) == {p.pk for p in rare}
