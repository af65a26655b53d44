"""The per-shopper feed cache: served until the shopper acts, re-checked for stock, real PostgreSQL and Redis."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recommender.feeds import recommend_for_shopper
from recommender.interactions.services import interaction_record
from shop.accounts.models import Profile
from shop.catalog.models import Variant
from tests.factories import UserFactory, product_with_sizes
from tests.recommender.test_rails import direction, lookalikes, with_vector

pytestmark = pytest.mark.django_db(transaction=True)  # the version bump runs on commit


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def feed(user):
    with CaptureQueriesContext(connection) as queries:
        ranked = recommend_for_shopper(placement="home", user=user, k=4)
    return [item.product_id for item in ranked], len(queries.captured_queries)


def liked_and_lookalikes(user, seed=5):
    base = direction(seed)
    liked = with_vector(product_with_sizes(name="Liked coat"), base)
    similar = lookalikes(base, 8)
    interaction_record(kind="like", product_id=liked.pk, user_id=user.pk)
    return liked, similar


def test_a_second_request_is_served_from_the_cache_in_one_query():
    user = UserFactory()
    liked_and_lookalikes(user)
    first, computed = feed(user)
    again, served = feed(user)
    assert again == first and len(first) == 4
    assert served == 1 < computed  # only the stock re-check


def test_anything_the_shopper_does_makes_the_next_request_recompute():
    user = UserFactory()
    _, similar = liked_and_lookalikes(user)
    first, _ = feed(user)
    interaction_record(kind="view", product_id=first[0], user_id=user.pk)
    _, queries = feed(user)
    assert queries > 1


def test_a_cached_item_that_sold_out_is_dropped_and_the_next_fills_in():
    user = UserFactory()
    liked_and_lookalikes(user)
    first, _ = feed(user)
    Variant.objects.filter(product_id=first[0]).update(stock=0)
    again, served = feed(user)
    assert served == 1
    assert first[0] not in again and again[:3] == first[1:] and len(again) == 4


def test_changing_the_profile_sizes_recomputes_with_the_new_size():
    user = UserFactory()
    base = direction(6)
    liked = with_vector(product_with_sizes(name="Liked shirt"), base)
    interaction_record(kind="like", product_id=liked.pk, user_id=user.pk)
    only_l = lookalikes(base, 3, sizes=(("M", 0), ("L", 4)))
    only_m = lookalikes(base, 3, sizes=(("M", 4), ("L", 0)))
    Profile.objects.create(user=user, sizes={"tops": "M"})
    ids, _ = feed(user)
    assert set(ids) & {p.pk for p in only_m} and not set(ids) & {p.pk for p in only_l}
    profile = Profile.objects.get(user=user)
    profile.sizes = {"tops": "L"}
    profile.save()
    ids, queries = feed(user)
    assert queries > 1
    assert set(ids) & {p.pk for p in only_l} and not set(ids) & {p.pk for p in only_m}


def test_with_the_cache_down_every_request_computes(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}
    user = UserFactory()
    liked_and_lookalikes(user)
    first, computed = feed(user)
    again, queries = feed(user)
    assert again == first and len(first) == 4 and queries == computed
