"""The per-shopper feed cache: served until the shopper acts, re-checked for stock, real PostgreSQL and Redis."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recommender.recommend.feeds import recommend_with_stock
from recommender.interactions.services import interaction_record
from shop.accounts.models import Profile
from shop.catalog.models import Variant
from tests.factories import UserFactory, product_with_sizes
from tests.helpers.feeds import api_feed, feed, liked_and_lookalikes
from tests.helpers.vectors import direction, lookalikes, with_vector

pytestmark = pytest.mark.django_db(transaction=True)  # the version bump runs on commit


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


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


def test_the_api_serves_a_repeated_feed_without_serialising_it_again(client):
    user = UserFactory()
    liked_and_lookalikes(user)
    client.force_login(user)
    first, computed = api_feed(client)
    again, served = api_feed(client)
    assert again == first and len(first) == 4
    assert served <= 3 < computed  # session, user, the stock re-check


def test_a_renamed_product_or_a_size_sold_out_shows_at_once_in_the_api(client):
    user = UserFactory()
    liked_and_lookalikes(user, sizes=(("M", 3), ("L", 3)))
    client.force_login(user)
    first, _ = api_feed(client)
    product_id = first[0]["product"]["id"]
    from shop.catalog.models import Product

    product = Product.objects.get(pk=product_id)
    product.name = "Renamed coat"
    product.save()
    renamed, _ = api_feed(client)
    assert renamed[0]["product"]["name"] == "Renamed coat"
    Variant.objects.filter(product_id=first[1]["product"]["id"]).update(stock=0)
    Variant.objects.filter(product_id=first[2]["product"]["id"], size="L").update(stock=0)
    later, _ = api_feed(client)
    ids = [item["product"]["id"] for item in later]
    assert first[1]["product"]["id"] not in ids
    third = next(item for item in later if item["product"]["id"] == first[2]["product"]["id"])
    assert first[2]["product"]["sizes_in_stock"] == ["M", "L"] and third["product"]["sizes_in_stock"] == ["M"]



@pytest.mark.worker
def test_after_a_shopper_acts_a_worker_has_their_next_feed_ready(settings):
    from recommender.interactions.versions import shopper_id, shopper_version_key
    from tests.worker import Worker, purge_queue, wait_for

    settings.RECOMMENDER = {"FEED_PRECOMPUTE": True}
    purge_queue()
    user = UserFactory()
    who = shopper_id(user_id=user.pk)
    worker = Worker(settings).start()
    try:
        liked_and_lookalikes(user)  # a like, committed: the version goes up and a refresh is queued
        key = f"recommender:feed:home:{who}:{cache.get(shopper_version_key(who))}:"
        wait_for(lambda: cache.get(key) is not None, timeout=90)
    finally:
        worker.stop()
    ranked, queries = feed(user)
    assert queries == 1 and len(ranked) == 4  # the stock re-check only: nobody computed it on a request


def test_a_refresh_queued_before_the_shopper_acted_again_does_nothing():
    from recommender.interactions.versions import shopper_id, shopper_version_key
    from recommender.recommend.feeds import feed_refresh

    user = UserFactory()
    liked_and_lookalikes(user)
    who = shopper_id(user_id=user.pk)
    version = cache.get(shopper_version_key(who))
    interaction_record(kind="view", product_id=product_with_sizes().pk, user_id=user.pk)
    assert feed_refresh(who=who, version=version) == "stale"
    assert feed_refresh(who=who, version=cache.get(shopper_version_key(who))) == "cached"
    assert feed(user)[1] == 1


def test_visitors_without_an_account_or_a_session_share_one_cached_feed():
    user = UserFactory()
    liked_and_lookalikes(user)  # some products, and trending from this like
    from recommender.behaviour.services import signals_rebuild

    signals_rebuild()
    with CaptureQueriesContext(connection) as computed:
        first, _ = recommend_with_stock(placement="home", k=4)
    with CaptureQueriesContext(connection) as served:
        again, _ = recommend_with_stock(placement="home", k=4)
    assert [item.product_id for item in again] == [item.product_id for item in first] and first
    assert len(served.captured_queries) == 1 < len(computed.captured_queries)  # the stock re-check only
    # A guest with a session is still their own shopper: their feed is not the shared one.
    with CaptureQueriesContext(connection) as guest:
        recommend_with_stock(placement="home", session_key="guest-9", k=4)
    assert len(guest.captured_queries) > 1


def _queued_refreshes(who: str) -> int:
    """Refresh tasks for `who` waiting in the real Redis broker's feeds queue."""
    import json

    from django.conf import settings

    from shop.celery import app

    queue = settings.CELERY_TASK_ROUTES["recommender.tasks.refresh_feed_task"]["queue"]
    with app.connection_for_write() as conn:
        messages = conn.default_channel.client.lrange(queue, 0, -1)
    return sum(1 for raw in messages
               if json.loads(raw)["headers"]["task"].endswith("refresh_feed_task")
               and json.loads(raw)["headers"]["argsrepr"].startswith(f"('{who}',"))


def test_a_burst_of_actions_queues_one_refresh_which_ranks_for_the_latest_version():
    from recommender.interactions.versions import shopper_id, shopper_version_key
    from recommender.recommend.feeds import feed_refresh_latest

    user = UserFactory()
    who = shopper_id(user_id=user.pk)
    product = product_with_sizes()
    before = _queued_refreshes(who)  # a queue left by an earlier run may hold one for this user id
    for _ in range(12):  # a shopper clicking around, or a replayed history, with no worker up
        interaction_record(kind="cart", product_id=product.pk, user_id=user.pk)
    assert _queued_refreshes(who) == before + 1
    assert cache.get(shopper_version_key(who)) == 12
    liked_and_lookalikes(user)  # acted again while the refresh waited: it must rank for this newest version
    assert _queued_refreshes(who) == before + 1
    assert feed_refresh_latest(who=who) == "cached"
    assert feed(user)[1] == 1  # served from what the refresh cached
    interaction_record(kind="view", product_id=product.pk, user_id=user.pk)
    assert _queued_refreshes(who) == before + 2  # the refresh ran: the next action queues the next one


def test_replayed_history_retires_the_cached_feed_but_queues_no_refresh():
    from datetime import timedelta

    from django.utils import timezone

    from recommender.interactions.versions import shopper_id, shopper_version_key

    user = UserFactory()
    who = shopper_id(user_id=user.pk)
    product = product_with_sizes()
    before = _queued_refreshes(who)
    last_month = timezone.now() - timedelta(days=30)
    interaction_record(kind="cart", product_id=product.pk, user_id=user.pk, at=last_month)  # e.g. demo_data
    assert cache.get(shopper_version_key(who)) == 1  # a feed cached before the replay is not served
    assert _queued_refreshes(who) == before  # nobody is on a page waiting for it
    interaction_record(kind="view", product_id=product.pk, user_id=user.pk)  # the shopper, now
    assert _queued_refreshes(who) == before + 1
