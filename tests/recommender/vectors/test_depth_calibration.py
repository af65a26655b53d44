"""Each compact refit measures how deep its own HNSW index must be searched, and serving searches at least that
deep: the measured recall is the real index's, the depth chosen is the shallowest that reaches the target, and a
process picks the new depth up."""

import numpy as np
import pytest
from django.core.cache import cache
from django.db import connection

from recommender.models import VisualProjection
from recommender.vectors import calibration, store
from recommender.vectors.calibration import exact_nearest
from recommender.vectors.compact_store import compact_fit
from recommender.vectors.depth import (SESSION_ATTR, depth_forget, ef_search_for, ef_search_serving,
                                      session_depth_ensure)
from tests.recommender.test_compact_store import COMPACT, catalogue


@pytest.fixture
def toy(settings):
    # Depth 1: the index hands back one row per scan, so a list of ten finds a tenth of the true ten at most.
    settings.RECOMMENDER = {**getattr(settings, "RECOMMENDER", {}), "ENCODER": "toy96", "COMPACT_DIMS": 16,
                            "COMPACT_MIN_PRODUCTS": 40, "HNSW_EF_SEARCH": 1, "FILTER_HNSW_EF_SEARCH": 3,
                            "HNSW_CALIBRATION_QUERIES": 30}
    cache.delete("recommender:serving-encoder")
    yield settings
    cache.delete("recommender:serving-encoder")


def test_exact_nearest_in_blocks_is_the_whole_matrix_top_k_without_itself(monkeypatch):
    monkeypatch.setattr(calibration, "BLOCK_ROWS", 7)
    vectors = np.random.default_rng(3).normal(size=(50, 8)).astype(np.float32)
    rows = np.array([0, 6, 7, 49])
    found = exact_nearest(vectors, rows, k=5)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    for row, got in zip(rows, found):
        scores = unit @ unit[row]
        scores[row] = -np.inf
        assert list(got) == list(np.argsort(-scores)[:5])


@pytest.mark.django_db
def test_a_refit_measures_its_index_and_keeps_the_shallowest_depth_that_reaches_the_target(toy):
    catalogue(60)
    row = compact_fit()
    hnsw = row.held_out["hnsw"]
    # Depth 1 returns one row of ten: measured, not assumed; 40 (the next depth tried) finds nearly all of 60.
    assert hnsw["recall_at_10"]["1"] <= 0.1
    assert hnsw["ef_search"] == 40 and hnsw["reached"] is True
    assert hnsw["recall_at_10"]["40"] >= 0.96
    assert list(hnsw["recall_at_10"]) == ["1", "40"]  # stopped at the first depth that reached it
    assert hnsw["queries"] == 30
    assert VisualProjection.objects.get(pk=row.pk).held_out["hnsw"] == hnsw


@pytest.mark.django_db
def test_an_unreachable_target_keeps_the_deepest_depth_and_says_so(toy):
    toy.RECOMMENDER = {**toy.RECOMMENDER, "HNSW_TARGET_RECALL": 1.01}
    catalogue(60)
    hnsw = compact_fit().held_out["hnsw"]
    assert hnsw["reached"] is False
    assert hnsw["ef_search"] == calibration.DEPTHS[-1]


@pytest.mark.django_db
def test_serving_searches_the_refitted_index_as_deep_as_it_was_measured(toy):
    images, _ = catalogue(60)
    assert ef_search_serving(COMPACT) == 1  # no measurement yet: the configured depth
    compact_fit()
    depth_forget()  # compact_fit's commit does this; inside the test's transaction it never commits
    assert ef_search_serving(COMPACT) == 40
    assert ef_search_serving() == 1  # no encoder named: the configured depth
    assert ef_search_for(10, encoder=COMPACT) == 40
    assert ef_search_for(10, filtered=True, encoder=COMPACT) == 120  # the filtered floor scaled as the serving one
    found = store.product_neighbours(product_id=images[0].product_id, k=10, encoder=COMPACT)
    assert len(found) == 10


@pytest.mark.django_db
def test_the_session_depth_changes_only_outside_a_transaction():
    # Inside the test's transaction a session-wide SET would be undone by its rollback: the caller must SET LOCAL.
    current = getattr(connection, SESSION_ATTR, None)
    assert session_depth_ensure(connection, current) is True
    assert session_depth_ensure(connection, (current or 40) + 7) is False
    assert getattr(connection, SESSION_ATTR, None) == current


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_session_takes_the_new_depth_once():
    assert session_depth_ensure(connection, 57) is True
    with connection.cursor() as cursor:
        cursor.execute("SHOW hnsw.ef_search")
        assert cursor.fetchone()[0] == "57"
    assert getattr(connection, SESSION_ATTR) == 57
    session_depth_ensure(connection, 40)


@pytest.mark.django_db
def test_staff_see_the_measured_depth_on_the_health_page(toy, admin_client):
    from recommender.dashboard import selectors

    catalogue(60)
    compact_fit()
    cache.delete("recommender:serving-encoder")  # the fit's commit does this
    selectors.health_snapshot_forget()
    text = admin_client.get("/admin/recommender/health/").content.decode()
    assert "Searched 40 deep" in text and "found 1.0 of the true 10 nearest of 30 sampled products" in text
