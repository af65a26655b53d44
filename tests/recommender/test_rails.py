"""The recommender behind the shop's rails: real PostgreSQL + pgvector, vectors written by the store."""

import numpy as np
import pytest
from django.core.cache import cache
from django.urls import reverse

from recommender.behaviour.services import signals_rebuild
from recommender.vectors import store
from recommender.interactions.services import interaction_record
from recommender.models import ImageEmbedding
from recommender.recommend.service import recommend
from shop.accounts.models import Profile
from tests.factories import CategoryFactory, UserFactory, product_with_sizes
from tests.helpers.vectors import DIM, direction, lookalikes, with_vector

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def test_out_of_stock_items_are_never_recommended():
    base = direction(1)
    anchor = with_vector(product_with_sizes(), base)
    in_stock = lookalikes(base, 4)
    sold_out = lookalikes(base, 4, sizes=(("M", 0), ("L", 0)), noise=0.01)  # nearer, but sold out
    ranked = recommend(placement="product", anchor_ids=[anchor.pk], k=8)
    ids = {item.product_id for item in ranked}
    assert ids == {p.pk for p in in_stock}
    assert not ids & {p.pk for p in sold_out}


def test_wrong_size_items_are_never_recommended_when_the_size_is_known():
    user = UserFactory()
    Profile.objects.create(user=user, sizes={"tops": "M"})
    base = direction(2)
    anchor = with_vector(product_with_sizes(), base)
    my_size = lookalikes(base, 3, sizes=(("M", 2), ("L", 0)))
    other_size = lookalikes(base, 3, sizes=(("M", 0), ("L", 5)), noise=0.01)
    ranked = recommend(placement="product", user=user, anchor_ids=[anchor.pk], k=8)
    ids = {item.product_id for item in ranked}
    assert ids == {p.pk for p in my_size}
    assert not ids & {p.pk for p in other_size}


def test_co_bought_products_come_with_their_reason():
    shirt, trousers, hat = (with_vector(product_with_sizes(name=n), direction(i))
                            for i, n in enumerate(["Oxford shirt", "Chinos", "Sun hat"], start=10))
    for n in range(6):
        user = UserFactory()
        for product in (shirt, trousers):
            interaction_record(kind="purchase", product_id=product.pk, user_id=user.pk, order_id=1000 + n)
    interaction_record(kind="purchase", product_id=hat.pk, user_id=UserFactory().pk, order_id=2000)
    signals_rebuild()
    ranked = recommend(placement="product", anchor_ids=[shirt.pk], k=4, sources=["co_buy"])
    assert [item.product_id for item in ranked] == [trousers.pk]
    assert ranked[0].reason == "Often bought together"  # the anchor is the page itself


def test_a_new_guest_gets_trending_then_what_they_viewed_this_visit(client):
    base = direction(3)
    popular = with_vector(product_with_sizes(name="Popular tee"), direction(99))
    for _ in range(5):
        interaction_record(kind="purchase", product_id=popular.pk, user_id=UserFactory().pk)
    signals_rebuild()
    viewed = with_vector(product_with_sizes(name="Striped dress"), base)
    similar = lookalikes(base, 3)
    home = client.get(reverse("catalog:home")).content.decode()
    assert "For you" in home and "Popular tee" in home
    client.get(viewed.get_absolute_url())
    home = client.get(reverse("catalog:home")).content.decode()
    assert any(p.name in home for p in similar)
    assert "Because you viewed Striped dress" in home or "Matches your style" in home
    assert "Because you liked" not in home  # they only looked


def test_a_guests_history_follows_them_into_their_account(client):
    base = direction(4)
    viewed = with_vector(product_with_sizes(name="Linen shirt"), base)
    similar = lookalikes(base, 3)
    client.get(viewed.get_absolute_url())
    user = UserFactory(username="newcomer")
    client.post(reverse("accounts:login"), {"username": "newcomer", "password": "correct horse battery"})
    ranked = recommend(placement="home", user=user, k=6)
    assert {p.pk for p in similar} <= {item.product_id for item in ranked}


