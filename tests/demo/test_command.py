"""python manage.py demo_data: fills an empty shop, leaves a stocked one alone with --if-empty."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from shop.catalog.models import Product
from tests.factories import ProductFactory


@pytest.mark.django_db
def test_the_command_fills_an_empty_shop_with_products_and_shoppers():
    call_command("demo_data", "--products", "5", "--shoppers", "3", "--if-empty", verbosity=0)

    assert Product.objects.filter(external_id__startswith="demo-").count() == 5
    shoppers = get_user_model().objects.filter(username__startswith="demo-shopper-").order_by("username")
    assert [u.username for u in shoppers] == ["demo-shopper-001", "demo-shopper-002", "demo-shopper-003"]
    assert not any(u.has_usable_password() for u in shoppers)


@pytest.mark.django_db
def test_with_if_empty_the_command_does_nothing_when_any_product_exists():
    ProductFactory()
    call_command("demo_data", "--products", "5", "--shoppers", "3", "--if-empty", verbosity=0)

    assert Product.objects.count() == 1
    assert not get_user_model().objects.filter(username__startswith="demo-shopper-").exists()


@pytest.mark.django_db
def test_without_if_empty_the_command_adds_demo_products_next_to_existing_ones():
    ProductFactory()
    call_command("demo_data", "--products", "2", "--shoppers", "0", verbosity=0)
    assert Product.objects.count() == 3
