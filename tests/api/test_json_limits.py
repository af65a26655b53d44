"""Nested, huge and malformed JSON on every JSON endpoint and JSON form field: a 4xx with a clear message, never a 500.

The operations come from the OpenAPI schema the app generates, so a new endpoint is covered without editing
this file: every operation whose body may be application/json, and every multipart part the schema says is
JSON (`encoding: {part: {contentType: application/json}}`). A body over the operation's cap is a 413; JSON
nested past shop.core.safe_json.MAX_DEPTH (or in a form field over its cap) is a 400; both answer the API's
error shape. Ten thousand levels used to be a RecursionError (500) from Python's decoder.
"""

import io
import json

import pytest
from django.core.cache import cache
from django.urls import get_resolver, resolve
from drf_spectacular.generators import SchemaGenerator
from PIL import Image
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.views import APIView

from recommender.api.parsers import body_limit
from shop.core import safe_json
from tests.factories import product_with_sizes
from tests.helpers.merchandising import rule_post

pytestmark = pytest.mark.django_db

LEVELS = 10_000
TWENTY_MB = 20 * 1024 * 1024
MALFORMED = ['{"kind": "view",', "NaN", '{"product": 1e999}', "{'kind': 'view'}", "[1, 2,]"]


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def inside_a_valid_object(levels: int) -> str:
    return '{"kind": "view", "product": 1, "extra": ' + nested(levels) + "}"


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    cache.clear()
    settings.RECOMMENDER = {**getattr(settings, "RECOMMENDER", {}), "PHOTO_SEARCH_RATE": "100000/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"events": "100000/min"}}


@pytest.fixture
def client(admin_client):
    """Staff, so that the staff-only endpoints (rules, experiments) read their bodies too: the caps hold for everyone,
    and an anonymous caller is refused before any body is read."""
    return admin_client


@pytest.fixture
def operations(admin_client):
    """(method, path, operation) of every operation the schema documents, with {id} filled in: a product, or a staff
    rule for the rules' own paths (an unknown one is a 404 before any body is read)."""
    product = product_with_sizes()
    rule = rule_post(admin_client, name="Any pin", kind="pin", product=product.pk, position=1)
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    return [
        (method, path.replace("{id}", str(rule["id"] if path.startswith("/api/merchandising/") else product.pk)),
         operation)
        for path, item in paths.items() for method, operation in item.items()
    ]


@pytest.fixture
def json_bodies(operations):
    found = [(method, path) for method, path, operation in operations
             if "application/json" in operation.get("requestBody", {}).get("content", {})]
    assert ("post", "/api/events/") in found  # the schema is read as intended
    return found


@pytest.fixture
def json_form_fields(operations):
    found = []
    for method, path, operation in operations:
        form = operation.get("requestBody", {}).get("content", {}).get("multipart/form-data", {})
        found += [(method, path, part) for part, encoding in form.get("encoding", {}).items()
                  if encoding.get("contentType") == "application/json"]
    assert ("post", "/api/search/photo/", "filters") in found
    return found


def cap_of(path: str) -> int:
    func = resolve(path).func
    return body_limit({"view": (getattr(func, "view_class", None) or func.cls)()})


def send_json(client, method, path, body: str):
    return getattr(client, method)(path, data=body, content_type="application/json")


def refused(response, status: int) -> dict:
    """The error body of a refusal with this status, in the API's error shape."""
    assert response.status_code == status, response.content[:300]
    error = response.json()
    assert isinstance(error["detail"], str) and error["detail"] and error["code"]
    return error


@pytest.mark.parametrize("shape", [nested, inside_a_valid_object], ids=["bare", "inside-an-object"])
def test_ten_thousand_levels_of_json_is_refused_on_every_json_body(client, json_bodies, shape):
    body = shape(LEVELS)
    for method, path in json_bodies:
        response = send_json(client, method, path, body)
        if len(body) > cap_of(path):
            assert refused(response, 413)["code"] == "too_large"
        else:
            error = refused(response, 400)
            assert error["code"] == "too_deep" and "nested too deeply" in error["detail"]


@pytest.mark.parametrize("shape", [nested, inside_a_valid_object], ids=["bare", "inside-an-object"])
def test_json_nested_past_the_decoders_own_limit_within_the_size_cap_is_a_400_too_deep(client, json_bodies, shape):
    # 1,500 levels: past where Python's decoder raised RecursionError, and within every body cap (3 KB).
    for method, path in json_bodies:
        error = refused(send_json(client, method, path, shape(1_500)), 400)
        assert error["code"] == "too_deep" and f"at most {safe_json.MAX_DEPTH} levels" in error["detail"]


def test_a_20_mb_json_body_is_a_413_that_states_the_cap(client, json_bodies):
    body = '{"kind": "view", "product": 1, "padding": "' + "x" * TWENTY_MB + '"}'
    for method, path in json_bodies:
        error = refused(send_json(client, method, path, body), 413)
        assert error["code"] == "too_large" and f"at most {cap_of(path):,} bytes" in error["detail"]


@pytest.mark.parametrize("body", MALFORMED, ids=["truncated", "nan", "infinite", "single-quotes", "trailing-comma"])
def test_malformed_json_is_a_400_that_says_what_is_wrong(client, json_bodies, body):
    for method, path in json_bodies:
        error = refused(send_json(client, method, path, body), 400)
        assert error["code"] == "invalid_json" and "not valid JSON" in error["detail"]


def test_a_body_that_is_not_utf8_is_a_400(client, json_bodies):
    for method, path in json_bodies:
        response = getattr(client, method)(path, data=b'{"kind": "\xff"}', content_type="application/json")
        assert refused(response, 400) == {"detail": "The body is not UTF-8 text.", "code": "invalid_json"}


def photo() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 120, 200)).save(buffer, format="JPEG")
    buffer.seek(0)
    buffer.name = "photo.jpg"
    return buffer


