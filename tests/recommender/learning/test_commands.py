"""train_ranker, evaluate --shopper-ids and evaluate_world as an operator runs them, on an empty shop."""

import json

import pytest
from django.core.management import CommandError, call_command

from recommender.models import RankerStatus, RankerVersion

pytestmark = pytest.mark.django_db


def test_train_ranker_on_an_empty_shop_records_why_the_blend_serves(capsys):
    call_command("train_ranker", json=True, verbosity=0)
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["status"] == RankerStatus.SKIPPED and "too little history" in summary["reason"]
    assert RankerVersion.objects.get().status == RankerStatus.SKIPPED


def test_evaluating_a_world_the_database_does_not_hold_is_a_clear_error():
    with pytest.raises(CommandError, match="no fashion5k shoppers"):
        call_command("evaluate_world", "fashion5k", learned=True, verbosity=0)


def test_shopper_ids_that_are_not_ids_are_a_clear_error():
    with pytest.raises(CommandError, match="comma-separated user ids"):
        call_command("evaluate", shopper_ids="3,seventeen", verbosity=0)
