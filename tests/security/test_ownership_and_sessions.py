"""Who sees what: a two-user matrix over every page and endpoint that carries a shopper's own things
(orders, cart, profile, likes), plus session rotation at login and CSRF on the forms that write.

User A owns everything; user B and a guest try every URL. None of them may get a 200 that shows A's
data: the content is checked, not only the status.
"""

import uuid

import pytest
from django.test import Client

from shop.accounts.services import like_set, profile_update
from shop.accounts.visitors import Visitor
from shop.cart.models import CartItem
from shop.orders.models import Order
from shop.orders.services import Address, order_place
from tests.factories import CartFactory, CartItemFactory, UserFactory, product_with_sizes

SECRET_NAME = "Zebediah Quartermaine"  # A's address name: must never appear on a page B or a guest sees


@pytest.fixture
def owner_a():
    """User A with an order, a cart line, a profile and a like, each with a name found nowhere else."""
    user = UserFactory(username="alice", email="alice@example.com")
    bought = product_with_sizes(name="Ordered Opal Overcoat", sizes=[("M", 5)], image=False).variants.get()
    carted = product_with_sizes(name="Carted Cobalt Cardigan", sizes=[("M", 5)], image=False).variants.get()
    liked = product_with_sizes(name="Liked Lilac Loafers", sizes=[("42", 5)], image=False)
    cart = CartFactory(user=user)
    CartItemFactory(cart=cart, variant=bought, quantity=1)
    order = order_place(cart=cart, user=user, idempotency_key=uuid.uuid4(), address=Address(
        full_name=SECRET_NAME, email="alice@example.com", address_line1="7 Hidden Lane", city="Oslo",
        postcode="0150", country="Norway"))
    item = CartItemFactory(cart=cart, variant=carted, quantity=2)
    profile_update(user=user, department="women", sizes={"shoes": "46", "tops": "XXL"})
    like_set(visitor=Visitor(user=user, guest_key=None, session_key=None), product=liked, liked=True)
    return {"user": user, "order": order, "item": item, "liked": liked}


def secrets_of(a) -> list[str]:
    return [SECRET_NAME, "7 Hidden Lane", a["order"].number, "Ordered Opal Overcoat", "Carted Cobalt Cardigan",
            "Liked Lilac Loafers", "alice@example.com"]


@pytest.fixture
def other_b():
    client = Client()
    client.force_login(UserFactory(username="bob"))
    return client


def shows_nothing_of(response, a) -> bool:
    text = response.content.decode(errors="replace")
    return not [secret for secret in secrets_of(a) if secret in text]


def a_pages(a) -> list[str]:
    order = a["order"]
    return [
        f"/orders/{order.pk}/", "/orders/", "/cart/", "/accounts/profile/", "/likes/", "/checkout/",
        "/api/recommendations/?placement=cart", "/api/recommendations/",
        f"/admin/orders/order/{order.pk}/change/", f"/admin/cart/cart/{a['item'].cart_id}/change/",
        f"/admin/auth/user/{a['user'].pk}/change/",
    ]


@pytest.mark.django_db
def test_the_owner_sees_her_own_things(owner_a):
    client = Client()
    client.force_login(owner_a["user"])
    assert SECRET_NAME in client.get(f"/orders/{owner_a['order'].pk}/").content.decode()
    assert owner_a["order"].number in client.get("/orders/").content.decode()
    assert "Carted Cobalt Cardigan" in client.get("/cart/").content.decode()
    assert "Liked Lilac Loafers" in client.get("/likes/").content.decode()
    assert client.get("/accounts/profile/").context["form"].initial["size_shoes"] == "46"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other user", "guest"])
def test_no_one_else_gets_a_page_showing_the_owners_things(owner_a, other_b, who):
    client = other_b if who == "other user" else Client()
    leaks = []
    for url in a_pages(owner_a):
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code == 200 and not shows_nothing_of(response, owner_a):
            leaks.append(url)
        if url == f"/orders/{owner_a['order'].pk}/":
            assert response.status_code == (404 if who == "other user" else 302)
    assert leaks == []


