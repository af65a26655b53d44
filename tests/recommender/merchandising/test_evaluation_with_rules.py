"""evaluate reports the blend with and without the staff's rules, on a tiny demo shop (no image vectors needed)."""

import json

import pytest
from django.core.cache import cache
from django.core.management import call_command

from recommender.models import MerchandisingRule
from shop.catalog.models import Product

pytestmark = pytest.mark.django_db


def evaluate(capsys) -> dict:
    call_command("evaluate", json=True, k=10)
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_evaluate_reports_the_blend_with_and_without_the_rules(capsys):
    cache.clear()
    call_command("demo_data", products=60, shoppers=40, verbosity=0)

    plain = evaluate(capsys)
    assert plain["sources"]["hybrid_merchandised"] == plain["sources"]["hybrid"]  # no rules: the same lists
    assert plain["merchandising"]["shoppers_with_rules"] == 0

    recalled, hero = Product.objects.order_by("pk")[:2]
    MerchandisingRule.objects.create(name="Recall", kind="exclude", match_product=recalled)
    MerchandisingRule.objects.create(name="Hero", kind="pin", placement="home", position=1, product=hero)
    steered = evaluate(capsys)
    assert steered["merchandising"]["shoppers_with_rules"] == steered["shoppers"] > 0
    assert steered["sources"]["hybrid"] == plain["sources"]["hybrid"]  # every other list ignores the rules
    assert all(0 <= v <= 1 for v in steered["sources"]["hybrid_merchandised"].values())
    ratio = steered["merchandising"]["ndcg_with_vs_without"]
    assert ratio is None or ratio >= 0
