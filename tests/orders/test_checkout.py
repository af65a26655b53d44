"""Checkout: order_place's transaction, stock locking, idempotency, and the checkout page."""

import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection

from shop import events
from shop.cart.models import CartItem
from shop.catalog.models import Variant
from shop.orders.models import Order
from shop.orders.services import Address, EmptyCart, OutOfStock, order_place
from tests.factories import CartFactory, CartItemFactory, UserFactory, product_with_sizes

ADDRESS = Address(full_name="Ada Lovelace", email="ada@example.com", address_line1="1 Example Street",
                  city="London", postcode="N1 1AA", country="United Kingdom")
FORM = {**ADDRESS.__dict__}


@pytest.fixture
def placed():
    calls = []
    events.order_placed.connect(lambda **kw: calls.append(kw), dispatch_uid="test-placed", weak=False)
    yield calls
    events.order_placed.disconnect(dispatch_uid="test-placed")


def cart_with(user, *lines):
    """lines: (variant, quantity)."""
    cart = CartFactory(user=user)
    for variant, quantity in lines:
        CartItemFactory(cart=cart, variant=variant, quantity=quantity)
    return cart


@pytest.mark.django_db
def test_placing_an_order_records_lines_takes_stock_and_empties_the_cart(placed, django_capture_on_commit_callbacks):
    user = UserFactory()
    shirt = product_with_sizes(name="Shirt", price=Decimal("20.00"), sizes=[("M", 5)]).variants.get()
    jeans = product_with_sizes(name="Jeans", price=Decimal("45.50"), sizes=[("32", 2)]).variants.get()
    cart = cart_with(user, (shirt, 2), (jeans, 1))
    with django_capture_on_commit_callbacks(execute=True):
        order = order_place(cart=cart, user=user, address=ADDRESS, idempotency_key=uuid.uuid4())
    assert order.total == Decimal("85.50") and order.status == "placed" and order.city == "London"
    assert [(l.product_name, l.size, l.unit_price, l.quantity) for l in order.lines.all()] == [
        ("Shirt", "M", Decimal("20.00"), 2), ("Jeans", "32", Decimal("45.50"), 1),
    ]
    assert dict(Variant.objects.values_list("size", "stock")) == {"M": 3, "32": 1}
    assert not cart.items.exists()
    assert len(placed) == 1 and placed[0]["order_id"] == order.pk and placed[0]["user"] == user
    assert sorted(placed[0]["items"]) == sorted([(shirt.product_id, shirt.pk, 2), (jeans.product_id, jeans.pk, 1)])


@pytest.mark.django_db
def test_order_placed_is_not_sent_before_the_transaction_commits(placed, django_capture_on_commit_callbacks):
    user = UserFactory()
    cart = cart_with(user, (product_with_sizes(sizes=[("M", 5)]).variants.get(), 1))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order_place(cart=cart, user=user, address=ADDRESS, idempotency_key=uuid.uuid4())
    assert placed == [] and len(callbacks) == 1


@pytest.mark.django_db
def test_out_of_stock_refuses_the_whole_order_names_what_ran_out_and_keeps_the_cart():
    user = UserFactory()
    fine = product_with_sizes(name="Shirt", sizes=[("M", 5)]).variants.get()
    short = product_with_sizes(name="Boots", sizes=[("42", 1)]).variants.get()
    cart = cart_with(user, (fine, 1), (short, 2))
    with pytest.raises(OutOfStock) as refused:
        order_place(cart=cart, user=user, address=ADDRESS, idempotency_key=uuid.uuid4())
    assert refused.value.shortages == [("Boots", "42", 1)]
    assert "Boots in size 42 (1 left)" in str(refused.value) and "cart has been kept" in str(refused.value)
    assert not Order.objects.exists()
    assert cart.items.count() == 2 and Variant.objects.get(pk=fine.pk).stock == 5


@pytest.mark.django_db
def test_the_same_idempotency_key_gives_back_the_same_order():
    user = UserFactory()
    variant = product_with_sizes(sizes=[("M", 5)]).variants.get()
    cart, key = cart_with(user, (variant, 1)), uuid.uuid4()
    first = order_place(cart=cart, user=user, address=ADDRESS, idempotency_key=key)
    CartItemFactory(cart=cart, variant=variant, quantity=1)  # something added after: not part of that order
    again = order_place(cart=cart, user=user, address=ADDRESS, idempotency_key=key)
    assert again == first and Order.objects.count() == 1 and Variant.objects.get(pk=variant.pk).stock == 4


