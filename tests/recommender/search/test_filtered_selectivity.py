"""Filtered vector search at 1 %, 5 % and 20 % selectivity: k rows whenever k match, recall@10 >= 0.95.

A 2,000-product synthetic catalogue with 1280-d clustered vectors (the similar bench's generator), searched
in the space the shop serves (the compact 256-d vectors, with their own HNSW index); filters independent of the clusters (leaf category 1 %, a size in stock
5 %, a price ceiling 20 %). Each plan is forced in turn: the default thresholds scaled to the
catalogue (exact up to 5 % of it, as 5,000 of 100k), and HNSW only (FILTER_EXACT_MAX_ROWS = 0:
pgvector 0.8's iterative index scan alone).
"""

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarks.scratch import catalogue_fill, selective_filters
from benchmarks.similar import K, _exact_top, _filter_masks
from recommender.vectors.nearest import nearest_products

PRODUCTS = 2000
QUERIES = 15


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import connection

        filled = catalogue_fill(products=PRODUCTS, log=lambda message: None)
        yield filled
        with connection.cursor() as cursor:
            # Committed outside any test's transaction: removed here, and only what the fixture made.
            ids = [filled["first_product_id"], filled["first_product_id"] + PRODUCTS - 1]
            for table in ("recommender_productembedding", "catalog_variant"):
                cursor.execute(f"DELETE FROM {table} WHERE product_id BETWEEN %s AND %s", ids)
            cursor.execute("DELETE FROM catalog_product WHERE id BETWEEN %s AND %s", ids)
            cursor.execute("DELETE FROM catalog_category WHERE slug LIKE 'leaf-%%'")
            cursor.execute("DELETE FROM catalog_category WHERE slug LIKE 'group-%%'")
            cursor.execute("DELETE FROM recommender_visualprojection WHERE method = 'pca'")


@pytest.mark.django_db
@pytest.mark.parametrize("plan", ["scaled-defaults", "hnsw-only"])
@pytest.mark.parametrize("share", ["1", "5", "20"])
def test_a_filter_of_any_selectivity_returns_k_rows_with_recall_at_least_0_95(catalogue, settings, share, plan):
    settings.RECOMMENDER = {"FILTER_EXACT_MAX_ROWS": PRODUCTS // 20 if plan == "scaled-defaults" else 0}
    vectors, first = catalogue["vectors"], catalogue["first_product_id"]
    filters = selective_filters(first_category_id=catalogue["first_category_id"])[share]
    mask = _filter_masks(PRODUCTS)[share]
    assert mask.sum() >= K
    hits = expected = 0
    for index in np.random.default_rng(int(share)).choice(PRODUCTS, size=QUERIES, replace=False):
        with CaptureQueriesContext(connection) as queries:
            rows = nearest_products(vector=vectors[index], encoder=catalogue["encoder"], k=K, filters=filters,
                                    exclude=first + int(index))
        if plan == "hnsw-only":  # the iterative index scan found k rows itself: no exact fallback ran
            assert not any("ORDER BY distance, e.product_id" in q["sql"] for q in queries.captured_queries)
        truth = _exact_top(vectors, int(index), mask)
        assert len(rows) == K
        assert all(mask[pid - first] for pid, _ in rows)
        hits += len({pid - first for pid, _ in rows} & set(truth))
        expected += len(truth)
    assert hits / expected >= 0.95
