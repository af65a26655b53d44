"""Home feeds precomputed in bulk: who is picked, what a returning shopper is served, real PostgreSQL and Redis."""

from datetime import timedelta

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from recommender.recommend.feed_batch import active_shoppers, feeds_precompute
from recommender.interactions.versions import shopper_id, shopper_version_key
from recommender.interactions.services import interaction_record
from shop.settings.base import cache_url
from tests.factories import UserFactory, product_with_sizes
from tests.helpers.feeds import feed, liked_and_lookalikes

pytestmark = pytest.mark.django_db(transaction=True)  # version bumps run on commit


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def seconds_left(key: str) -> int:
    client = redis.Redis.from_url(cache_url(django_settings.REDIS_URL))
    return client.ttl(cache.make_key(key))


def test_active_shoppers_are_the_latest_first_within_the_window_and_the_limit():
    product = product_with_sizes()
    now = timezone.now()
    early, late, old = UserFactory(), UserFactory(), UserFactory()
    interaction_record(kind="view", product_id=product.pk, user_id=early.pk, at=now - timedelta(hours=5))
    interaction_record(kind="view", product_id=product.pk, user_id=late.pk, at=now - timedelta(hours=1))
    interaction_record(kind="view", product_id=product.pk, session_key="guest-1", at=now - timedelta(hours=3))
    interaction_record(kind="view", product_id=product.pk, user_id=old.pk, at=now - timedelta(days=9))
    interaction_record(kind="view", product_id=product.pk, at=now)  # a visitor without a session: nobody to serve

    assert active_shoppers(limit=10, days=7) == [f"u{late.pk}", "sguest-1", f"u{early.pk}"]
    assert active_shoppers(limit=2, days=7) == [f"u{late.pk}", "sguest-1"]
    assert active_shoppers(limit=10, days=30)[-1] == f"u{old.pk}"
    assert active_shoppers(limit=0, days=7) == []


def test_a_returning_shopper_is_served_the_precomputed_feed_in_one_query():
    user = UserFactory()
    liked_and_lookalikes(user)
    computed, _ = feed(user)
    cache.clear()  # as after FEED_CACHE_SECONDS: their next request would compute again

    report = feeds_precompute(active_shoppers(limit=10, days=1), cache_seconds=7200)

    assert (report.cached, report.stale, report.gone) == (1, 0, 0)
    served, queries = feed(user)
    assert served == computed and queries == 1  # the stock re-check only


def test_after_the_batch_a_returning_shoppers_api_request_serialises_nothing(client):
    user = UserFactory()
    liked_and_lookalikes(user)
    feeds_precompute([shopper_id(user_id=user.pk)], cache_seconds=7200)
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/recommendations/", {"placement": "home", "k": 4})
    assert response.status_code == 200 and len(response.json()) == 4
    assert response.json()[0]["product"]["image"].startswith("http://testserver/")
    assert len(queries.captured_queries) == 3  # the session, the user, the stock re-check


def test_a_precomputed_feed_and_its_version_outlive_the_request_cache():
    user = UserFactory()
    liked_and_lookalikes(user)
    who = shopper_id(user_id=user.pk)
    feeds_precompute([who], cache_seconds=7200)
    version = cache.get(shopper_version_key(who))
    assert 7100 < seconds_left(f"recommender:feed:home:{who}:{version}:") <= 7200
    # The version key outlives the feed: counting again from 1 after it expired must never reach this feed.
    assert seconds_left(shopper_version_key(who)) > 7200


def test_a_shopper_who_acts_after_the_batch_is_not_served_the_batch_feed():
    user = UserFactory()
    liked, _ = liked_and_lookalikes(user)
    feeds_precompute([shopper_id(user_id=user.pk)], cache_seconds=7200)
    interaction_record(kind="view", product_id=product_with_sizes().pk, user_id=user.pk)
    _, queries = feed(user)
    assert queries > 1


def test_a_deleted_user_is_skipped_and_a_guest_is_served_by_session():
    gone = UserFactory()
    liked_and_lookalikes(gone)
    guest_product = product_with_sizes()
    interaction_record(kind="view", product_id=guest_product.pk, session_key="guest-7")
    shoppers = active_shoppers(limit=10, days=1)
    gone.delete()

    report = feeds_precompute(shoppers, cache_seconds=600)

    assert (report.cached, report.gone) == (1, 1)
    version = cache.get(shopper_version_key("sguest-7"))
    assert cache.get(f"recommender:feed:home:sguest-7:{version}:") is not None


def test_the_command_reports_what_it_did_and_refuses_bad_arguments(capsys):
    user = UserFactory()
    liked_and_lookalikes(user)
    call_command("precompute_feeds", "--days", "1", verbosity=0)
    assert "1 feeds cached, 0 skipped" in capsys.readouterr().out
    assert feed(user)[1] == 1
    with pytest.raises(CommandError, match="--days"):
        call_command("precompute_feeds", "--days", "0")


@pytest.mark.worker
def test_the_beat_task_has_workers_precompute_every_active_shoppers_feed(settings):
    from recommender.tasks import precompute_feeds_task
    from tests.worker import Worker, purge_queue, wait_for

    users = [UserFactory() for _ in range(3)]
    for user in users:
        liked_and_lookalikes(user)
    purge_queue()  # the refreshes the likes queued: this test is about the batch
    cache.clear()
    whos = [shopper_id(user_id=user.pk) for user in users]
    worker = Worker(settings).start()
    try:
        precompute_feeds_task.delay()  # what the beat sends: the worker picks the shoppers and queues chunks
        wait_for(lambda: all(cache.get(f"recommender:feed:home:{who}:{cache.get(shopper_version_key(who))}:") is not None
                             for who in whos), timeout=90, what="every feed cached")
    finally:
        worker.stop()
    assert all(feed(user)[1] == 1 for user in users)