def test_the_product_page_shows_rails_with_reasons_and_records_clicks(client):
    base = direction(5)
    anchor = with_vector(product_with_sizes(name="Denim jacket"), base)
    similar = lookalikes(base, 3)
    html = client.get(anchor.get_absolute_url()).content.decode()
    assert "Looks like this" in html
    assert all(p.name in html for p in similar)
    assert "rail=looks_like" in html
    client.get(similar[0].get_absolute_url() + "?rail=looks_like")
    from recommender.models import Interaction

    assert Interaction.objects.filter(kind="click", rail="looks_like", product=similar[0]).exists()


@pytest.mark.parametrize("count", [3, 24])
def test_the_product_page_with_rails_makes_a_fixed_number_of_queries(client, count, django_assert_max_num_queries):
    base = direction(6)
    category = CategoryFactory()
    anchor = with_vector(product_with_sizes(category=category), base)
    lookalikes(base, count, category=category)
    client.get(anchor.get_absolute_url())  # warm caches that are not per page (serving encoder)
    with django_assert_max_num_queries(34):
        response = client.get(anchor.get_absolute_url())
    assert response.status_code == 200


@pytest.mark.parametrize("count", [3, 24])
def test_home_and_cart_with_rails_make_a_fixed_number_of_queries(client, count, django_assert_max_num_queries):
    from tests.factories import CartFactory, CartItemFactory

    user = UserFactory()
    client.force_login(user)
    base = direction(11)
    category = CategoryFactory()
    products = lookalikes(base, count, category=category)
    for product in products[:3]:
        interaction_record(kind="like", product_id=product.pk, user_id=user.pk)
        interaction_record(kind="purchase", product_id=product.pk, user_id=UserFactory().pk)
    signals_rebuild()
    cart = CartFactory(user=user)
    for product in products[:3]:
        CartItemFactory(cart=cart, variant=product.variants.first())
    client.get("/")
    with django_assert_max_num_queries(40):
        assert client.get("/").status_code == 200
    with django_assert_max_num_queries(40):
        assert client.get("/cart/").status_code == 200


def rails_of(response) -> dict[str, list[str]]:
    """{rail name: [card reasons]} from the page's rendered rails."""
    return {rail.name: [item.reason for item in rail.items] for rail in response.context["rails"]}


def test_product_page_cards_say_how_each_differs_from_the_product_not_the_rails_title(client):
    base = direction(21)
    anchor = with_vector(product_with_sizes(name="Denim jacket", base_colour="Blue", price=50), base)
    cheaper_red = with_vector(product_with_sizes(name="Red jacket", base_colour="Red", price=38), base * 0.99)
    dearer_blue = with_vector(product_with_sizes(name="Blue jacket", base_colour="Blue", price=62.5), base * 0.98)
    response = client.get(anchor.get_absolute_url())
    reasons = dict(zip((cheaper_red.pk, dearer_blue.pk), ("In red, 12.00 EUR less", "Also in blue, 12.50 EUR more")))
    looks_like = next(rail for rail in response.context["rails"] if rail.name == "looks_like")
    assert {item.product.pk: item.reason for item in looks_like.items} == reasons
    titles = {rail.title for rail in response.context["rails"]}
    assert not titles & {reason for reasons in rails_of(response).values() for reason in reasons}


def test_a_co_bought_card_names_the_product_it_pairs_with_and_a_cart_card_names_the_cart_item(client):
    from tests.factories import CartFactory, CartItemFactory

    # No photo vectors: a look-alike would take the co-bought card first (a product shows in one rail only).
    shirt, trousers = (product_with_sizes(name=n) for n in ["Oxford shirt", "Chinos"])
    for n in range(6):
        user = UserFactory()
        for product in (shirt, trousers):
            interaction_record(kind="purchase", product_id=product.pk, user_id=user.pk, order_id=3000 + n)
    signals_rebuild()
    assert rails_of(client.get(shirt.get_absolute_url()))["bought_together"] == ["Pairs with Oxford shirt"]
    shopper = UserFactory()
    client.force_login(shopper)
    CartItemFactory(cart=CartFactory(user=shopper), variant=shirt.variants.first())
    cart = rails_of(client.get("/cart/"))
    # Whichever evidence speaks (bought with, viewed with), it names the cart's product it came from.
    assert cart["complete_order"] and all("Oxford shirt" in reason for reason in cart["complete_order"])
