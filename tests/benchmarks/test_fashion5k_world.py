"""The fashion-5k world's shopper simulator on a tiny catalogue (real PostgreSQL)."""

from collections import defaultdict
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from benchmarks.worlds import world_shopper_ids
from benchmarks.worlds.fashion5k import fashion5k_shoppers_create
from recommender.models import Interaction
from tests.factories import CategoryFactory, product_with_sizes

pytestmark = pytest.mark.django_db


def tiny_catalogue():
    for kind in ("Tshirts", "Jeans", "Casual Shoes"):
        category = CategoryFactory(name=kind)
        for n in range(8):
            product_with_sizes(image=False, category=category, gender="men" if n % 2 else "women",
                               base_colour=("Blue", "Black", "Red")[n % 3], usage="Casual", price=20 + 5 * n)


def test_simulated_shoppers_have_timed_sessions_and_come_back_to_buy_what_they_viewed_before():
    tiny_catalogue()
    end = timezone.now()
    report = fashion5k_shoppers_create(shoppers=12, seed=3, end=end)
    assert report["created"] == 12 and report["events"] == Interaction.objects.count() > 0
    assert len(world_shopper_ids("fashion5k")) == 12
    rows = Interaction.objects.order_by("created_at").values_list("user_id", "product_id", "kind", "created_at")
    first_view, returns, buyers = {}, 0, set()
    sessions = defaultdict(set)
    for user, product, kind, at in rows:
        assert end - timedelta(weeks=11) <= at <= end
        sessions[user].add(at.date())
        if kind == "view":
            first_view.setdefault((user, product), at)
        if kind == "purchase":
            buyers.add(user)
            seen = first_view.get((user, product))
            returns += seen is not None and at - seen > timedelta(hours=1)
    assert returns > 0 and buyers
    assert all(len(days) >= 2 for days in sessions.values())
    again = fashion5k_shoppers_create(shoppers=12, seed=3, end=end)
    assert again["created"] == 0 and get_user_model().objects.count() == 12