@pytest.mark.parametrize(
    ("value", "status", "words"),
    [
        (inside_a_valid_object(LEVELS), 400, "too large"),  # 20 KB: over the field's own cap
        (json.dumps({"category": None}).replace("null", nested(1_500)), 400, "nested too deeply"),
        (nested(LEVELS), 400, "too large"),
        ("x" * TWENTY_MB, 413, "too large"),  # over DATA_UPLOAD_MAX_MEMORY_SIZE: refused while the form is read
        ('{"gender": "men",', 400, "not valid JSON"),
        ("[1, 2]", 400, "Expected a JSON object"),
    ],
    ids=["10k-levels-in-an-object", "1500-levels", "10k-levels-bare", "20-MB", "malformed", "not-an-object"],
)
def test_a_json_form_field_refuses_deep_huge_and_malformed_json_with_a_clear_message(
    client, json_form_fields, value, status, words
):
    for method, path, part in json_form_fields:
        error = refused(getattr(client, method)(path, {"image": photo(), part: value}), status)
        assert words in error["detail"], error
        if status == 400:
            assert error["detail"].startswith(f"{part}:") and part in error["errors"]  # the field is named


def test_every_api_view_reads_bodies_through_the_capped_parsers():
    """DRF's own JSON and form parsers read the whole body and hand JSON to Python's recursive decoder."""
    unsafe = []
    for view in api_views(get_resolver().url_patterns):
        unsafe += [f"{view.__name__}: {parser.__name__}" for parser in view.parser_classes
                   if issubclass(parser, (JSONParser, FormParser))]
    assert unsafe == []


def api_views(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if hasattr(pattern, "url_patterns"):
            yield from api_views(pattern.url_patterns, route)
        elif route.startswith("api/"):
            view = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
            if view is not None and issubclass(view, APIView):
                yield view
