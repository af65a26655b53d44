"""The one `hnsw.ef_search` policy (recommender.vectors.depth): how deep a scan looks for how many rows."""

import pytest

from recommender.vectors.codec import EF_SEARCH_MAX, TEXT_EF_SEARCH_MIN, ef_search_sql
from recommender.vectors.depth import ef_search_for, ef_search_serving


@pytest.fixture
def depths(settings):
    settings.RECOMMENDER = {**getattr(settings, "RECOMMENDER", {}), "HNSW_EF_SEARCH": 40, "FILTER_HNSW_EF_SEARCH": 100}


def test_a_short_list_scans_at_the_serving_depth_every_connection_starts_at(depths):
    assert ef_search_serving() == 40
    assert ef_search_for(10) == 40 == ef_search_serving()


def test_a_list_longer_than_the_serving_depth_scans_as_deep_as_it_is_long(depths):
    assert ef_search_for(41) == 41
    assert ef_search_for(200) == 200


def test_a_filtered_scan_starts_at_the_filtered_depth(depths):
    assert ef_search_for(10, filtered=True) == 100
    assert ef_search_for(150, filtered=True) == 150


def test_a_text_search_looks_twice_as_deep_as_its_list_within_its_floor_and_pgvectors_cap(depths):
    assert ef_search_for(5, text=True) == TEXT_EF_SEARCH_MIN
    assert ef_search_for(60, text=True) == 120
    assert ef_search_for(5000, text=True) == EF_SEARCH_MAX


def test_the_depth_follows_the_settings(settings):
    settings.RECOMMENDER = {**getattr(settings, "RECOMMENDER", {}), "HNSW_EF_SEARCH": 64}
    assert ef_search_for(10) == 64 and ef_search_serving() == 64


def test_the_statement_never_asks_pgvector_for_more_than_it_allows():
    assert ef_search_sql(40) == "SET LOCAL hnsw.ef_search = 40"
    assert ef_search_sql(5000, local=False) == f"SET hnsw.ef_search = {EF_SEARCH_MAX}"
