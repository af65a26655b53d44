"""evaluate and tune_weights on a tiny demo shop (60 products, 40 shoppers, real Lite0 vectors)."""

import json

import pytest
from django.core.cache import cache
from django.core.management import call_command

from recommender.conf import recommender_setting
from recommender.models import EvaluationRun, Interaction, RecommenderSettings
from recommender.recommend.service import recommendation_weights

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny_demo():
    cache.clear()
    call_command("demo_data", products=60, shoppers=40, verbosity=0)
    call_command("embed", missing=True, sync=True, verbosity=0)


def last_json_line(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_evaluate_tune_weights_and_visual_on_a_tiny_demo(tiny_demo, capsys, tmp_path):
    interactions = Interaction.objects.count()

    call_command("evaluate", json=True, k=10)
    summary = last_json_line(capsys)
    assert summary["k"] == 10
    assert set(summary["sources"]) >= {"popularity", "visual", "co_view", "co_buy", "profile", "hybrid"}
    for metrics in summary["sources"].values():
        assert set(metrics) >= {"ndcg", "precision", "recall", "coverage"}
        assert all(0 <= v <= 1 for v in metrics.values())
    run = EvaluationRun.objects.get()
    assert run.chart.endswith(".png") and (tmp_path / "media" / run.chart).is_file()
    assert Interaction.objects.count() == interactions  # the held-out rows came back (rolled back)

    call_command("tune_weights", rounds=1, no_test=True)
    tuned = last_json_line(capsys)["weights"]
    row = RecommenderSettings.objects.get()
    assert row.weights == tuned and "validation split" in row.notes
    assert recommendation_weights() == {**recommender_setting("WEIGHTS"), **tuned}


    call_command("evaluate", visual=True, json=True)
    visual = last_json_line(capsys)
    assert visual["products"] > 0 and 0 <= visual["p_at_10"] <= 1
