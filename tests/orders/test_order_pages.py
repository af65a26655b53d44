"""Order history and order detail as the shopper sees them: a photo and a link per line while the product
is sold, the snapshot alone once it is not, and prices that stay on one line."""

import uuid

import pytest

from shop.catalog.models import Product
from shop.orders.services import Address, order_place
from tests.factories import CartFactory, CartItemFactory, UserFactory, product_with_sizes

pytestmark = pytest.mark.django_db
ADDRESS = Address(full_name="Ada Lovelace", email="ada@example.com", address_line1="1 Example Street",
                  city="London", postcode="N1 1AA", country="United Kingdom")


@pytest.fixture
def order(client):
    user = UserFactory()
    client.force_login(user)
    cart = CartFactory(user=user)
    for name in ("Linen shirt", "Canvas tote"):
        CartItemFactory(cart=cart, variant=product_with_sizes(name=name, price=77.99, sizes=[("M", 4)]).variants.get())
    return order_place(cart=cart, user=user, address=ADDRESS, idempotency_key=uuid.uuid4())


@pytest.mark.parametrize("page", ["list", "detail"])
def test_each_order_line_shows_the_products_photo_and_links_to_its_page(client, order, page):
    html = client.get("/orders/" if page == "list" else order.get_absolute_url()).content.decode()
    for line in order.lines.all():
        product = line.product
        assert f'<a href="{product.get_absolute_url()}">{product.name}</a>' in html
        assert product.primary_image.image.url in html
    assert "77.99&nbsp;EUR" in html


def test_a_product_no_longer_sold_keeps_its_line_without_a_link(client, order):
    retired = order.lines.first().product
    Product.objects.filter(pk=retired.pk).update(is_active=False)
    html = client.get(order.get_absolute_url()).content.decode()
    assert "Linen shirt" in html and "no longer sold" in html
    assert retired.get_absolute_url() not in html


def test_the_order_detail_makes_a_fixed_number_of_queries(client, order, django_assert_max_num_queries):
    client.get(order.get_absolute_url())
    with django_assert_max_num_queries(9):
        assert client.get(order.get_absolute_url()).status_code == 200
