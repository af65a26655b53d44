"""Recommendation rails: empty by default, filled by SHOP_RAILS_PROVIDER, never a broken page."""

import logging

import pytest

from shop.catalog.models import Product
from shop.catalog.rails import Rail, RailItem, rails_for
from tests.factories import product_with_sizes

pytestmark = pytest.mark.django_db
CALLS = []


def provider(request, *, placement, product=None, cart=None):
    CALLS.append((placement, product.pk if product else None))
    others = Product.objects.for_listing().exclude(pk=getattr(product, "pk", None))
    return [
        Rail(name="looks_like", title="Looks like this", reason="Similar colours and shapes",
             items=[RailItem(product=p, reason=f"Looks like {p.name}") for p in others]),
        Rail(name="empty", title="Never shown", items=[]),
    ]


def broken_provider(request, **kwargs):
    raise RuntimeError("recommender is down")


@pytest.fixture(autouse=True)
def _clear_calls():
    CALLS.clear()


def test_without_a_provider_pages_have_no_rails(client):
    product = product_with_sizes()
    for url in ("/", product.get_absolute_url(), "/cart/"):
        response = client.get(url)
        assert response.context["rails"] == [] and 'class="rail"' not in response.content.decode()


def test_a_provider_fills_each_placement_and_cards_carry_their_reason_and_rail(client, settings):
    settings.SHOP_RAILS_PROVIDER = "tests.catalog.test_views_rails.provider"
    product = product_with_sizes(name="Shirt")
    other = product_with_sizes(name="Jacket")
    page = client.get(product.get_absolute_url()).content.decode()
    assert "Looks like this" in page and "Looks like Jacket" in page and "Never shown" not in page
    assert f'{other.get_absolute_url()}?rail=looks_like' in page
    client.get("/")
    client.get("/cart/")
    assert CALLS == [("product", product.pk), ("home", None), ("cart", None)]


def test_a_failing_provider_is_logged_and_the_page_still_renders(client, settings, caplog):
    settings.SHOP_RAILS_PROVIDER = "tests.catalog.test_views_rails.broken_provider"
    with caplog.at_level(logging.ERROR, logger="shop.catalog.rails"):
        response = client.get("/")
    assert response.status_code == 200 and response.context["rails"] == []
    assert "rails provider tests.catalog.test_views_rails.broken_provider failed" in caplog.text


def test_a_provider_path_that_does_not_import_is_logged_not_raised(settings, rf, caplog):
    settings.SHOP_RAILS_PROVIDER = "no.such.module.provider"
    assert rails_for(rf.get("/"), placement="home") == []
    assert "failed" in caplog.text


def test_an_unknown_placement_is_a_programming_error(rf):
    with pytest.raises(ValueError, match="unknown rail placement"):
        rails_for(rf.get("/"), placement="footer")