@pytest.mark.django_db
def test_an_empty_cart_cannot_be_ordered():
    user = UserFactory()
    with pytest.raises(EmptyCart):
        order_place(cart=CartFactory(user=user), user=user, address=ADDRESS, idempotency_key=uuid.uuid4())


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_of_one_form_make_one_order():
    user = UserFactory()
    variant = product_with_sizes(sizes=[("M", 5)]).variants.get()
    cart, key = cart_with(user, (variant, 2)), uuid.uuid4()
    barrier, results = threading.Barrier(2), []

    def submit():
        try:
            barrier.wait()
            results.append(order_place(cart=cart, user=user, address=ADDRESS, idempotency_key=key).pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(results) == 2 and results[0] == results[1]
    assert Order.objects.count() == 1 and Variant.objects.get(pk=variant.pk).stock == 3


@pytest.mark.django_db(transaction=True)
def test_two_shoppers_racing_for_the_last_one_get_one_order_and_one_clear_refusal():
    variant = product_with_sizes(sizes=[("M", 1)]).variants.get()
    carts = [cart_with(user, (variant, 1)) for user in (UserFactory(), UserFactory())]
    barrier, outcomes = threading.Barrier(2), []

    def submit(cart):
        try:
            barrier.wait()
            order_place(cart=cart, user=cart.user, address=ADDRESS, idempotency_key=uuid.uuid4())
            outcomes.append("placed")
        except OutOfStock:
            outcomes.append("out of stock")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(cart,)) for cart in carts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(outcomes) == ["out of stock", "placed"]
    assert Variant.objects.get(pk=variant.pk).stock == 0


# The checkout page


@pytest.fixture
def shopper(client):
    user = UserFactory(username="ada")
    client.force_login(user)
    return user


@pytest.mark.django_db
def test_checkout_needs_an_account(client):
    response = client.get("/checkout/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/?next=/checkout/")


@pytest.mark.django_db
def test_the_checkout_page_reviews_the_cart_and_a_double_submit_makes_one_order(client, shopper):
    variant = product_with_sizes(name="Shirt", sizes=[("M", 5)]).variants.get()
    cart_with(shopper, (variant, 2))
    page = client.get("/checkout/")
    assert "2 × Shirt" in page.content.decode()
    key = page.context["form"]["idempotency_key"].value()
    first = client.post("/checkout/", {**FORM, "idempotency_key": key}, follow=True)
    second = client.post("/checkout/", {**FORM, "idempotency_key": key}, follow=True)
    order = Order.objects.get()
    assert first.redirect_chain[-1][0] == second.redirect_chain[-1][0] == order.get_absolute_url()
    assert f"Your order {order.number} has been placed." in first.content.decode()
    assert "Shirt" in client.get("/orders/").content.decode()


@pytest.mark.django_db
def test_running_out_at_checkout_sends_the_shopper_back_to_the_kept_cart_with_a_message(client, shopper):
    variant = product_with_sizes(name="Boots", sizes=[("42", 3)]).variants.get()
    cart_with(shopper, (variant, 2))
    key = client.get("/checkout/").context["form"]["idempotency_key"].value()
    Variant.objects.filter(pk=variant.pk).update(stock=1)  # someone else bought them meanwhile
    response = client.post("/checkout/", {**FORM, "idempotency_key": key}, follow=True)
    assert response.redirect_chain[-1][0] == "/cart/"
    assert "Boots in size 42 (1 left)" in response.content.decode()
    assert CartItem.objects.get().quantity == 2 and not Order.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("tampered", [{"idempotency_key": "not-a-uuid"}, {"idempotency_key": ""}, {"email": "nope"}])
def test_a_tampered_or_incomplete_form_is_shown_again_with_errors_and_nothing_lost(client, shopper, tampered):
    variant = product_with_sizes(sizes=[("M", 5)]).variants.get()
    cart_with(shopper, (variant, 1))
    response = client.post("/checkout/", {**FORM, "idempotency_key": str(uuid.uuid4()), **tampered})
    assert response.status_code == 200 and response.context["form"].errors
    assert not Order.objects.exists() and CartItem.objects.count() == 1


@pytest.mark.django_db
def test_checking_out_an_empty_cart_says_so(client, shopper):
    response = client.post("/checkout/", {**FORM, "idempotency_key": str(uuid.uuid4())}, follow=True)
    assert "Your cart is empty." in response.content.decode() and not Order.objects.exists()


@pytest.mark.django_db
def test_orders_belong_to_their_owner(client, shopper):
    variant = product_with_sizes(sizes=[("M", 5)]).variants.get()
    other = UserFactory()
    order = order_place(cart=cart_with(other, (variant, 1)), user=other, address=ADDRESS, idempotency_key=uuid.uuid4())
    assert client.get(order.get_absolute_url()).status_code == 404
    assert client.get("/orders/").context["page_obj"].paginator.count == 0


@pytest.mark.django_db
def test_staff_see_placed_orders_in_admin(client, django_user_model):
    user = UserFactory()
    variant = product_with_sizes(sizes=[("M", 5)]).variants.get()
    order = order_place(cart=cart_with(user, (variant, 1)), user=user, address=ADDRESS, idempotency_key=uuid.uuid4())
    client.force_login(django_user_model.objects.create_superuser("boss", "boss@example.com", "pw"))
    assert order.number in client.get("/admin/orders/order/").content.decode()
    assert client.get(f"/admin/orders/order/{order.pk}/change/").status_code == 200
