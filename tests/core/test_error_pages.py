"""`make run` behaves like a shop, not a debugger: its own 404 page, JSON errors under /api/, static files
through WhiteNoise with DEBUG off, and no traversal out of the static or media folders."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_500():
    return Client(raise_request_exception=False)


def test_a_mistyped_product_url_shows_the_shops_own_404_page(client):
    response = client.get("/p/no-such-product/")
    assert response.status_code == 404
    assert b"We could not find that page" in response.content
    assert b"URLconf" not in response.content and b"Using the URLconf" not in response.content


def test_an_unknown_api_url_answers_json_not_html(client):
    for url in ("/api/products/abc/", "/api/no-such-endpoint/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"].startswith("application/json"), url
        assert response.json()["detail"] and response.json()["code"] == "not_found"


def test_an_api_failure_answers_json_500(client_500, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr("rest_framework.views.APIView.dispatch", broken)
    response = client_500.get("/api/products/")
    assert response.status_code == 500
    assert "went wrong" in response.json()["detail"]


def test_static_files_are_served_with_debug_off(client, settings):
    assert settings.DEBUG is False
    response = client.get("/static/css/shop.css")
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content])


@pytest.mark.parametrize("url", [
    "/static/..%2f.data%2fsecret_key",
    "/static/%2e%2e/%2e%2e/.data/secret_key",
    "/static/../manage.py",
    "/media/../.data/secret_key",
    "/media/..%2f.data%2fsecret_key",
    "/media/%00",
])
def test_encoded_traversal_out_of_static_or_media_is_a_plain_404(client_500, url):
    response = client_500.get(url)
    assert response.status_code == 404, url
    assert b"secret" not in response.content.lower() or b"could not find" in response.content
    assert b"/work/" not in response.content and b".data" not in response.content


def test_uploaded_media_is_served(client, settings, tmp_path):
    (settings.MEDIA_ROOT / "products").mkdir(parents=True)
    (settings.MEDIA_ROOT / "products" / "a.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    response = client.get("/media/products/a.jpg")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\xff\xd8 not really a jpeg"
