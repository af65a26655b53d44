"""Every error the API's views answer is JSON in one shape: {"detail": ..., "code": ...}, plus `errors` on a 400."""

import pytest
from django.core.cache import cache

from tests.factories import product_with_sizes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def test_an_unknown_product_is_a_json_404(client):
    response = client.get("/api/products/999999/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "No such product.", "code": "not_found"}


def test_a_validation_error_names_each_field_and_leads_with_the_first(client):
    response = client.get("/api/recommendations/", {"k": 0, "placement": "attic"})
    body = response.json()
    assert response.status_code == 400 and body["code"] == "invalid"
    assert set(body["errors"]) == {"k", "placement"}
    assert body["detail"] in {f"{field}: {messages[0]}" for field, messages in body["errors"].items()}


def test_a_body_that_is_not_an_object_is_a_non_field_error(client):
    response = client.post("/api/events/", "[1, 2]", content_type="application/json")
    body = response.json()
    assert response.status_code == 400
    assert list(body["errors"]) == ["non_field_errors"] and body["detail"] == body["errors"]["non_field_errors"][0]


@pytest.mark.parametrize(
    ("request_kwargs", "status", "code"),
    [
        ({"method": "delete", "path": "/api/events/"}, 405, "method_not_allowed"),
        ({"method": "post", "path": "/api/events/", "data": "kind=view", "content_type": "text/plain"},
         415, "unsupported_media_type"),
        ({"method": "post", "path": "/api/events/", "data": "{", "content_type": "application/json"},
         400, "invalid_json"),
        ({"method": "get", "path": "/api/products/", "HTTP_ACCEPT": "application/xml"}, 406, "not_acceptable"),
    ],
    ids=["405", "415", "400-parse", "406"],
)
def test_drf_refusals_answer_the_same_shape(client, request_kwargs, status, code):
    kwargs = dict(request_kwargs)
    response = getattr(client, kwargs.pop("method"))(kwargs.pop("path"), **kwargs)
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code and isinstance(body["detail"], str) and body["detail"]
    assert set(body) == {"detail", "code"}


def test_a_throttled_client_gets_the_shape_and_retry_after(client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"events": "1/min"}}
    product = product_with_sizes(image=False)
    body = {"kind": "view", "product": product.pk}
    client.post("/api/events/", body, content_type="application/json")
    response = client.post("/api/events/", body, content_type="application/json")
    assert response.status_code == 429 and response.json()["code"] == "throttled"
    assert "Retry-After" in response
