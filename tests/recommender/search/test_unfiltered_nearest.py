"""Unfiltered nearest products: one statement at the connection's ef_search, still k rows whenever k exist."""

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recommender.models import ProductEmbedding
from recommender.vectors.nearest import nearest_products
from tests.factories import product_with_sizes

pytestmark = pytest.mark.django_db
DIM = 1280


def unit(seed):
    vector = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return vector / np.linalg.norm(vector)


def with_vector(vector, **fields):
    product = product_with_sizes(image=False, **fields)
    ProductEmbedding.objects.create(product=product, encoder="lite0", vector=vector.tolist())
    return product


def test_an_unfiltered_search_is_one_statement_nearest_first():
    query = unit(0)
    products = [with_vector(query + 0.1 * (i + 1) * unit(i + 1)) for i in range(12)]
    with CaptureQueriesContext(connection) as captured:
        rows = nearest_products(vector=query, encoder="lite0", k=5)
    assert len(captured) == 1, [q["sql"][:80] for q in captured]
    assert [pid for pid, _ in rows] == [p.pk for p in products[:5]]


def test_k_rows_come_back_when_the_nearest_candidates_are_all_inactive(settings):
    settings.RECOMMENDER = {"HNSW_EF_SEARCH": 40}
    query = unit(0)
    for i in range(45):  # more inactive look-alikes than one scan's candidates
        with_vector(query + 0.01 * unit(100 + i), is_active=False)
    far = [with_vector(unit(200 + i)) for i in range(10)]
    rows = nearest_products(vector=query, encoder="lite0", k=10)
    assert sorted(pid for pid, _ in rows) == sorted(p.pk for p in far)
