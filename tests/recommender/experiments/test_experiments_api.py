"""/api/experiments/ and /api/metrics/recommendations/: staff only, create / start / stop / results, and every bad
input a 400 that says what is wrong."""

import pytest

from recommender.impressions.metrics import online_metrics_rebuild
from recommender.models import Experiment
from tests.factories import UserFactory
from tests.helpers.experiments import simulated_traffic

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

ARMS = [{"name": "a", "share": 50, "is_control": True}, {"name": "b", "share": 50, "weights": {"trending": 1.5}}]


def _create(client, **body):
    return client.post("/api/experiments/", {"name": "weights", "arms": ARMS, **body}, content_type="application/json")


def test_shoppers_and_guests_cannot_read_or_change_experiments_or_metrics(client):
    for url in ("/api/experiments/", "/api/metrics/recommendations/"):
        assert client.get(url).status_code in (401, 403)
    client.force_login(UserFactory())
    assert client.get("/api/experiments/").status_code == 403
    assert _create(client).status_code == 403
    assert client.get("/api/metrics/recommendations/").status_code == 403


def test_staff_create_start_read_results_and_stop_an_experiment(staff):
    created = _create(staff, primary_metric="ctr")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and [a["name"] for a in body["arms"]] == ["a", "b"]
    pk = body["id"]
    assert staff.post(f"/api/experiments/{pk}/start/").json()["status"] == "running"
    simulated_traffic(Experiment.objects.get(pk=pk), ctr={"a": 0.05, "b": 0.09},
                      shoppers={"a": 1500, "b": 1500}, seed=1)
    online_metrics_rebuild()
    results = staff.get(f"/api/experiments/{pk}/results/").json()
    assert results["winner"] == "b" and not results["sample_ratio"]["mismatch"]
    b = next(arm for arm in results["arms"] if arm["name"] == "b")
    assert b["vs_control"]["significant"] and 0 < b["vs_control"]["ci_low"] < b["vs_control"]["ci_high"]
    assert results["sample_still_needed"] == 0 and set(results["daily"]) == {"a", "b"}
    assert staff.post(f"/api/experiments/{pk}/stop/").json()["status"] == "stopped"
    metrics = staff.get("/api/metrics/recommendations/", {"experiment": pk, "arm": "b"}).json()
    assert metrics["totals"]["impressions"] == 6000 and 0.07 < metrics["totals"]["ctr"] < 0.11


@pytest.mark.parametrize("body, says", [
    ({"arms": [ARMS[0]]}, "arms"),
    ({"arms": [{"name": "a", "share": 70}, {"name": "b", "share": 40}]}, "more than 100"),
    ({"arms": [{"name": "a", "share": 50}, {"name": "a", "share": 50}]}, "must differ"),
    ({"arms": [{"name": "Not a slug!", "share": 50}, {"name": "b", "share": 50}]}, "slug"),
    ({"arms": [{"name": "a", "share": 50, "weights": {"nonsense": 1}}, {"name": "b", "share": 50}]}, "sources"),
    ({"arms": [{"name": "a", "share": 50, "ranker": "learned"}, {"name": "b", "share": 50}]}, "ranker_version"),
    ({"arms": [{"name": "a", "share": 50, "control": "everything"}, {"name": "b", "share": 50}]}, "control"),
    ({"arms": [{"name": "a", "share": 50, "colour": "red"}, {"name": "b", "share": 50}]}, "unknown fields"),
    ({"primary_metric": "happiness"}, "primary_metric"),
    ({"alpha": 0.7}, "alpha"),
])
def test_a_bad_experiment_is_refused_with_a_400_that_says_why(staff, body, says):
    answer = _create(staff, **body)
    assert answer.status_code == 400, answer.content
    assert says in str(answer.json())


def test_a_second_running_experiment_or_stopping_a_draft_is_a_400(staff):
    first = _create(staff).json()["id"]
    second = _create(staff, name="other").json()["id"]
    assert staff.post(f"/api/experiments/{second}/stop/").status_code == 400
    assert staff.post(f"/api/experiments/{first}/start/").status_code == 200
    answer = staff.post(f"/api/experiments/{second}/start/")
    assert answer.status_code == 400 and "another experiment is running" in answer.json()["detail"]
    assert staff.post(f"/api/experiments/{first}/start/").status_code == 400  # already running
    assert staff.get("/api/experiments/999999/").status_code == 404


def test_bad_metric_filters_are_a_400(staff):
    assert staff.get("/api/metrics/recommendations/", {"days": 0}).status_code == 400
    assert staff.get("/api/metrics/recommendations/", {"source": "astrology"}).status_code == 400
    assert staff.get("/api/metrics/recommendations/", {"rail": "DROP TABLE"}).status_code == 400
