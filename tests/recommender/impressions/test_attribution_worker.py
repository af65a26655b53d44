"""Impressions, clicks and purchases line up, through real HTTP requests and a real Celery worker running the
flush and the metrics rebuild: a purchase within the window counts once, for the arm that showed the product."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from recommender.impressions.attribution import attribution_sweep
from recommender.models import Attribution, Impression, Interaction, OnlineMetric
from shop.orders.models import Order
from tests.factories import UserFactory
from tests.helpers.experiments import ADDRESS, PASSWORD, card_links, flushed, started, trending_shop

pytestmark = pytest.mark.django_db(transaction=True)

ARMS = [{"name": "control", "share": 50, "is_control": True}, {"name": "heavy", "share": 50,
                                                                  "weights": {"trending": 2.0}}]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _shop_then_buy(client, *, products):
    """A guest sees the home rail twice, clicks a card, adds it to the cart, signs in and checks out."""
    client.get("/")
    page = client.get("/").content.decode()
    path, rail, request_id = card_links(page)[0]
    product = next(p for p in products if p.get_absolute_url() == path)
    assert client.get(f"{path}?rail={rail}&rid={request_id}").status_code == 200
    variant = product.variants.get()
    client.post("/cart/add/", {"variant": variant.pk, "quantity": 2})
    user = UserFactory(password=PASSWORD)
    assert client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    key = client.get("/checkout/").context["form"]["idempotency_key"].value()
    assert client.post("/checkout/", {**ADDRESS, "idempotency_key": key}).status_code == 302
    return user, product, request_id


def _succeeded(worker, task: str) -> int:
    return sum(1 for line in worker.output().splitlines() if task in line and "succeeded" in line)


@pytest.mark.worker
def test_a_purchase_within_the_window_counts_once_for_the_arm_that_showed_it(client, settings):
    from recommender.impressions.tasks import flush_impressions_task, rebuild_online_metrics_task
    from tests.worker import Worker, purge_queue, wait_for

    products = trending_shop()
    experiment = started(arms=ARMS)
    user, product, request_id = _shop_then_buy(client, products=products)
    order = Order.objects.get(user=user)
    purge_queue()
    worker = Worker(settings, queues=("signals",)).start()
    try:
        flush_impressions_task.delay()
        wait_for(lambda: Attribution.objects.filter(kind="click").exists(), timeout=60, what="click attributed")
        rebuild_online_metrics_task.delay()
        rebuild_online_metrics_task.delay()  # a second run counts nothing twice
        wait_for(lambda: _succeeded(worker, "rebuild_online_metrics_task") == 2, timeout=90, what="two rebuilds")
    finally:
        worker.stop()

    shown = Impression.objects.filter(user_id=user.pk, rail="for_you", product_ids__contains=[product.pk])
    assert shown.count() == 2 and len({i.arm for i in shown}) == 1  # both home loads, one arm, now the account's
    arm = shown.first().arm
    click = Attribution.objects.get(kind="click")
    assert click.impression.request_id == request_id and click.product_id == product.pk
    purchase = Attribution.objects.get(kind="purchase")
    assert purchase.impression_id == click.impression_id  # the clicked impression, not the later reload
    assert purchase.impression.arm == arm and purchase.impression.experiment_id == experiment.pk
    assert purchase.order_id == order.pk and purchase.quantity == 2 and purchase.revenue == product.price * 2
    assert Attribution.objects.filter(kind="cart").count() == 1
    metric = OnlineMetric.objects.get(rail="for_you", source="", arm=arm)
    assert (metric.impressions, metric.clicks, metric.carts_after_click, metric.orders, metric.purchasers,
            metric.items_ordered) == (2, 1, 1, 1, 1, 2)
    assert metric.revenue == product.price * 2
    trending = OnlineMetric.objects.get(rail="for_you", source="trending", arm=arm)
    assert trending.clicks == 1 and trending.orders == 1


def test_a_purchase_after_the_window_is_not_attributed(client, settings):
    settings.RECOMMENDER = {"ATTRIBUTION_HOURS": 24}
    products = trending_shop()
    user, product, _ = _shop_then_buy(client, products=products)
    flushed()
    Impression.objects.update(shown_at=timezone.now() - timedelta(hours=25))
    Attribution.objects.all().delete()  # the click too: it happened "then"
    assert attribution_sweep() == 0
    assert not Attribution.objects.exists()
    assert Interaction.objects.filter(kind="purchase", user_id=user.pk).exists()


def test_a_purchase_of_a_product_never_shown_is_not_attributed(client):
    products = trending_shop()
    user, product, _ = _shop_then_buy(client, products=products)
    flushed()
    Impression.objects.update(product_ids=[p.pk for p in products if p.pk != product.pk] or [0])
    attribution_sweep()
    assert not Attribution.objects.filter(kind="purchase").exists()


def test_a_rerun_sweep_counts_nothing_twice(client):
    products = trending_shop()
    _shop_then_buy(client, products=products)
    flushed()
    first = attribution_sweep()
    assert first == 2 and attribution_sweep() == 0  # the cart addition and the purchase, once each
    assert Attribution.objects.filter(kind="purchase").get().revenue > Decimal("0")
