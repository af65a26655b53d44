"""Money and stock under contention, on the real PostgreSQL: many buyers racing for the last units,
one checkout form submitted many times at once, and the same event delivered twice.

Each thread has its own database connection (Django's are per thread) and closes it when done, so
the test database can be dropped at the end of the run.
"""

import threading
import uuid

import pytest
from django.db import OperationalError, close_old_connections, connection

from recommender.models import Interaction
from shop import events
from shop.catalog.models import Product, Variant
from shop.orders.models import Order
from shop.orders.services import Address, OutOfStock, order_place
from tests.factories import CartFactory, CartItemFactory, UserFactory, product_with_sizes

ADDRESS = Address(full_name="Ada Lovelace", email="ada@example.com", address_line1="1 Example Street",
                  city="London", postcode="N1 1AA", country="United Kingdom")
BUYERS = 24
UNITS = 7
SAME_KEY_SUBMITS = 10


def run_together(targets, *, timeout=60):
    """Start every callable at the same instant; each returns an outcome string or raises."""
    barrier, outcomes, lock = threading.Barrier(len(targets)), [], threading.Lock()

    def body(target):
        try:
            barrier.wait()
            outcome = target()
        except OutOfStock:
            outcome = "out of stock"
        except OperationalError as error:  # a deadlock or lock timeout would land here
            outcome = f"database error: {error}"
        except Exception as error:  # noqa: BLE001 - the test reports whatever went wrong
            outcome = f"error: {error!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=body, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a buyer is still waiting: a lock was never released"
    close_old_connections()
    return outcomes


def cart_of(user, variant, quantity=1):
    cart = CartFactory(user=user)
    CartItemFactory(cart=cart, variant=variant, quantity=quantity)
    return cart


@pytest.mark.django_db(transaction=True)
def test_twenty_four_buyers_racing_for_the_last_seven_units_make_exactly_seven_orders():
    variant = product_with_sizes(sizes=[("M", UNITS)], image=False).variants.get()
    carts = [cart_of(UserFactory(), variant) for _ in range(BUYERS)]

    def buyer(cart):
        return lambda: order_place(cart=cart, user=cart.user, address=ADDRESS, idempotency_key=uuid.uuid4()) and "placed"

    outcomes = run_together([buyer(cart) for cart in carts])

    assert sorted(set(outcomes)) == ["out of stock", "placed"], outcomes
    assert outcomes.count("placed") == UNITS and outcomes.count("out of stock") == BUYERS - UNITS
    assert Order.objects.count() == UNITS
    assert Variant.objects.get(pk=variant.pk).stock == 0
    # Each winner's cart is emptied; each loser keeps theirs.
    assert sum(1 for cart in carts if cart.items.exists()) == BUYERS - UNITS


@pytest.mark.django_db(transaction=True)
def test_buyers_of_two_shared_items_in_opposite_orders_never_deadlock():
    shirt = product_with_sizes(sizes=[("M", 10)], image=False).variants.get()
    boots = product_with_sizes(sizes=[("42", 10)], image=False).variants.get()
    carts = []
    for n in range(BUYERS):
        cart = CartFactory(user=UserFactory())
        # Half add the shirt first, half the boots first: locks must still be taken in one order.
        for variant in (shirt, boots) if n % 2 else (boots, shirt):
            CartItemFactory(cart=cart, variant=variant, quantity=1)
        carts.append(cart)

    outcomes = run_together([
        (lambda cart=cart: order_place(cart=cart, user=cart.user, address=ADDRESS,
                                       idempotency_key=uuid.uuid4()) and "placed")
        for cart in carts
    ])

    assert not [o for o in outcomes if o not in ("placed", "out of stock")], outcomes
    assert outcomes.count("placed") == 10 == Order.objects.count()
    assert Variant.objects.get(pk=shirt.pk).stock == 0 and Variant.objects.get(pk=boots.pk).stock == 0


@pytest.mark.django_db(transaction=True)
def test_one_idempotency_key_sent_ten_times_at_once_makes_one_order():
    user = UserFactory()
    variant = product_with_sizes(sizes=[("M", 5)], image=False).variants.get()
    cart, key = cart_of(user, variant, quantity=2), uuid.uuid4()

    outcomes = run_together([
        lambda: f"order {order_place(cart=cart, user=user, address=ADDRESS, idempotency_key=key).pk}"
        for _ in range(SAME_KEY_SUBMITS)
    ])

    assert len(outcomes) == SAME_KEY_SUBMITS and len(set(outcomes)) == 1 and outcomes[0].startswith("order "), outcomes
    assert Order.objects.count() == 1 and Variant.objects.get(pk=variant.pk).stock == 3


@pytest.mark.django_db(transaction=True)
def test_an_order_placed_event_delivered_twice_at_once_records_each_line_once():
    user = UserFactory()
    product = product_with_sizes(sizes=[("M", 5)], image=False)
    variant = product.variants.get()
    lines = [(product.pk, variant.pk, 1)]

    def deliver():
        events.order_placed.send(sender=Order, user=user, session_key=None, at=None, order_id=4242, items=lines)
        return "sent"

    outcomes = run_together([deliver for _ in range(SAME_KEY_SUBMITS)])

    assert outcomes == ["sent"] * SAME_KEY_SUBMITS
    assert Interaction.objects.filter(kind="purchase", order_id=4242).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_like_sent_ten_times_at_once_is_one_row():
    user = UserFactory()
    product = product_with_sizes(sizes=[("M", 5)], image=False)

    def like():
        events.product_liked.send(sender=Product, product_id=product.pk, liked=True, user=user,
                                  session_key=None, at=None)
        return "sent"

    outcomes = run_together([like for _ in range(SAME_KEY_SUBMITS)])

    assert outcomes == ["sent"] * SAME_KEY_SUBMITS
    assert Interaction.objects.filter(kind="like", user=user, product=product).count() == 1
