""""Most popular" on a category page: the recommender's popularity (every kind of behaviour, decayed)
where its signals exist, the shop's own units sold plus likes without it."""

import pytest

from recommender.behaviour.services import signals_rebuild
from recommender.interactions.services import interaction_record
from tests.factories import CategoryFactory, LikeFactory, UserFactory, product_with_sizes

pytestmark = pytest.mark.django_db
PROVIDER = "recommender.behaviour.popularity.product_popularity"


def names(response) -> list[str]:
    return [p.name for p in response.context["page_obj"].object_list]


def browsed(product, times):
    for _ in range(times):
        interaction_record(kind="view", product_id=product.pk, user_id=UserFactory().pk)


@pytest.fixture
def shop(settings):
    """Three products whose newest-first, liked-first and browsed-first orders all differ."""
    settings.SHOP_POPULARITY_PROVIDER = PROVIDER
    category = CategoryFactory(name="Tops", slug="tops")
    browsed_most = product_with_sizes(name="Browsed most", category=category)
    liked = product_with_sizes(name="Liked once", category=category)
    product_with_sizes(name="Newest, unseen", category=category)
    browsed(browsed_most, 6)
    browsed(liked, 2)
    LikeFactory(product=liked)  # a like row alone: the shop's own count, not a recommender event
    return category


def test_most_popular_follows_the_recommenders_popularity_once_its_signals_are_built(client, shop):
    signals_rebuild()
    assert names(client.get("/c/tops/?sort=popular")) == ["Browsed most", "Liked once", "Newest, unseen"]
    # ...which is not simply the newest first, as the shop's own count was on a shop without orders.
    assert names(client.get("/c/tops/?sort=newest")) == ["Newest, unseen", "Liked once", "Browsed most"]


def test_before_the_first_rebuild_most_popular_is_units_sold_plus_likes(client, shop):
    assert names(client.get("/c/tops/?sort=popular"))[0] == "Liked once"


def test_without_a_provider_the_shop_counts_its_own_sales_and_likes(client, shop, settings):
    signals_rebuild()
    settings.SHOP_POPULARITY_PROVIDER = None
    assert names(client.get("/c/tops/?sort=popular"))[0] == "Liked once"


def broken_provider(*, limit):
    raise RuntimeError("signals table is being rebuilt")


def test_a_failing_provider_is_logged_and_the_shops_own_order_is_used(client, shop, settings, caplog):
    signals_rebuild()
    settings.SHOP_POPULARITY_PROVIDER = f"{__name__}.broken_provider"
    response = client.get("/c/tops/?sort=popular")
    assert response.status_code == 200
    assert names(response)[0] == "Liked once"
    assert "popularity provider" in caplog.text


def test_the_recommenders_popularity_sort_also_orders_search_results(client, shop):
    signals_rebuild()
    assert names(client.get("/search/?q=tops&sort=popular"))[:2] == ["Browsed most", "Liked once"]
