"""An arm reaches every recommendation, precomputed feeds included: a feed is computed and cached for the shopper's
arm, and the default's cached feed is never served to them (nor theirs to the default)."""

import pytest
from django.core.cache import cache

from recommender.experiments.assignment import arm_of
from recommender.experiments.services import experiment_stop
from recommender.interactions.versions import shopper_id, shopper_version
from recommender.recommend.feeds import feed_refresh
from recommender.models import ProductSignal
from recommender.ranking import Source
from tests.factories import UserFactory
from tests.helpers.experiments import started, trending_shop
from tests.helpers.feeds import feed, liked_and_lookalikes

pytestmark = pytest.mark.django_db(transaction=True)

ARMS = [{"name": "popular", "share": 50, "control": "popularity"},
        {"name": "popular2", "share": 50, "control": "popularity"}]


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    settings.RECOMMENDER = {"FEED_PRECOMPUTE": False}
    cache.clear()


def _trending_ids() -> set[int]:
    return set(ProductSignal.objects.filter(trending__gt=0).values_list("product_id", flat=True))


def test_a_precomputed_feed_is_ranked_for_the_shoppers_arm_and_served_from_the_cache():
    trending_shop()
    user = UserFactory()
    _, similar = liked_and_lookalikes(user)
    default, _ = feed(user)
    assert set(default) & {p.pk for p in similar}  # the default ranks the look-alikes
    experiment = started(arms=ARMS)
    who = shopper_id(user_id=user.pk)
    assert feed_refresh(who=who, version=shopper_version(who)) == "cached"
    arm = arm_of(experiment_id=experiment.pk, shopper=who, arms=[("popular", 50), ("popular2", 50)])
    version = shopper_version(who)
    assert cache.get(f"recommender:feed:home:{who}:{version}::x{experiment.pk}.{arm}") is not None
    ranked, queries = feed(user)
    assert queries <= 4 and ranked and set(ranked) <= _trending_ids()  # the arm's, from the precomputed cache
    experiment_stop(experiment=experiment)
    again, _ = feed(user)
    assert again == default


def test_a_popularity_arm_ranks_only_trending_items_on_the_api(client):
    trending_shop()
    user = UserFactory()
    liked_and_lookalikes(user)
    started(arms=ARMS)
    client.force_login(user)
    items = client.get("/api/recommendations/", {"k": 6}).json()
    assert items and {item["source"] for item in items} == {str(Source.TRENDING)}
