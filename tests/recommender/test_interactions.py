"""Shop events become interaction rows: kinds and weights, collapsing, login merge, order dedupe."""

from datetime import timedelta

import pytest
from django.utils import timezone

from recommender.interactions.services import InteractionEvent, interactions_record_bulk
from recommender.models import Interaction
from shop import events
from tests.factories import UserFactory, product_with_sizes

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def rows(**filters):
    return list(Interaction.objects.filter(**filters).order_by("id").values_list("kind", "weight", "product_id"))


def test_each_shop_event_becomes_a_row_with_its_kind_and_weight():
    user = UserFactory()
    product = product_with_sizes(image=False)
    variant = product.variants.first()
    common = dict(sender="test", user=user, session_key="s1", at=None)
    events.product_viewed.send(product_id=product.pk, **common)
    events.recommendation_clicked.send(product_id=product.pk, rail="looks_like", **common)
    events.product_liked.send(product_id=product.pk, liked=True, **common)
    events.cart_item_added.send(product_id=product.pk, variant_id=variant.pk, quantity=1, **common)
    events.order_placed.send(order_id=41, items=[(product.pk, variant.pk, 2)], **common)
    assert rows(user=user) == [("view", 1.0, product.pk), ("click", 1.5, product.pk), ("like", 3.0, product.pk),
                               ("cart", 4.0, product.pk), ("purchase", 6.0, product.pk)]
    assert Interaction.objects.get(kind="click").rail == "looks_like"


def test_an_unlike_takes_the_like_back():
    product = product_with_sizes(image=False)
    events.product_liked.send(sender="test", user=None, session_key="g1", at=None, product_id=product.pk, liked=True)
    events.product_liked.send(sender="test", user=None, session_key="g1", at=None, product_id=product.pk, liked=False)
    assert rows() == []


def test_rapid_repeated_views_collapse_into_one_row_but_a_later_visit_counts_again():
    product = product_with_sizes(image=False)
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    for minutes in (1, 5, 12, 20):
        events.product_viewed.send(sender="test", user=None, session_key="g1", at=start + timedelta(minutes=minutes),
                                   product_id=product.pk)
    assert Interaction.objects.count() == 1
    events.product_viewed.send(sender="test", user=None, session_key="g1", at=start + timedelta(hours=3),
                               product_id=product.pk)
    events.product_viewed.send(sender="test", user=None, session_key="other", at=start + timedelta(minutes=2),
                               product_id=product.pk)
    assert Interaction.objects.count() == 3


def test_a_resent_order_makes_one_row_per_order_line():
    user = UserFactory()
    shirt = product_with_sizes(sizes=[("M", 5), ("L", 5)], image=False)
    m, l = shirt.variants.order_by("size")
    items = [(shirt.pk, m.pk, 1), (shirt.pk, l.pk, 1)]
    for _ in range(2):
        events.order_placed.send(sender="test", user=user, session_key=None, at=None, order_id=7, items=items)
    assert sorted(Interaction.objects.values_list("order_id", "variant_id")) == sorted([(7, m.pk), (7, l.pk)])


def test_a_guests_history_follows_them_into_their_account_at_login(client):
    user = UserFactory(username="ada")
    shirt, shoes = product_with_sizes(image=False), product_with_sizes(image=False)
    client.post(f"/likes/{shirt.pk}/", {"liked": "1"})  # the first write gives the guest a key
    client.get(shoes.get_absolute_url())
    client.get(shirt.get_absolute_url() + "?rail=looks_like")
    guest_key = client.session.session_key
    assert set(Interaction.objects.filter(session_key=guest_key, user=None).values_list("kind", flat=True)) == {
        "like", "view", "click"}
    assert client.post("/accounts/login/", {"username": "ada", "password": PASSWORD}).status_code == 302
    assert client.session.session_key != guest_key  # login rotated the key
    assert Interaction.objects.filter(user=None).count() == 0
    assert list(Interaction.objects.filter(user=user).order_by("-created_at", "-id").values_list("product_id", "kind")) == [
        (shirt.pk, "click"), (shirt.pk, "view"), (shoes.pk, "view"), (shirt.pk, "like")]


def test_merging_drops_a_guest_row_the_account_already_has():
    user = UserFactory()
    product = product_with_sizes(image=False)
    events.product_liked.send(sender="test", user=user, session_key="a", at=None, product_id=product.pk, liked=True)
    events.product_liked.send(sender="test", user=None, session_key="g", at=None, product_id=product.pk, liked=True)
    from recommender.interactions.services import interactions_merge_guest

    assert interactions_merge_guest(session_key="g", user_id=user.pk) == 0
    assert rows() == [("like", 3.0, product.pk)]


def test_twenty_thousand_events_are_recorded_in_one_bulk_call():
    # How fast is for `bench signals` to say; here: all of them land, none collapsed.
    products = [product_with_sizes(image=False, sizes=[("M", 1)]).pk for _ in range(20)]
    now = timezone.now()
    batch = [InteractionEvent(kind="view", product_id=products[i % 20], session_key=f"g{i // 20}",
                              at=now - timedelta(minutes=i)) for i in range(20_000)]
    assert interactions_record_bulk(events=batch) == 20_000
