"""The health page's statements, from plain figures: what an owner reads for each state (no database)."""

from datetime import datetime, timedelta, timezone

from recommender.dashboard import summary
from tests.helpers.shop import ranking_results

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def test_every_photo_processed_reads_as_all_searchable():
    s = summary.photos_statement(photos=600, ready=600, pending=0, failed=0)
    assert (s.level, s.text) == ("good", "All 600 product photos are searchable.")


def test_failed_photos_are_counted_and_the_owner_is_told_what_to_do():
    s = summary.photos_statement(photos=600, ready=540, pending=50, failed=10)
    assert s.text == "540 of 600 product photos are searchable; 50 are waiting to be processed and 10 could not be read."
    assert s.level == "warn" and "Replace the photos" in s.hint


def test_photos_not_yet_queued_count_as_waiting():
    s = summary.photos_statement(photos=10, ready=4, pending=1, failed=0)
    assert "6 are waiting to be processed" in s.text and s.level == "warn"


def test_a_shop_without_photos_says_so():
    assert summary.photos_statement(photos=0, ready=0, pending=0, failed=0).text == "There are no product photos yet."


def test_text_coverage_reads_as_products_searchable_by_meaning():
    assert summary.text_statement(products=600, searchable=600).text == \
        "All 600 products on sale are searchable by meaning."
    low = summary.text_statement(products=600, searchable=128)
    assert low.text == "128 of 600 products on sale are searchable by meaning." and low.level == "warn"


def test_recommendations_that_beat_best_sellers_say_by_how_much_and_on_what():
    s = summary.recommendations_statement(results=ranking_results(), finished_at=NOW - timedelta(days=2), now=NOW)
    assert s.level == "good"
    assert s.text.startswith("Recommendations beat best-sellers by 218% on 275 shoppers’ latest purchases "
                             "(measured 2 days ago)")


def test_recommendations_no_better_than_best_sellers_point_to_tuning():
    same = summary.recommendations_statement(results=ranking_results(hybrid_recall=0.1, popularity_recall=0.099),
                                             finished_at=NOW, now=NOW)
    assert same.level == "warn" and "about as well as best-sellers" in same.text and "tune_weights" in same.hint
    worse = summary.recommendations_statement(results=ranking_results(hybrid_recall=0.05, popularity_recall=0.1),
                                              finished_at=NOW, now=NOW)
    assert worse.level == "bad" and worse.text.startswith("Recommendations do 50% worse than best-sellers")


def test_no_evaluation_yet_says_how_to_get_one():
    s = summary.recommendations_statement(results=None, finished_at=None, now=NOW)
    assert s.text == "Recommendations have not been measured yet." and "Run evaluation" in s.hint


def test_workers_states_read_plainly():
    assert summary.workers_statement(workers=None, known=False, waiting=0).text.startswith("Checking")
    assert summary.workers_statement(workers=[], known=True, waiting=3).level == "bad"
    assert summary.workers_statement(workers=None, known=True, waiting=None).text.startswith(
        "The task queue cannot be reached")
    assert summary.workers_statement(workers=["a", "b"], known=True, waiting=1).text == \
        "Background work is running: 2 workers, 1 task waiting."


def test_signals_say_when_they_were_last_learned_or_that_they_failed():
    ok = summary.signals_statement(started_at=NOW - timedelta(hours=1), finished_at=NOW - timedelta(minutes=59),
                                   events=20702, error="", now=NOW)
    assert ok.text == "What shoppers view and buy was last learned 59 minutes ago, from 20,702 shopper actions."
    failed = summary.signals_statement(started_at=NOW, finished_at=NOW, events=0, error="boom", now=NOW)
    assert failed.level == "bad"
    assert summary.signals_statement(started_at=None, finished_at=None, events=0, error="", now=NOW).level == "warn"


def test_the_evaluation_table_shows_the_blend_once_then_the_baseline():
    rows = summary.evaluation_rows(ranking_results())
    names = [row["name"] for row in rows]
    assert names == ["hybrid", "popularity", "co_view", "co_buy", "visual", "profile"]
    assert rows[0]["label"] == "Recommendations (the blend shoppers see)" and rows[1]["baseline"]
    assert rows[0]["cells"][0] == {"value": 0.1075, "text": "10.8%", "best": True}


def test_a_second_weight_set_keeps_its_own_row():
    results = ranking_results()
    results["weights"] = {"tuned": {}, "default": {}}
    results["sources"]["hybrid_tuned"] = dict(results["sources"]["hybrid"])
    rows = summary.evaluation_rows(results)
    names = [row["name"] for row in rows]
    assert "hybrid_tuned" not in names and "hybrid_default" in names
    assert rows[-1]["label"] == "Recommendations with the default weights"


def test_every_metric_says_what_good_looks_like():
    legend = summary.metric_legend(10)
    assert [item["title"] for item in legend] == ["Found", "Hits per slot", "Rank quality (NDCG)",
                                                   "Order quality (MAP)", "Catalogue reach", "Variety"]
    assert all("higher" in item["meaning"] or "low" in item["meaning"] or "0 =" in item["meaning"]
               for item in legend)
