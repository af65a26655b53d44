"""The embedding pipeline end to end: real Celery worker, real Redis, real PostgreSQL, real encoder."""

import pytest
from django.core.files.base import ContentFile
from django.db import transaction

from recommender.embeddings import service
from recommender.models import EmbeddingStatus, ImageEmbedding, ProductEmbedding
from recommender.tasks import embed_images_task
from shop.catalog.models import ProductImage
from tests.factories import ProductFactory, jpeg_bytes
from tests.worker import Worker, purge_queue, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(settings):
    purge_queue()
    running = Worker(settings).start()
    yield running
    running.stop()


def add_image(product, data, name="photo.jpg"):
    with transaction.atomic():  # the task is queued on commit, as in admin
        return ProductImage.objects.create(product=product, image=ContentFile(data, name=name))


def statuses(*images):
    rows = dict(ImageEmbedding.objects.filter(image__in=images).values_list("image_id", "status"))
    return [rows.get(image.pk) for image in images]


def test_a_saved_image_gets_a_ready_vector_from_the_worker(worker):
    image = add_image(ProductFactory(), jpeg_bytes(colour=(30, 90, 200), size=(300, 400)))
    wait_for(lambda: statuses(image) == [EmbeddingStatus.READY], timeout=120)
    row = ImageEmbedding.objects.get(image=image)
    assert row.sha256 == image.sha256 and len(row.vector) == 1280 and row.attempts == 1
    assert ProductEmbedding.objects.filter(product=image.product, encoder="lite0").exists()


def test_a_corrupt_image_fails_with_its_reason_and_the_worker_keeps_going(worker):
    product = ProductFactory()
    corrupt = add_image(product, jpeg_bytes(size=(200, 200))[:300], name="cut.jpg")
    text = add_image(product, b"<html><script>alert(1)</script></html>", name="page.jpg")
    good = add_image(ProductFactory(), jpeg_bytes(colour=(10, 200, 10)))
    wait_for(lambda: None not in statuses(corrupt, text, good)
             and EmbeddingStatus.PENDING not in statuses(corrupt, text, good), timeout=120)
    assert statuses(corrupt, text, good) == [EmbeddingStatus.FAILED, EmbeddingStatus.FAILED, EmbeddingStatus.READY]
    reasons = {row.image_id: row.error for row in ImageEmbedding.objects.filter(image__in=[corrupt, text])}
    assert reasons[corrupt.pk] == "This file is damaged or incomplete."
    assert "not a jpeg, png, webp or gif" in reasons[text.pk].lower()
    assert worker.process.poll() is None


def test_a_worker_killed_mid_batch_leaves_every_image_embedded_after_restart(settings):
    settings.RECOMMENDER = {"EMBED_BATCH_SIZE": 4, "RECONCILE_GRACE_SECONDS": 0}
    purge_queue()
    products = [ProductFactory() for _ in range(40)]
    images = [add_image(p, jpeg_bytes(colour=(i * 6, 50, 100))) for i, p in enumerate(products)]
    purge_queue()  # drop the one-image tasks the saves queued: this test queues batches itself
    ids = sorted(i.pk for i in images)
    worker = Worker(settings).start()
    try:
        for start in range(0, len(ids), 4):
            embed_images_task.delay(ids[start : start + 4])
        ready = ImageEmbedding.objects.filter(image_id__in=ids, status=EmbeddingStatus.READY)
        wait_for(lambda: ready.count() >= 4, timeout=120)
        worker.kill()
        assert ready.count() < len(ids), "the worker finished before it could be killed"
    finally:
        worker.stop()
    worker = Worker(settings).start()
    try:
        # The database, not the queue, says what is missing: the reconciler re-queues it.
        queued = service.embeddings_reconcile(enqueue=lambda batch: embed_images_task.delay(batch))
        assert queued > 0
        wait_for(lambda: ready.count() == len(ids), timeout=180)
    finally:
        worker.stop()
    assert ImageEmbedding.objects.filter(image_id__in=ids).count() == len(ids)  # no duplicates
    assert ProductEmbedding.objects.filter(product__in=products).count() == len(products)
