"""Every storefront page makes the same number of queries with 3 items as with 30."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shop.orders.services import Address, order_place
from tests.factories import CartFactory, CartItemFactory, CategoryFactory, LikeFactory, UserFactory, product_with_sizes

pytestmark = pytest.mark.django_db
SIZES = (3, 30)
ADDRESS = Address(full_name="A", email="a@example.com", address_line1="1 St", city="C", postcode="P", country="UK")


def products(n, category):
    return [
        product_with_sizes(name=f"Linen shirt {i}", category=category, sizes=[("S", 2), ("M", 0), ("L", 4)])
        for i in range(n)
    ]


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def assert_fixed(counts: list[int], limit: int):
    assert counts[0] == counts[1], f"queries grow with the number of items: {counts}"
    assert counts[0] <= limit, f"{counts[0]} queries, expected at most {limit}"


@pytest.fixture(autouse=True)
def _shop_alone(settings):
    """The shop's own queries; the recommender's rails are counted in tests/recommender/test_rails.py."""
    settings.SHOP_RAILS_PROVIDER = None


@pytest.fixture
def shopper(client):
    user = UserFactory()
    client.force_login(user)
    return user


def measure(client, setup, url, limit, django_assert_max_num_queries):
    counts = []
    for n in SIZES:
        target = setup(n)
        with django_assert_max_num_queries(limit):
            counts.append(count_queries(client, url(target) if callable(url) else url))
    assert_fixed(counts, limit)


def test_home(client, shopper, django_assert_max_num_queries):
    def setup(n):
        root = CategoryFactory()
        products(n, CategoryFactory(parent=root))
    measure(client, setup, "/", 9, django_assert_max_num_queries)


def test_category_listing_with_filters_and_popularity_sort(client, shopper, django_assert_max_num_queries):
    def setup(n):
        category = CategoryFactory()
        products(n, CategoryFactory(parent=category))
        return category
    measure(client, setup, lambda c: f"{c.get_absolute_url()}?size=S&price_max=100&sort=popular",
            13, django_assert_max_num_queries)


def test_product_page_with_many_sizes_and_images(client, shopper, django_assert_max_num_queries):
    from tests.factories import ProductImageFactory

    def setup(n):
        product = product_with_sizes(sizes=[(f"S{i}", i % 3) for i in range(n)], image=False)
        for _ in range(n):
            ProductImageFactory(product=product)
        return product
    measure(client, setup, lambda p: p.get_absolute_url(), 9, django_assert_max_num_queries)


def test_search(client, shopper, django_assert_max_num_queries):
    # Results, their facets (ids, colours, sizes) and the top-level categories for the filter form.
    # ... and, when the catalogue grew since the last search, the text-vector coverage (recommender.search.coverage).
    measure(client, lambda n: products(n, CategoryFactory()), "/search/?q=linen", 15, django_assert_max_num_queries)


def test_cart(client, shopper, django_assert_max_num_queries):
    def setup(n):
        CartItemFactory.reset_sequence(0)
        cart = CartFactory(user=shopper) if not hasattr(shopper, "cart") else shopper.cart
        cart.items.all().delete()
        for product in products(n, CategoryFactory()):
            CartItemFactory(cart=cart, variant=product.variants.get(size="S"))
    measure(client, setup, "/cart/", 9, django_assert_max_num_queries)


def test_checkout_page(client, shopper, django_assert_max_num_queries):
    def setup(n):
        cart = CartFactory(user=shopper) if not hasattr(shopper, "cart") else shopper.cart
        cart.items.all().delete()
        for product in products(n, CategoryFactory()):
            CartItemFactory(cart=cart, variant=product.variants.get(size="S"))
    measure(client, setup, "/checkout/", 9, django_assert_max_num_queries)


def test_order_history(client, shopper, django_assert_max_num_queries):
    def setup(n):
        for product in products(n, CategoryFactory()):
            cart = CartFactory(user=UserFactory())
            CartItemFactory(cart=cart, variant=product.variants.get(size="S"))
            order = order_place(cart=cart, user=cart.user, address=ADDRESS, idempotency_key=uuid.uuid4())
            order.__class__.objects.filter(pk=order.pk).update(user=shopper)
    measure(client, setup, "/orders/", 8, django_assert_max_num_queries)


def test_likes(client, shopper, django_assert_max_num_queries):
    def setup(n):
        for product in products(n, CategoryFactory()):
            LikeFactory(user=shopper, product=product)
    measure(client, setup, "/likes/", 8, django_assert_max_num_queries)


def test_category_listing_sorted_by_the_recommenders_popularity(client, shopper, django_assert_max_num_queries):
    from recommender.behaviour.services import signals_rebuild
    from recommender.interactions.services import interaction_record

    def setup(n):
        category = CategoryFactory()
        for product in products(n, CategoryFactory(parent=category)):
            interaction_record(kind="view", product_id=product.pk, user_id=shopper.pk)
        signals_rebuild()
        return category
    # One more than the shop's own count: the provider's scores, read once for the whole list.
    measure(client, setup, lambda c: f"{c.get_absolute_url()}?size=S&price_max=100&sort=popular",
            14, django_assert_max_num_queries)
