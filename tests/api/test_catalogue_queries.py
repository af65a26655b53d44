"""The catalogue's query parameters follow one set of rules on /api/products/ and /similar/, and the schema states them."""

from decimal import Decimal

import pytest
from django.core.cache import cache

from recommender.api.pagination import MAX_PAGE_SIZE
from tests.factories import CategoryFactory, product_with_sizes
from tests.helpers.vectors import direction, with_vector

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def both_lists():
    """The two filtered lists: the catalogue and the products that look like an anchor."""
    anchor = with_vector(product_with_sizes(price=Decimal("40.00")), direction(3))
    return ["/api/products/", f"/api/products/{anchor.pk}/similar/"]


@pytest.mark.parametrize(
    ("query", "field"),
    [({"price_max": -1}, "price_max"), ({"price_min": -5}, "price_min"), ({"category": "nope"}, "category"),
     ({"gender": ""}, "gender"), ({"gender": "robots"}, "gender"), ({"price_min": "cheap"}, "price_min"),
     ({"size": "x" * 21}, "size"), ({"size": "M\x00"}, "size")],
    ids=["negative-max", "negative-min", "unknown-category", "empty-gender", "unknown-gender", "price-not-a-number",
         "size-too-long", "size-with-nul"],
)
def test_a_bad_filter_is_a_400_naming_the_field_on_both_lists(client, both_lists, query, field):
    for url in both_lists:
        response = client.get(url, query)
        assert response.status_code == 400, (url, response.content)
        assert list(response.json()["errors"]) == [field]
        assert response.json()["detail"].startswith(f"{field}: ")


def test_a_minimum_price_above_the_maximum_is_an_empty_range_on_both_lists(client, both_lists):
    product_with_sizes(price=Decimal("20.00"))
    listing, similar = (client.get(url, {"price_min": 50, "price_max": 10}) for url in both_lists)
    assert listing.status_code == 200 and listing.json()["results"] == []
    assert similar.status_code == 200 and similar.json() == []


def test_price_bounds_with_more_decimals_than_cents_select_what_the_numbers_say(client):
    cheap = product_with_sizes(price=Decimal("9.99"))
    dear = product_with_sizes(price=Decimal("10.00"))
    above = client.get("/api/products/", {"price_min": "9.991"}).json()["results"]
    below = client.get("/api/products/", {"price_max": "9.999"}).json()["results"]
    assert [p["id"] for p in above] == [dear.pk] and [p["id"] for p in below] == [cheap.pk]


def test_a_known_category_filters_with_its_sub_categories(client):
    parent = CategoryFactory(slug="apparel")
    child = CategoryFactory(slug="shirts", parent=parent)
    inside = product_with_sizes(category=child)
    product_with_sizes()
    response = client.get("/api/products/", {"category": "apparel"})
    assert [p["id"] for p in response.json()["results"]] == [inside.pk]


def test_the_schema_lists_the_categories_and_the_price_and_page_limits(client):
    CategoryFactory(slug="scarves")
    parameters = {p["name"]: p["schema"] for p in
                  client.get("/api/schema/?format=json").json()["paths"]["/api/products/"]["get"]["parameters"]}
    assert "scarves" in parameters["category"]["enum"]
    assert parameters["price_min"]["minimum"] == 0 and parameters["price_max"]["minimum"] == 0
    assert parameters["page"]["minimum"] == 1
    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}


class TestPages:
    @pytest.fixture
    def products(self):
        return [product_with_sizes(image=False) for _ in range(5)]

    def test_page_size_sets_how_many_come_back(self, client, products):
        body = client.get("/api/products/", {"page_size": 2, "page": 3}).json()
        assert body["count"] == 5 and len(body["results"]) == 1 and body["next"] is None

    def test_the_default_page_is_24(self, client, settings, products):
        assert settings.REST_FRAMEWORK["PAGE_SIZE"] == 24
        assert len(client.get("/api/products/").json()["results"]) == 5

    @pytest.mark.parametrize("query", [{"page_size": 0}, {"page_size": MAX_PAGE_SIZE + 1}, {"page_size": "all"},
                                       {"page": ""}, {"page": 0}, {"page": "last"}])
    def test_a_page_or_page_size_out_of_range_is_a_400_naming_it(self, client, products, query):
        response = client.get("/api/products/", query)
        assert response.status_code == 400 and list(response.json()["errors"]) == list(query)

    def test_a_page_past_the_last_is_a_404_that_says_which_is_last(self, client, products):
        response = client.get("/api/products/", {"page_size": 2, "page": 4})
        assert response.status_code == 404
        assert response.json() == {"detail": "There is no page 4: the last page is 3.", "code": "not_found"}


def test_the_category_slugs_are_read_only_when_a_request_names_a_category(client, both_lists):
    """Binding the filters costs no query; naming a category reads the slugs once, and a slug added since the
    last request is known to the next one (nothing cached across requests)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def category_reads(query):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(both_lists[1], query)
        return response, sum('SELECT "catalog_category"."slug"' in q["sql"] for q in captured.captured_queries)

    response, reads = category_reads({"k": 5})
    assert response.status_code == 200 and reads == 0
    CategoryFactory(slug="capes")
    response, reads = category_reads({"k": 5, "category": "capes"})
    assert response.status_code == 200 and response.json() == [] and reads == 1