@pytest.mark.django_db
def test_another_users_profile_form_starts_from_their_own_answers(owner_a, other_b):
    initial = other_b.get("/accounts/profile/").context["form"].initial
    assert initial.get("department", "") == "" and "size_shoes" not in initial


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other user", "guest"])
def test_no_one_else_can_change_or_remove_the_owners_cart_line_or_like(owner_a, other_b, who):
    client = other_b if who == "other user" else Client()
    item = owner_a["item"]
    for quantity in ("0", "5"):
        client.post(f"/cart/items/{item.pk}/", {"quantity": quantity})
    client.post(f"/likes/{owner_a['liked'].pk}/", {"liked": "0"})
    assert CartItem.objects.get(pk=item.pk).quantity == 2
    owner = Client()
    owner.force_login(owner_a["user"])
    assert "Liked Lilac Loafers" in owner.get("/likes/").content.decode()


@pytest.mark.django_db
def test_another_user_cannot_check_out_the_owners_cart(owner_a, other_b):
    response = other_b.post("/checkout/", {
        "full_name": "Bob", "email": "bob@example.com", "address_line1": "1 Road", "city": "Leeds",
        "postcode": "LS1", "country": "United Kingdom", "idempotency_key": str(uuid.uuid4())})
    assert response.status_code == 302
    assert Order.objects.count() == 1 and CartItem.objects.filter(pk=owner_a["item"].pk).exists()


# Sessions and CSRF


@pytest.mark.django_db
def test_the_session_key_changes_at_login_and_the_old_one_is_dead():
    UserFactory(username="carol")
    client = Client()
    variant = product_with_sizes(sizes=[("M", 5)], image=False).variants.get()
    client.post("/cart/add/", {"variant": variant.pk, "quantity": 1})  # a guest with a saved session
    before = client.session.session_key
    assert before
    response = client.post("/accounts/login/", {"username": "carol", "password": "correct horse battery"})
    assert response.status_code == 302
    after = client.session.session_key
    assert after and after != before
    stale = Client()
    stale.cookies["sessionid"] = before
    assert stale.get("/orders/").status_code == 302  # the pre-login key is not signed in


@pytest.fixture
def strict():
    return Client(enforce_csrf_checks=True)


@pytest.mark.django_db
def test_adding_to_the_cart_as_a_guest_needs_the_csrf_token(strict):
    variant = product_with_sizes(sizes=[("M", 5)], image=False).variants.get()
    assert strict.post("/cart/add/", {"variant": variant.pk, "quantity": 1}).status_code == 403
    assert not CartItem.objects.exists()
    strict.get(variant.product.get_absolute_url())  # the page sets the cookie
    token = strict.cookies["csrftoken"].value
    ok = strict.post("/cart/add/", {"variant": variant.pk, "quantity": 1, "csrfmiddlewaretoken": token})
    assert ok.status_code == 302 and CartItem.objects.count() == 1


@pytest.mark.django_db
def test_logging_in_needs_the_csrf_token(strict):
    UserFactory(username="dave")
    response = strict.post("/accounts/login/", {"username": "dave", "password": "correct horse battery"})
    assert response.status_code == 403 and "_auth_user_id" not in strict.session


@pytest.mark.django_db
def test_checking_out_needs_the_csrf_token(strict):
    user = UserFactory()
    variant = product_with_sizes(sizes=[("M", 5)], image=False).variants.get()
    CartItemFactory(cart=CartFactory(user=user), variant=variant, quantity=1)
    strict.force_login(user)
    response = strict.post("/checkout/", {
        "full_name": "Eve", "email": "eve@example.com", "address_line1": "1 Road", "city": "Leeds",
        "postcode": "LS1", "country": "United Kingdom", "idempotency_key": str(uuid.uuid4())})
    assert response.status_code == 403 and not Order.objects.exists()


@pytest.mark.django_db
def test_the_events_api_refuses_a_session_post_without_csrf(strict):
    product = product_with_sizes(sizes=[("M", 5)], image=False)
    strict.force_login(UserFactory())
    response = strict.post("/api/events/", {"kind": "view", "product": product.pk}, content_type="application/json")
    assert response.status_code == 403
