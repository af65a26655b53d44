"""Staff rules as shoppers meet them: on the product page, in /api/recommendations/, in the feed and the similar
list, made through the real rules API on the real database, vectors in pgvector and the cache in Redis."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from recommender.interactions.versions import shopper_id, shopper_version_kept
from recommender.interactions.services import interaction_record
from recommender.ranking.rules import PICKED_REASON
from recommender.recommend.feeds import feed_refresh
from tests.factories import UserFactory, product_with_sizes
from tests.helpers.merchandising import api_items, page_rails, product_page_world, rule_post, staff_client
from tests.helpers.vectors import direction, lookalikes, with_vector

pytestmark = pytest.mark.django_db


def test_a_pin_shows_at_its_position_on_the_product_page_and_in_the_api(client):
    world = product_page_world()
    staff, _ = staff_client(Client())
    rule_post(staff, name="Spring first", kind="pin", placement="product", product=world.other.pk, position=2)

    looks_like = page_rails(client, world.anchor)["looks_like"]
    assert looks_like[1] == (world.other.pk, PICKED_REASON)
    assert len(looks_like) == 8  # the pin takes a place, it does not lengthen the rail

    items = api_items(client, placement="product", product=world.anchor.pk)
    assert items[1]["product"]["id"] == world.other.pk
    assert items[1]["reason"] == PICKED_REASON and items[1]["source"] == "merchandising"


def test_an_out_of_stock_pin_is_skipped_and_the_rail_stays_full(client):
    world = product_page_world()
    sold_out = with_vector(product_with_sizes(name="Sold-out boots", sizes=(("M", 0),)), direction(300))
    staff, _ = staff_client(Client())
    rule_post(staff, name="Boots first", kind="pin", product=sold_out.pk, position=1)

    looks_like = page_rails(client, world.anchor)["looks_like"]
    assert sold_out.pk not in [pid for pid, _ in looks_like] and len(looks_like) == 8
    assert sold_out.pk not in [i["product"]["id"] for i in api_items(client, placement="product",
                                                                     product=world.anchor.pk)]


def test_an_excluded_brand_never_appears_in_any_rail_feed_or_similar_list_while_still_in_search(client):
    world = product_page_world(brand_every=2)
    recalled = {p.pk for p in world.similar if p.brand == "Recalled"}
    shopper = UserFactory()
    interaction_record(kind="like", product_id=world.anchor.pk, user_id=shopper.pk)  # their feed: the look-alikes
    shopper_client = Client()
    shopper_client.force_login(shopper)
    assert recalled & {i["product"]["id"] for i in api_items(shopper_client, placement="home", k=12)}  # before

    staff, _ = staff_client(Client())
    rule_post(staff, name="Recall", kind="exclude", match_brand="recalled")  # any case

    rails = page_rails(client, world.anchor)
    assert rails and not recalled & {pid for items in rails.values() for pid, _ in items}
    for who, params in ((client, {"placement": "product", "product": world.anchor.pk}),
                        (shopper_client, {"placement": "home", "k": 12})):
        shown = {i["product"]["id"] for i in api_items(who, **params)}
        assert shown and not shown & recalled
    home = shopper_client.get(reverse("catalog:home"))
    assert not recalled & {item.product.pk for rail in home.context["rails"] for item in rail.items}
    similar = client.get(f"/api/products/{world.anchor.pk}/similar/", {"k": 5})
    assert similar.status_code == 200
    assert len(similar.json()) == 5 and not recalled & {i["product"]["id"] for i in similar.json()}

    found = client.get(reverse("catalog:search"), {"q": "Recalled"})
    assert recalled <= {p.pk for p in found.context["page_obj"].object_list}


def test_an_expired_campaign_stops_at_its_end_time(client):
    world = product_page_world()
    staff, _ = staff_client(Client())
    ends = timezone.now() + timedelta(seconds=2)
    rule_post(staff, name="Flash sale", kind="pin", product=world.other.pk, position=1,
              starts_at=(timezone.now() - timedelta(hours=1)).isoformat(), ends_at=ends.isoformat())
    assert page_rails(client, world.anchor)["looks_like"][0][0] == world.other.pk
    time.sleep(max((ends - timezone.now()).total_seconds(), 0) + 0.1)
    # The cached rule set still holds the rule: its end time, not a cache expiry, stops it.
    assert page_rails(client, world.anchor)["looks_like"][0][0] != world.other.pk


def test_a_rule_change_reaches_a_precomputed_feed_within_one_request():
    shopper = UserFactory()
    base = direction(11)
    liked = with_vector(product_with_sizes(name="Liked coat"), base)
    lookalikes(base, 8)
    interaction_record(kind="like", product_id=liked.pk, user_id=shopper.pk)
    who = shopper_id(user_id=shopper.pk)
    assert feed_refresh(who=who, version=shopper_version_kept(who)) == "cached"  # what the worker does
    shopper_client = Client()
    shopper_client.force_login(shopper)
    with CaptureQueriesContext(connection) as served:
        before = [i["product"]["id"] for i in api_items(shopper_client, placement="home", k=4)]
    pinned = with_vector(product_with_sizes(name="Editor's choice"), direction(400))
    assert pinned.pk not in before and len(served) < 10  # a cache hit: no ranking happened

    staff, _ = staff_client(Client())
    rule_post(staff, name="Editor's choice", kind="pin", placement="home", product=pinned.pk, position=1)
    after = api_items(shopper_client, placement="home", k=4)
    assert after[0]["product"]["id"] == pinned.pk and after[0]["reason"] == PICKED_REASON


def test_hand_picked_complements_lead_their_rail_then_the_chosen_number_of_automatic_items(client):
    world = product_page_world()
    belt, scarf = (with_vector(product_with_sizes(name=n), direction(500 + i)) for i, n in enumerate(["Belt", "Scarf"]))
    staff, _ = staff_client(Client())
    rule_post(staff, name="Complete the jacket", kind="complements", anchor_product=world.anchor.pk,
              rail="bought_together", picks=[scarf.pk, belt.pk], fill=0)
    rails = page_rails(client, world.anchor)
    assert rails["bought_together"] == [(scarf.pk, PICKED_REASON), (belt.pk, PICKED_REASON)]
    assert len(rails["looks_like"]) == 8  # the other rails are untouched


@pytest.mark.parametrize("page", ["product", "home", "api"])
def test_page_query_counts_stay_fixed_with_0_and_50_rules(client, django_assert_num_queries, page):
    world = product_page_world()
    shopper = UserFactory()
    interaction_record(kind="like", product_id=world.anchor.pk, user_id=shopper.pk)  # a home feed with cards
    client.force_login(shopper)
    staff, _ = staff_client(Client())
    url = {"product": world.anchor.get_absolute_url(), "home": reverse("catalog:home"),
           "api": reverse("recommender-api:recommendations") + f"?placement=product&product={world.anchor.pk}"}[page]
    client.get(url)  # the session and the serving encoder settle, as on a running shop

    def counts():
        from recommender.merchandising.selectors import rules_version_bump

        rules_version_bump()  # as after a rule change: the rules are read again
        with CaptureQueriesContext(connection) as cold:
            assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as warm:
            client.get(url)
        return len(cold), len(warm)

    none = counts()
    for n in range(50):
        kind = ("pin", "boost", "exclude", "complements")[n % 4]
        fields = {"pin": {"product": world.similar[n % 10].pk, "position": 1 + n % 5},
                  "boost": {"match_brand": f"brand {n}", "factor": 1.5},
                  "exclude": {"match_season": f"season {n}"},
                  "complements": {"anchor_product": world.anchor.pk, "picks": [world.other.pk], "fill": 4}}[kind]
        rule_post(staff, name=f"rule {n}", kind=kind, **fields)
    cold, warm = none
    from recommender.merchandising.selectors import rules_version_bump

    rules_version_bump()
    with django_assert_num_queries(cold):
        client.get(url)
    with django_assert_num_queries(warm):
        client.get(url)
