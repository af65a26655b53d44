"""Simulated shoppers: accounts, a seeded history of events, baskets that pair items that go together."""

from datetime import datetime, timezone

import pytest
from django.contrib.auth import get_user_model

from shop import events
from shop.catalog.models import Product
from shop.demo import catalogue as demo_catalogue
from shop.demo.catalogue import demo_catalogue_create
from shop.demo.kinds import GOES_WITH, KINDS
from shop.demo.shoppers import demo_shoppers_create
from tests.factories import jpeg_bytes

FACTORY_JPEG = jpeg_bytes()

END = datetime(2025, 3, 1, tzinfo=timezone.utc)
SIGNALS = (events.product_viewed, events.product_liked, events.cart_item_added, events.order_placed)


@pytest.fixture
def captured():
    """Every demo event as (signal name, user id, session key, at, payload), in the order sent."""
    seen = []

    def receiver(signal, sender, user, session_key, at, **payload):
        name = {events.product_viewed: "viewed", events.product_liked: "liked",
                events.cart_item_added: "cart", events.order_placed: "order"}[signal]
        seen.append((name, user.username, session_key, at, payload))

    for signal in SIGNALS:
        signal.connect(receiver, dispatch_uid="test-demo-shoppers")
    yield seen
    for signal in SIGNALS:
        signal.disconnect(dispatch_uid="test-demo-shoppers")


@pytest.fixture
def catalogue(db, monkeypatch):
    # The photos play no part in shopping; skipping the drawing keeps these tests fast.
    monkeypatch.setattr(demo_catalogue, "render_job", lambda job: FACTORY_JPEG)
    demo_catalogue_create(products=60, seed=3, workers=1)


def test_the_same_seed_sends_the_same_events_in_the_same_order(catalogue, captured):
    demo_shoppers_create(shoppers=8, seed=3, end=END)
    first = list(captured)
    captured.clear()
    demo_shoppers_create(shoppers=8, seed=3, end=END)
    assert first and captured == first
    captured.clear()
    demo_shoppers_create(shoppers=8, seed=4, end=END)
    assert captured != first


def test_events_carry_the_shopper_a_session_and_a_time_within_eight_weeks(catalogue, captured):
    summary = demo_shoppers_create(shoppers=8, seed=3, end=END)

    assert summary.created == 8
    assert {name for name, *_ in captured} == {"viewed", "liked", "cart", "order"}
    assert {user for _, user, *_ in captured} <= {f"demo-shopper-00{i}" for i in range(1, 9)}
    assert all(key.startswith("demo-") for _, _, key, _, _ in captured)
    assert all((END - at).days <= 57 for *_, at, _ in captured)
    assert not any(u.has_usable_password() for u in get_user_model().objects.filter(username__startswith="demo-"))


def test_purchases_pair_items_that_go_together(catalogue, captured):
    demo_shoppers_create(shoppers=30, seed=3, end=END)
    kind_of = {p.id: p.attributes["article_type"] for p in Product.objects.all()}
    article = {kind.path[-1]: key for key, kind in KINDS.items()}
    pairs = 0
    for name, *_, payload in captured:
        if name == "order":
            kinds = {article[kind_of[product_id]] for product_id, _, _ in payload["items"]}
            pairs += any(partner in kinds for kind in kinds for partner in GOES_WITH[kind])
    assert pairs >= 3


def test_a_shopper_mostly_views_their_favourite_kinds(catalogue, captured):
    demo_shoppers_create(shoppers=10, seed=3, end=END)
    kind_of = {p.id: p.attributes["article_type"] for p in Product.objects.all()}
    for user in {user for _, user, *_ in captured}:
        views = [kind_of[p["product_id"]] for name, u, *_, p in captured if name == "viewed" and u == user]
        favourites = sorted(set(views), key=views.count, reverse=True)[:3]
        assert sum(views.count(k) for k in favourites) / len(views) > 0.5


def test_without_a_catalogue_shoppers_are_created_and_nothing_is_sent(db, captured):
    summary = demo_shoppers_create(shoppers=2, seed=3, end=END)
    assert summary.created == 2 and not captured
