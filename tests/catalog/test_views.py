"""Storefront catalogue pages: home, category listing (filters, sort, pages), product page, search."""

from decimal import Decimal

import pytest
from django.db import connection

from shop import events
from shop.catalog.models import Product
from shop.catalog.selectors import product_search
from tests.factories import CategoryFactory, ProductFactory, product_with_sizes

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent():
    """Every product_viewed / recommendation_clicked sent during the test, as kwargs dicts."""
    calls = []

    def record(**kwargs):
        calls.append(kwargs)

    for signal in (events.product_viewed, events.recommendation_clicked):
        signal.connect(record, dispatch_uid=f"test-{id(signal)}")
    yield calls
    for signal in (events.product_viewed, events.recommendation_clicked):
        signal.disconnect(dispatch_uid=f"test-{id(signal)}")


@pytest.fixture
def tree():
    apparel = CategoryFactory(name="Apparel", slug="apparel")
    return {
        "apparel": apparel,
        "topwear": CategoryFactory(name="Topwear", slug="topwear", parent=apparel),
        "bottomwear": CategoryFactory(name="Bottomwear", slug="bottomwear", parent=apparel),
    }


def names(response) -> list[str]:
    return [p.name for p in response.context["page_obj"].object_list]


def test_home_shows_category_tiles_and_new_products(client, tree):
    product_with_sizes(name="Linen Shirt", category=tree["topwear"])
    response = client.get("/")
    assert response.status_code == 200
    assert [tile.name for tile in response.context["tiles"]] == ["Topwear"]
    assert response.context["tiles"][0].image_url
    assert "Linen Shirt" in response.content.decode()
    assert response.context["rails"] == []


def test_a_category_lists_products_from_its_sub_categories(client, tree):
    product_with_sizes(name="Shirt", category=tree["topwear"])
    product_with_sizes(name="Jeans", category=tree["bottomwear"])
    assert sorted(names(client.get("/c/apparel/"))) == ["Jeans", "Shirt"]
    assert names(client.get("/c/apparel/?sub=topwear")) == ["Shirt"]


def test_filters_by_gender_colour_and_price_range(client, tree):
    product_with_sizes(name="Cheap red", category=tree["topwear"], gender="men", base_colour="Red", price=10)
    product_with_sizes(name="Dear red", category=tree["topwear"], gender="men", base_colour="Red", price=90)
    product_with_sizes(name="Blue", category=tree["topwear"], gender="women", base_colour="Blue", price=20)
    assert names(client.get("/c/topwear/?gender=men&colour=Red&price_max=50")) == ["Cheap red"]
    assert names(client.get("/c/topwear/?price_min=15&price_max=30")) == ["Blue"]


def test_the_size_filter_keeps_only_products_with_that_size_in_stock(client, tree):
    product_with_sizes(name="M sold out", category=tree["topwear"], sizes=[("M", 0), ("L", 3)])
    product_with_sizes(name="M in stock", category=tree["topwear"], sizes=[("M", 2)])
    response = client.get("/c/topwear/?size=M")
    assert names(response) == ["M in stock"]
    assert [value for value, _ in response.context["filter"].form.fields["size"].choices] == ["", "M", "L"]


def test_sorts_by_price_newest_and_popularity(client, tree, django_user_model):
    from tests.factories import LikeFactory

    cheap = product_with_sizes(name="Cheap", category=tree["topwear"], price=5)
    dear = product_with_sizes(name="Dear", category=tree["topwear"], price=50)
    liked = product_with_sizes(name="Liked", category=tree["topwear"], price=20)
    LikeFactory(product=liked)
    assert names(client.get("/c/topwear/?sort=price_asc")) == ["Cheap", "Liked", "Dear"]
    assert names(client.get("/c/topwear/?sort=price_desc")) == ["Dear", "Liked", "Cheap"]
    assert names(client.get("/c/topwear/?sort=newest")) == ["Liked", "Dear", "Cheap"]
    assert names(client.get("/c/topwear/?sort=popular"))[0] == "Liked"
    assert cheap and dear


