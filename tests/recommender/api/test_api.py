import re

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache

from recommender.models import Interaction
from tests.factories import CategoryFactory, product_with_sizes
from tests.helpers.vectors import direction, lookalikes, with_vector

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def test_the_product_list_filters_by_category_tree_gender_price_and_size(client):
    apparel = CategoryFactory(name="Apparel")
    shirts = CategoryFactory(name="Shirts", parent=apparel)
    match = product_with_sizes(category=shirts, gender="men", price=30, sizes=(("M", 2),))
    product_with_sizes(category=shirts, gender="men", price=30, sizes=(("M", 0), ("L", 4)))  # M sold out
    product_with_sizes(category=shirts, gender="women", price=30, sizes=(("M", 2),))
    product_with_sizes(category=shirts, gender="men", price=300, sizes=(("M", 2),))
    product_with_sizes(gender="men", price=30, sizes=(("M", 2),))  # another category
    response = client.get(
        "/api/products/", {"category": apparel.slug, "gender": "men", "price_max": 50, "size": "M"}
    )
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [match.pk]
    assert response.json()["results"][0]["sizes_in_stock"] == ["M"]


def test_similar_products_honour_the_size_filter_and_never_return_the_product_itself(client):
    base = direction(7)
    anchor = with_vector(product_with_sizes(), base)
    in_m = lookalikes(base, 3, sizes=(("M", 1),))
    lookalikes(base, 3, sizes=(("L", 1),), noise=0.01)
    response = client.get(f"/api/products/{anchor.pk}/similar/", {"size": "M", "k": 5})
    assert response.status_code == 200
    ids = [item["product"]["id"] for item in response.json()]
    assert set(ids) == {p.pk for p in in_m}
    assert all(0 <= item["score"] <= 1 for item in response.json())


@pytest.mark.parametrize("query", [{"k": 0}, {"k": "many"}, {"k": ""}, {"price_min": -5}, {"category": "nope"}])
def test_similar_refuses_bad_parameters_with_400(client, query):
    anchor = with_vector(product_with_sizes(), direction(8))
    response = client.get(f"/api/products/{anchor.pk}/similar/", query)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == list(query)


def test_similar_for_an_unknown_product_is_404(client):
    assert client.get("/api/products/999999/similar/").status_code == 404


def test_recommendations_for_a_product_come_with_reasons(client):
    base = direction(9)
    anchor = with_vector(product_with_sizes(), base)
    similar = lookalikes(base, 3)
    response = client.get("/api/recommendations/", {"placement": "product", "product": anchor.pk})
    assert response.status_code == 200
    assert {item["product"]["id"] for item in response.json()} == {p.pk for p in similar}
    assert all(item["reason"] for item in response.json())


def test_a_product_placement_without_a_product_answers_the_fallback_like_an_empty_cart(client):
    product_with_sizes()
    without = client.get("/api/recommendations/", {"placement": "product"})
    assert without.status_code == 200
    assert without.json() == client.get("/api/recommendations/", {"placement": "cart"}).json()


def test_recommendations_for_an_unknown_product_are_a_404(client):
    response = client.get("/api/recommendations/", {"placement": "product", "product": 999999})
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_events_are_validated_and_recorded_as_interactions(client):
    product = product_with_sizes()

    def post(body):
        return client.post("/api/events/", body, content_type="application/json").status_code

    assert post({"kind": "view", "product": product.pk}) == 202
    assert post({"kind": "click", "product": product.pk, "rail": "for_you"}) == 202
    assert post({"kind": "click", "product": product.pk}) == 400
    assert post({"kind": "buy", "product": product.pk}) == 400
    assert post({"kind": "view", "product": 999999}) == 404
    kinds = sorted(Interaction.objects.filter(product=product).values_list("kind", flat=True))
    assert kinds == ["click", "view"]


def test_an_event_may_also_come_as_a_urlencoded_form(client):
    product = product_with_sizes()
    response = client.post("/api/events/", f"kind=view&product={product.pk}",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 202
    assert Interaction.objects.filter(product=product, kind="view").count() == 1


def test_the_openapi_schema_describes_every_endpoint(client):
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/products/", "/api/products/{id}/similar/", "/api/recommendations/", "/api/events/",
                 "/api/search/photo/"):
        assert path in schema


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_the_api_docs_pages_load_their_assets_from_our_static_files(client, url):
    page = client.get(url).content.decode()
    assert "/api/schema/" in page
    assert "drf_spectacular_sidecar/" in page  # Swagger UI / ReDoc from the sidecar package
    assert "cdn." not in page and "unpkg" not in page
    asset = re.search(r'src="(/static/drf_spectacular_sidecar/[^"]+\.js)"', page).group(1)
    assert finders.find(asset.removeprefix("/static/")), asset
