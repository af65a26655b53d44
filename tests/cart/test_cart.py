"""The cart: adding with checks against stock, changing quantities, guest carts merging at login."""

import pytest

from shop import events
from shop.accounts.visitors import Visitor
from shop.cart.models import Cart, CartItem
from shop.cart.services import CartError, cart_item_add, cart_merge
from tests.factories import CartItemFactory, UserFactory, VariantFactory, product_with_sizes

pytestmark = pytest.mark.django_db


@pytest.fixture
def added():
    calls = []
    events.cart_item_added.connect(lambda **kw: calls.append(kw), dispatch_uid="test-added", weak=False)
    yield calls
    events.cart_item_added.disconnect(dispatch_uid="test-added")


def add(client, variant, quantity=1, **extra):
    return client.post("/cart/add/", {"variant": variant.pk, "quantity": quantity, **extra}, follow=True)


def cart_lines(client):
    return [(line.variant.size, line.quantity) for line in client.get("/cart/").context["summary"].lines]


def test_a_guest_adds_a_size_and_sees_it_in_the_cart_with_the_badge(client, added):
    product = product_with_sizes(name="Shirt", sizes=[("M", 5)])
    variant = product.variants.get()
    response = add(client, variant, 2, next=product.get_absolute_url())
    assert response.redirect_chain[-1][0] == product.get_absolute_url()
    assert "Added Shirt (size M) to your cart." in response.content.decode()
    assert cart_lines(client) == [("M", 2)]
    assert 'data-testid="cart-count"' in response.content.decode() and ">2</span>" in response.content.decode()
    assert [(c["product_id"], c["variant_id"], c["quantity"], c["user"]) for c in added] == [
        (product.pk, variant.pk, 2, None)
    ]
    assert added[0]["session_key"] == client.session.session_key


def test_adding_the_same_size_again_adds_up(client):
    variant = product_with_sizes(sizes=[("M", 5)]).variants.get()
    add(client, variant, 1)
    add(client, variant, 2)
    assert cart_lines(client) == [("M", 3)]


@pytest.mark.parametrize("quantity, message", [
    (-1, "Quantity must be at least 1."),
    (0, "Quantity must be at least 1."),
    ("two", "Quantity must be a whole number."),
    (999, "You can add at most 20 of one item."),
])
def test_bad_quantities_are_refused_with_a_message(client, quantity, message):
    variant = product_with_sizes(sizes=[("M", 5)]).variants.get()
    response = add(client, variant, quantity)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CartItem.objects.exists()


def test_a_sold_out_size_is_refused_with_a_message(client):
    variant = product_with_sizes(name="Shirt", sizes=[("S", 0)]).variants.get()
    response = add(client, variant)
    assert "Sorry, Shirt in size S is out of stock." in response.content.decode()
    assert not CartItem.objects.exists()


def test_more_than_the_stock_is_refused_and_what_was_there_stays(client):
    variant = product_with_sizes(name="Shirt", sizes=[("M", 3)]).variants.get()
    add(client, variant, 2)
    response = add(client, variant, 2)
    assert "Only 3 left of Shirt in size M." in response.content.decode()
    assert cart_lines(client) == [("M", 2)]


@pytest.mark.parametrize("variant_value", ["", "abc", "999999", "-4"])
def test_a_tampered_or_missing_size_gets_a_message_never_an_error(client, variant_value):
    product_with_sizes()
    response = client.post("/cart/add/", {"variant": variant_value, "quantity": 1}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please choose a size." in page or "no longer available" in page


def test_an_offsite_next_url_is_ignored(client):
    variant = product_with_sizes().variants.get(size="S")
    response = add(client, variant, next="https://evil.example.com/")
    assert response.redirect_chain[-1][0] == "/cart/"


def test_quantities_can_be_changed_and_lines_removed(client):
    variant = product_with_sizes(sizes=[("M", 5)]).variants.get()
    add(client, variant, 1)
    item = CartItem.objects.get()
    client.post(f"/cart/items/{item.pk}/", {"quantity": 4})
    assert cart_lines(client) == [("M", 4)]
    response = client.post(f"/cart/items/{item.pk}/", {"quantity": -2}, follow=True)
    assert "Quantity cannot be negative." in response.content.decode()
    assert cart_lines(client) == [("M", 4)]
    client.post(f"/cart/items/{item.pk}/", {"quantity": 0})
    assert cart_lines(client) == []


def test_someone_elses_cart_line_cannot_be_changed(client):
    other = CartItemFactory(quantity=1)
    product_with_sizes()  # so this visitor has a cart of their own
    add(client, VariantFactory())
    response = client.post(f"/cart/items/{other.pk}/", {"quantity": 5}, follow=True)
    assert "no longer in your cart" in response.content.decode()
    other.refresh_from_db()
    assert other.quantity == 1


def test_a_guest_cart_merges_into_the_account_at_login(client):
    user = UserFactory(username="ada")
    in_both = product_with_sizes(sizes=[("M", 10)]).variants.get()
    only_guest = product_with_sizes(sizes=[("L", 10)]).variants.get()
    CartItemFactory(cart__user=user, variant=in_both, quantity=1)
    add(client, in_both, 2)
    add(client, only_guest, 1)
    response = client.post("/accounts/login/", {"username": "ada", "password": "correct horse battery"})
    assert response.status_code == 302
    assert sorted(cart_lines(client)) == [("L", 1), ("M", 3)]
    assert Cart.objects.count() == 1  # the guest cart is gone


def test_merging_never_drops_a_line_even_when_it_ran_out_meanwhile():
    user = UserFactory()
    variant = product_with_sizes(sizes=[("M", 5)]).variants.get()
    cart_item_add(visitor=Visitor(user=None, guest_key="guest-1", session_key=None), variant_id=variant.pk, quantity=2)
    variant.stock = 0
    variant.save()
    cart = cart_merge(guest_key="guest-1", user=user)
    assert [(i.variant_id, i.quantity) for i in cart.items.all()] == [(variant.pk, 2)]


def test_inactive_products_cannot_be_added():
    variant = product_with_sizes(is_active=False).variants.first()
    with pytest.raises(CartError, match="no longer available"):
        cart_item_add(visitor=Visitor(user=UserFactory(), guest_key=None, session_key=None),
                      variant_id=variant.pk, quantity=1)


def test_looking_at_the_cart_creates_nothing(client):
    assert client.get("/cart/").status_code == 200
    assert not Cart.objects.exists()
