"""One queue per kind of work: a large embedding backlog never delays a shopper's feed refresh.

Real Redis broker, a real Celery worker consuming only the feeds queue (as production's feeds pool does).
"""

import time

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from recommender.interactions.versions import shopper_id, shopper_version_key
from recommender.interactions.services import interaction_record
from recommender.tasks import embed_images_task
from shop.celery import app
from tests.factories import UserFactory, product_with_sizes
from tests.worker import Worker, purge_queue, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

BACKLOG_IMAGES, CHUNK = 2000, 16


def queue_length(name: str) -> int:
    with app.connection_for_write() as conn:
        return conn.default_channel.client.llen(name)


def test_every_task_has_a_queue_a_worker_consumes():
    declared = {queue.name for queue in django_settings.CELERY_TASK_QUEUES}
    for name, route in django_settings.CELERY_TASK_ROUTES.items():
        assert name in app.tasks, f"route for an unknown task {name}"
        assert route["queue"] in declared
    ours = [name for name in app.tasks if name.startswith("recommender.")]
    assert ours and all(name in django_settings.CELERY_TASK_ROUTES for name in ours), "a task without its own queue"


@pytest.mark.worker
def test_a_feed_refresh_runs_while_two_thousand_images_wait_to_be_embedded(settings):
    settings.RECOMMENDER = {"FEED_PRECOMPUTE": True}
    purge_queue()
    cache.clear()
    product = product_with_sizes()  # its photo queues an embedding too
    for start in range(0, BACKLOG_IMAGES, CHUNK):  # an import's worth of embedding work, queued first
        embed_images_task.apply_async((list(range(start + 1, start + CHUNK + 1)),), retry=False)
    backlog = queue_length("images")
    assert backlog == BACKLOG_IMAGES // CHUNK + 1
    user = UserFactory()
    who = shopper_id(user_id=user.pk)
    worker = Worker(settings, queues=("feeds",)).start()
    try:
        queued_at = time.monotonic()
        interaction_record(kind="like", product_id=product.pk, user_id=user.pk)  # queues the refresh on commit
        key = f"recommender:feed:home:{who}:{cache.get(shopper_version_key(who))}:"
        wait_for(lambda: cache.get(key) is not None, timeout=60, what="the refreshed feed")
        print(f"feed refreshed {time.monotonic() - queued_at:.2f} s after the like, behind {backlog} embed tasks")
    finally:
        worker.stop()
    assert queue_length("images") == backlog  # the backlog is untouched: the refresh did not wait behind it
    purge_queue()
