"""Editing rules: the staff-only API (session or token) and the admin form refuse bad input with a clear message,
every change is audited, conflicts are shown, and the health page says what each rule touched."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from recommender.models import MerchandisingRule
from tests.factories import CategoryFactory, UserFactory, product_with_sizes
from tests.helpers.merchandising import RULES_URL, page_rails, product_page_world, rule_post, staff_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fields, field, words", [
    ({"kind": "pin"}, "product", "needs the product"),
    ({"kind": "exclude"}, "match_brand", "at least one condition"),
    ({"kind": "boost", "match_brand": "Acme", "factor": 1}, "factor", "not 1"),
    ({"kind": "boost", "match_brand": "Acme", "factor": -2}, "factor", "above 0"),
    ({"kind": "exclude", "match_brand": "Acme", "starts_at": "2026-12-02T00:00:00Z",
      "ends_at": "2026-12-01T00:00:00Z"}, "ends_at", "after the start"),
    ({"kind": "exclude", "match_price_min": "50", "match_price_max": "10"}, "match_price_max", "below the lowest"),
    ({"kind": "exclude", "match_attribute_key": "fabric"}, "match_attribute_value", "key and a value"),
    ({"kind": "pin", "product": 999999999}, "product", "does not exist"),
    ({"kind": "complements"}, "anchor_product", "hero product"),
    ({"kind": "pin", "placement": "home", "rail": "looks_like", "product": None}, "rail", "product placement"),
    ({"kind": "sparkle"}, "kind", "not a valid choice"),
])
def test_bad_input_in_the_rules_api_is_a_400_naming_the_field(client, fields, field, words):
    staff, _ = staff_client(client)
    response = staff.post(RULES_URL, {"name": "Bad", **fields}, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert field in body["errors"], body
    assert words in " ".join(body["errors"][field]), body
    assert not MerchandisingRule.objects.exists()


def test_picks_that_name_unknown_products_are_refused(client):
    staff, _ = staff_client(client)
    anchor = product_with_sizes()
    response = staff.post(RULES_URL, {"name": "Look", "kind": "complements", "anchor_product": anchor.pk,
                                      "picks": [anchor.pk + 1000]}, content_type="application/json")
    assert response.status_code == 400 and "No such product" in response.json()["errors"]["picks"][0]


def test_only_staff_reach_the_rules_api_and_a_token_works_without_a_session():
    rule = MerchandisingRule.objects.create(name="Recall", kind="exclude", match_brand="Acme")
    assert Client().get(RULES_URL).status_code in (401, 403)
    shopper = Client()
    shopper.force_login(UserFactory())
    assert shopper.get(RULES_URL).status_code == 403
    token = Token.objects.create(user=UserFactory(username="ops", is_staff=True))
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert [r["id"] for r in api.get(RULES_URL).json()] == [rule.pk]
    response = api.patch(f"{RULES_URL}{rule.pk}/", {"ends_at": "2030-01-01T00:00:00Z"},
                         content_type="application/json")
    assert response.status_code == 200, response.json()
    assert response.json()["ends_at"].startswith("2030-01-01")


def test_every_rule_change_is_audited_with_who_when_and_what(client):
    staff, stylist = staff_client(client)
    created = rule_post(staff, name="Push Acme", kind="boost", match_brand="Acme", factor=1.5)
    token = Token.objects.create(user=UserFactory(username="ops", is_staff=True))
    Client(HTTP_AUTHORIZATION=f"Token {token.key}").patch(
        f"{RULES_URL}{created['id']}/", {"factor": 2.0}, content_type="application/json")
    history = list(MerchandisingRule.objects.get(pk=created["id"]).history.order_by("history_date"))
    assert [(h.history_type, h.history_user.username) for h in history] == [("+", "stylist"), ("~", "ops")]
    change, = history[1].diff_against(history[0]).changes
    assert (change.field, change.old, change.new) == ("factor", 1.5, 2.0)
    page = staff.get(reverse("admin:recommender_merchandisingrule_history", args=[created["id"]]))
    assert page.status_code == 200 and "ops" in page.content.decode()


def test_the_admin_form_says_what_a_rule_is_missing_and_saves_a_good_one(client):
    staff, _ = staff_client(client)
    url = reverse("admin:recommender_merchandisingrule_add")
    form = {"name": "Recall", "kind": "exclude", "is_active": "on", "priority": "0", "position": "1",
            "factor": "1.0", "fill": "4", "picks-TOTAL_FORMS": "0", "picks-INITIAL_FORMS": "0"}
    response = staff.post(url, form)
    assert response.status_code == 200
    assert "Say which products it matches" in response.content.decode()
    category = CategoryFactory(name="Swimwear")
    response = staff.post(url, {**form, "match_category": category.pk})
    assert response.status_code == 302
    assert MerchandisingRule.objects.get().history.get().history_user.username == "stylist"


def test_the_admin_shows_the_conflict_rule_and_each_rules_conflicts(client):
    staff, _ = staff_client(client)
    acme = product_with_sizes(brand="Acme")
    first = rule_post(staff, name="Acme first", kind="pin", product=acme.pk, position=1)
    rule_post(staff, name="Other first", kind="pin", product=product_with_sizes().pk, position=1, priority=3)
    rule_post(staff, name="Recall Acme", kind="exclude", match_brand="Acme")
    listing = staff.get(reverse("admin:recommender_merchandisingrule_changelist")).content.decode()
    assert "When rules conflict:" in listing and "An exclusion beats every other rule" in listing
    page = staff.get(reverse("admin:recommender_merchandisingrule_change", args=[first["id"]])).content.decode()
    assert "moves to the next free position" in page and "it is never shown" in page


def test_the_health_page_shows_the_share_of_lists_each_rule_touched(client):
    world = product_page_world()
    staff, _ = staff_client(Client())
    pin = rule_post(staff, name="Spring first", kind="pin", placement="product", rail="looks_like",
                    product=world.other.pk, position=1)
    page_rails(client, world.anchor)  # three rails served, one of them pinned
    page_rails(client, world.anchor)
    health = staff.get(reverse("admin:recommender-health"))
    rows = {row.id: row for row in health.context["merchandising"]}
    assert (rows[pin["id"]].touched, rows[pin["id"]].served) == (2, 6)
    assert "Spring first" in health.content.decode() and "33.3%" in health.content.decode()
