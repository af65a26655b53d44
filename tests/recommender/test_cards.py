"""Product cards in /api/recommendations/: cached per product, the same output as the serializer, stock always live."""

import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIRequestFactory

from recommender.api.cards import product_cards
from recommender.api.serializers import ProductSerializer
from shop.catalog.models import Product
from tests.factories import UserFactory, product_with_sizes
from tests.helpers.feeds import api_feed, liked_and_lookalikes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def serialised(product_id, request):
    product = Product.objects.for_listing().get(pk=product_id)
    return json.loads(json.dumps(ProductSerializer(product, context={"request": request}).data))


def test_a_card_is_what_the_serializer_gives_cached_or_not():
    product = product_with_sizes(sizes=(("S", 0), ("M", 2), ("L", 5)))
    request = APIRequestFactory().get("/api/recommendations/")
    stock = {product.pk: frozenset({"M", "L"})}
    first = product_cards(request, [product.pk], stock)[product.pk]
    with CaptureQueriesContext(connection) as queries:
        again = product_cards(request, [product.pk], stock)[product.pk]
    assert len(queries.captured_queries) == 0
    assert json.loads(json.dumps(first)) == json.loads(json.dumps(again)) == serialised(product.pk, request)
    assert again["sizes_in_stock"] == ["M", "L"]


def test_stock_comes_from_the_request_never_from_the_cached_card():
    product = product_with_sizes(sizes=(("M", 2), ("L", 5)))
    request = APIRequestFactory().get("/api/recommendations/")
    product_cards(request, [product.pk], {product.pk: frozenset({"M", "L"})})
    assert product_cards(request, [product.pk], {product.pk: frozenset({"L"})})[product.pk]["sizes_in_stock"] == ["L"]


def test_a_card_names_the_host_it_was_asked_on(settings):
    settings.ALLOWED_HOSTS = ["shop.example", "other.example"]
    product = product_with_sizes()
    shop = APIRequestFactory().get("/", HTTP_HOST="shop.example")
    other = APIRequestFactory().get("/", HTTP_HOST="other.example")
    stock = {product.pk: frozenset({"S", "M"})}
    assert product_cards(shop, [product.pk], stock)[product.pk] == serialised(product.pk, shop)
    card = product_cards(other, [product.pk], stock)[product.pk]
    assert card == serialised(product.pk, other) and card["image"].startswith("http://other.example/")


def test_a_second_shopper_is_served_the_shared_cards_without_listing_queries():
    first, second = UserFactory(), UserFactory()
    liked_and_lookalikes(first)
    from recommender.interactions.services import interaction_record

    liked = Product.objects.get(name="Liked coat")
    interaction_record(kind="like", product_id=liked.pk, user_id=second.pk)  # the same taste: the same feed
    one, two = Client(), Client()
    one.force_login(first)
    two.force_login(second)
    seen, _ = api_feed(one)
    with CaptureQueriesContext(connection) as queries:
        response = two.get("/api/recommendations/", {"placement": "home", "k": 4})
    assert [item["product"] for item in response.json()] == [item["product"] for item in seen]
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert "catalog_productimage" not in tables  # no card was serialised again


def test_with_the_cache_down_cards_are_serialised(settings):
    product = product_with_sizes(sizes=(("M", 2),))
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}
    request = APIRequestFactory().get("/api/recommendations/")
    card = product_cards(request, [product.pk], {product.pk: frozenset({"M"})})[product.pk]
    assert card == serialised(product.pk, request) and card["sizes_in_stock"] == ["M"]


def test_a_size_added_or_removed_is_on_the_card_at_once():
    from shop.catalog.models import Variant

    product = product_with_sizes(sizes=(("M", 2),))
    request = APIRequestFactory().get("/api/recommendations/")
    assert product_cards(request, [product.pk], {product.pk: frozenset({"M"})})[product.pk]["sizes_in_stock"] == ["M"]
    Variant.objects.create(product=product, size="XL", stock=1, position=5)
    card = product_cards(request, [product.pk], {product.pk: frozenset({"M", "XL"})})[product.pk]
    assert card["sizes_in_stock"] == ["M", "XL"]
    Variant.objects.filter(product=product, size="M").get().delete()
    card = product_cards(request, [product.pk], {product.pk: frozenset({"M", "XL"})})[product.pk]
    assert card["sizes_in_stock"] == ["XL"]


def test_a_card_made_under_an_older_catalogue_version_is_made_again():
    from recommender.api.cards import catalogue_touched

    product = product_with_sizes()
    request = APIRequestFactory().get("/api/recommendations/")
    product_cards(request, [product.pk], {})
    Product.objects.filter(pk=product.pk).update(name="Bulk-renamed")  # no signal: the cached card stays
    assert product_cards(request, [product.pk], {})[product.pk]["name"] != "Bulk-renamed"
    catalogue_touched()
    assert product_cards(request, [product.pk], {})[product.pk]["name"] == "Bulk-renamed"


def test_a_catalogue_import_makes_the_cards_again():
    from shop import events

    product = product_with_sizes()
    request = APIRequestFactory().get("/api/recommendations/")
    product_cards(request, [product.pk], {})
    Product.objects.filter(pk=product.pk).update(name="Imported name")
    events.catalogue_imported.send_robust(sender=None, created=0, updated=1)
    assert product_cards(request, [product.pk], {})[product.pk]["name"] == "Imported name"