def test_listing_pages_hold_24_products(client, tree):
    for i in range(26):
        ProductFactory(name=f"P{i}", category=tree["topwear"])
    first, second = client.get("/c/topwear/"), client.get("/c/topwear/?page=2")
    assert len(names(first)) == 24 and len(names(second)) == 2
    assert 'rel="next"' in first.content.decode()


@pytest.mark.parametrize("query", [
    "?price_min=abc", "?price_min=-5", "?colour=Plaid", "?size=XXXXL", "?sub=nope", "?sort=sideways",
    "?page=999", "?page=abc", "?gender=aliens&page=-1",
])
def test_bad_listing_input_shows_the_listing_never_an_error(client, tree, query):
    product_with_sizes(name="Shirt", category=tree["topwear"])
    response = client.get(f"/c/topwear/{query}")
    assert response.status_code == 200
    assert "Shirt" in response.content.decode() or response.context["filter"].form.errors


def test_unknown_category_or_product_is_a_404_page(client):
    for url in ("/c/no-such-thing/", "/p/no-such-thing/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "could not find" in response.content.decode()


def test_inactive_products_are_not_shown(client, tree):
    product = product_with_sizes(name="Retired", category=tree["topwear"], is_active=False)
    assert client.get(product.get_absolute_url()).status_code == 404
    assert names(client.get("/c/topwear/")) == []


def test_product_page_shows_sizes_with_their_stock_and_sends_product_viewed(client, tree, sent):
    product = product_with_sizes(name="Shirt", category=tree["topwear"], sizes=[("S", 0), ("M", 2), ("L", 9)])
    response = client.get(product.get_absolute_url())
    page = response.content.decode()
    assert "Sold out" in page and "Only 2 left" in page and "In stock" in page
    assert [c.name for c in response.context["breadcrumbs"]] == ["Apparel", "Topwear"]
    # A guest's first view starts their session, so the view is theirs and follows them at login.
    assert sent == [{"signal": events.product_viewed, "sender": product.__class__, "user": None,
                     "session_key": client.session.session_key, "at": None, "product_id": product.pk}]
    assert client.session.session_key


def test_arriving_from_a_rail_sends_recommendation_clicked(client, tree, sent):
    product = product_with_sizes(category=tree["topwear"])
    client.get(product.get_absolute_url() + "?rail=looks_like")
    assert [(c["signal"], c.get("rail")) for c in sent] == [
        (events.product_viewed, None), (events.recommendation_clicked, "looks_like"),
    ]


def test_search_ranks_name_matches_above_description_matches(client, tree):
    product_with_sizes(name="Plain tee", description="Goes with any denim jacket", category=tree["topwear"])
    product_with_sizes(name="Denim jacket", category=tree["topwear"])
    product_with_sizes(name="Wool scarf", category=tree["topwear"])
    assert names(client.get("/search/?q=denim")) == ["Denim jacket", "Plain tee"]


def test_search_finds_brand_and_category_words(client, tree):
    product_with_sizes(name="Classic fit", brand="Northwind", category=tree["bottomwear"])
    assert names(client.get("/search/?q=northwind")) == ["Classic fit"]
    assert names(client.get("/search/?q=bottomwear")) == ["Classic fit"]


def test_search_survives_odd_queries(client):
    for query in ("", "   ", "&&&", "'\"--", "a" * 5000, "-", "or or"):
        assert client.get("/search/", {"q": query}).status_code == 200


def test_search_uses_the_gin_expression_index():
    category = CategoryFactory()
    Product.objects.bulk_create(
        Product(name=f"Wool scarf {i}", slug=f"scarf-{i}", category=category, price=10) for i in range(600)
    )
    ProductFactory(name="Red shirt", category=category)
    with connection.cursor() as cursor:
        # Fresh statistics, so the plan does not depend on what earlier tests left in the table.
        cursor.execute("ANALYZE catalog_product")
    plan = product_search(query="shirt").explain()
    assert "catalog_product_search_gin" in plan, plan


def test_prices_keep_two_decimals_on_cards(client, tree):
    product_with_sizes(name="Tee", category=tree["topwear"], price=Decimal("12.50"))
    # A no-break space: the amount and its currency never part across lines on a narrow screen.
    assert "12.50&nbsp;EUR" in client.get("/c/topwear/").content.decode()


def test_a_min_price_above_the_max_is_a_form_error_that_says_so(client, tree):
    product_with_sizes(name="Shirt", category=tree["topwear"], price=30)
    response = client.get("/c/topwear/?price_min=200&price_max=50")
    assert response.status_code == 200
    assert response.context["filter"].form.errors["price_max"] == [
        "The max price (50) is below the min price (200): raise it or lower the min price."
    ]
    page = response.content.decode()
    assert "is below the min price" in page
    assert "<details class=\"filters\" data-open-wide open>" in page  # folded filters open to show the error


def test_the_filters_fold_behind_a_button_that_counts_the_active_ones(client, tree):
    product_with_sizes(name="Shirt", category=tree["topwear"], base_colour="Red", price=30)
    page = client.get("/c/topwear/").content.decode()
    assert "<summary class=\"filters-toggle\"><span>Filters</span></summary>" in page
    page = client.get("/c/topwear/?colour=Red&price_max=50&sort=price_asc").content.decode()
    assert 'aria-label="2 active">2</span>' in page  # the sort is not a filter


def test_home_tiles_show_every_main_category_with_products(client):
    roots = [CategoryFactory(name=name) for name in ("Clothing", "Shoes", "Accessories")]
    names_ = [f"Kind {i}" for i in range(11)]
    for i, name in enumerate(names_):
        product_with_sizes(category=CategoryFactory(name=name, parent=roots[i % 3]))
    CategoryFactory(name="Empty", parent=roots[0])
    tiles = [tile.name for tile in client.get("/").context["tiles"]]
    assert sorted(tiles) == sorted(names_)


def test_search_results_take_the_listing_filters_and_sort_by_best_match(client, tree):
    match = product_with_sizes(name="Linen shirt", category=tree["topwear"], gender="men", sizes=[("M", 2)])
    product_with_sizes(name="Linen shirt wide", category=tree["topwear"], gender="women", sizes=[("M", 2)])
    product_with_sizes(name="Linen shirt sold", category=tree["topwear"], gender="men", sizes=[("M", 0), ("L", 1)])
    response = client.get("/search/", {"q": "linen shirt", "gender": "men", "size": "M"})
    assert response.status_code == 200
    assert [p.pk for p in response.context["page_obj"].object_list] == [match.pk]
    assert response.context["filter"].form.fields["sort"].choices[0][0] == "relevance"
    page = response.content.decode()
    assert 'name="q" value="linen shirt"' in page


def test_search_with_a_tampered_filter_is_a_form_error_not_a_500(client, tree):
    product_with_sizes(name="Linen shirt", category=tree["topwear"])
    response = client.get("/search/", {"q": "linen", "size": "XXXXL", "price_min": "-5", "sort": "bogus"})
    assert response.status_code == 200


@pytest.mark.parametrize("url", ["/", "/c/topwear/", "/p/no-such-thing/"])
def test_every_page_links_a_favicon_that_the_static_files_hold(client, tree, url):
    import re

    from django.contrib.staticfiles import finders

    page = client.get(url).content.decode()
    icons = re.findall(r'<link rel="(?:icon|apple-touch-icon)" href="/static/([^"]+)"', page)
    assert "img/favicon.svg" in icons and len(icons) == 3
    assert all(finders.find(icon) for icon in icons)
    assert "{#" not in page and "{%" not in page  # no template comment left unparsed
