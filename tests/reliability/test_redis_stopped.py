"""Redis stopped: the cache and the Celery broker point at a loopback port nothing listens on.

Pages still render (rails degrade quietly), orders and events are still saved in PostgreSQL, an image
save logs that it could not queue, and the reconciler finds that image once Redis is back.
"""

import socket
import uuid

import pytest
from django.test import Client

from recommender.embeddings import service
from recommender.models import Interaction
from shop.catalog.models import ProductImage
from shop.celery import app
from shop.orders.models import Order
from tests.factories import CartFactory, CartItemFactory, ProductImageFactory, UserFactory, product_with_sizes
from tests.helpers.vectors import direction, with_vector


def dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_stopped(settings):
    dead = f"redis://127.0.0.1:{dead_port()}/0"
    # Read before the settings change: Celery loads its configuration from Django settings lazily, on
    # first use, and would otherwise "save" the dead URL and leave it behind for later tests.
    saved = app.conf.broker_url
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": dead}}
    settings.CELERY_BROKER_URL = dead
    # The Celery app read its broker at start-up and keeps a connection pool: repoint it, drop the pools.
    app.conf.broker_url = dead
    app._pool = None
    app.amqp._producer_pool = None
    yield dead
    app.conf.broker_url = saved
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def catalogue(db):
    products = [
        with_vector(product_with_sizes(name=f"Linen Shirt {n}", sizes=[("M", 3)]), direction(n)) for n in range(4)
    ]
    return products


@pytest.mark.django_db
def test_with_redis_stopped_every_page_renders(redis_stopped, catalogue):
    product = catalogue[0]
    shopper = UserFactory()
    CartItemFactory(cart=CartFactory(user=shopper), variant=product.variants.get(), quantity=1)
    guest, signed_in = Client(), Client()
    signed_in.force_login(shopper)
    urls = ["/", product.category.get_absolute_url(), product.get_absolute_url(), "/cart/", "/search/?q=linen",
            "/likes/", "/search/photo/", "/api/products/", f"/api/products/{product.pk}/",
            f"/api/products/{product.pk}/similar/"]
    failed = {}
    for client in (guest, signed_in):
        for url in urls:
            status = client.get(url).status_code
            if status != 200:
                failed[url] = status
    for client, url in ((signed_in, "/checkout/"), (guest, "/accounts/login/")):
        status = client.get(url).status_code
        if status != 200:
            failed[url] = status
    assert failed == {}


@pytest.mark.django_db
def test_with_redis_stopped_the_recommendations_api_answers(redis_stopped, catalogue):
    assert Client().get("/api/recommendations/").status_code == 200


@pytest.mark.django_db
def test_with_redis_stopped_an_order_and_a_view_are_saved(redis_stopped, catalogue, django_capture_on_commit_callbacks):
    product = catalogue[0]
    shopper = UserFactory()
    CartItemFactory(cart=CartFactory(user=shopper), variant=product.variants.get(), quantity=1)
    client = Client()
    client.force_login(shopper)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(product.get_absolute_url())
        response = client.post("/checkout/", {
            "full_name": "Ada", "email": "ada@example.com", "address_line1": "1 Road", "city": "Leeds",
            "postcode": "LS1", "country": "United Kingdom", "idempotency_key": str(uuid.uuid4())})
    order = Order.objects.get()
    assert response.status_code == 302 and response.url == order.get_absolute_url()
    assert Interaction.objects.filter(kind="view", user=shopper, product=product).count() == 1
    assert Interaction.objects.filter(kind="purchase", order_id=order.pk).count() == 1
    api = client.post("/api/events/", {"kind": "view", "product": catalogue[1].pk}, content_type="application/json")
    assert api.status_code in (202, 403)  # 403 only for a missing CSRF token on a session write


@pytest.mark.django_db
def test_with_redis_stopped_an_image_save_is_logged_and_the_reconciler_finds_it_later(
    redis_stopped, catalogue, django_capture_on_commit_callbacks, caplog, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        image = ProductImageFactory(product=catalogue[1])
    assert ProductImage.objects.filter(pk=image.pk).exists()
    assert "could not queue embeddings" in caplog.text
    queued = []
    service.embeddings_reconcile(enqueue=queued.append)  # Redis back: the beat task runs this
    assert image.pk in [pk for batch in queued for pk in batch]
