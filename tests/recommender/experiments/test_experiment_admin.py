"""The experiment's admin page (results, chart, start / stop buttons) and the health page's online metrics, as
staff see them through the real admin."""

import pytest

from recommender.impressions.metrics import online_metrics_rebuild
from recommender.models import Experiment
from tests.helpers.experiments import simulated_traffic, started

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

FIFTY_FIFTY = [{"name": "a", "share": 50, "is_control": True}, {"name": "b", "share": 50}]


def _page(client, experiment) -> str:
    response = client.get(f"/admin/recommender/experiment/{experiment.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_results_page_shows_arm_b_winning_when_it_truly_clicks_more(staff):
    experiment = started(arms=FIFTY_FIFTY)
    simulated_traffic(experiment, ctr={"a": 0.05, "b": 0.09}, shoppers={"a": 1200, "b": 1200}, seed=3)
    online_metrics_rebuild()
    page = _page(staff, experiment)
    assert 'id="winner"' in page and "b wins" in page and 'id="srm-warning"' not in page
    assert "<svg" in page and "<polyline" in page  # the chart, drawn on the server
    assert "Stop now" in page


def test_with_equal_arms_the_results_page_names_no_winner(staff):
    experiment = started(arms=FIFTY_FIFTY)
    simulated_traffic(experiment, ctr={"a": 0.06, "b": 0.06}, shoppers={"a": 1200, "b": 1200}, seed=4)
    page = _page(staff, experiment)
    assert 'id="no-winner"' in page and "wins" not in page


def test_a_broken_70_30_split_against_a_50_50_plan_shows_the_sample_ratio_warning(staff):
    experiment = started(arms=FIFTY_FIFTY)
    simulated_traffic(experiment, ctr={"a": 0.05, "b": 0.09}, shoppers={"a": 1400, "b": 600}, seed=5)
    page = _page(staff, experiment)
    assert 'id="srm-warning"' in page and "wins" not in page  # no winner is named on broken traffic


def test_staff_stop_an_experiment_from_its_page(staff):
    experiment = started(arms=FIFTY_FIFTY)
    response = staff.post(f"/admin/recommender/experiment/{experiment.pk}/stop/", follow=True)
    assert "every shopper is back on the default" in response.content.decode()
    experiment.refresh_from_db()
    assert experiment.status == "stopped" and "Start experiment" not in _page(staff, experiment)


def test_arm_shares_over_100_are_refused_in_the_admin(staff):
    response = staff.post("/admin/recommender/experiment/add/", {
        "name": "too much", "description": "", "primary_metric": "ctr", "alpha": "0.05", "power": "0.8",
        "arms-TOTAL_FORMS": "2", "arms-INITIAL_FORMS": "0", "arms-MIN_NUM_FORMS": "0", "arms-MAX_NUM_FORMS": "1000",
        "arms-0-name": "a", "arms-0-share": "60", "arms-0-ranker": "default", "arms-0-merchandising": "on",
        "arms-1-name": "b", "arms-1-share": "60", "arms-1-ranker": "default", "arms-1-merchandising": "on",
    })
    assert response.status_code == 200 and "add up to more than 100" in response.content.decode()
    assert not Experiment.objects.exists()


def test_the_health_page_shows_online_metrics_charts_per_rail(staff):
    experiment = started(arms=FIFTY_FIFTY)
    simulated_traffic(experiment, ctr={"a": 0.05, "b": 0.08}, shoppers={"a": 300, "b": 300}, seed=6)
    online_metrics_rebuild()
    page = staff.get("/admin/recommender/health/").content.decode()
    assert 'id="online-metrics"' in page and page.count("<svg") >= 3 and "home/for_you" in page
    assert experiment.name in page
    assert "cdn" not in page.lower() and "https://" not in page.split('id="online-metrics"')[1].split("</section>")[0]


def test_before_any_impression_the_health_page_says_so(staff):
    page = staff.get("/admin/recommender/health/").content.decode()
    assert "No impressions aggregated yet" in page
