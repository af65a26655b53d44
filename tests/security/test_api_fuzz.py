"""The API contract, checked by schemathesis as a client: every documented operation, all of its checks.

Requests are generated from /api/schema/ as the app serves it (on the real database: the category enum is the
catalogue's own) and sent through the WSGI app. Schemathesis checks that nothing answers 5xx, that every answer
is documented (status, content type, body schema, headers), that requests the schema calls valid are accepted
and ones it calls invalid are refused, and that undocumented methods get 405. The catalogue is small but real
(categories, products in stock with image vectors), so similar items and photo search reach their
nearest-neighbour queries; photo search gets real images of each documented type. Rates are raised for the run
(the throttles have their own tests). Derandomized, EXAMPLES_PER_OPERATION fuzzed cases per operation besides
schemathesis's coverage cases (boundaries, missing and wrong-typed values).
The same checks against a running server: `st run http://127.0.0.1:8000/api/schema/ --checks all` (see
docs/api.md).
"""

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from hypothesis import HealthCheck

import tests.helpers.schemathesis_images  # noqa: F401  (real images for photo search)
from shop.wsgi import application
from tests.factories import CategoryFactory, product_with_sizes
from tests.helpers.vectors import direction, with_vector

pytestmark = pytest.mark.api_contract

EXAMPLES_PER_OPERATION = 15


@pytest.fixture
def wsgi_in_the_test_transaction():
    """The WSGI handler closes the database connection after each request (as Django's test Client
    prevents too); the test's transaction must outlive every request, so unhook that while fuzzing."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(request, db, settings, wsgi_in_the_test_transaction):
    # schemathesis 4.32's fixture-loaded schemas name each operation's subtest through Node._nodeid, which
    # pytest 9 no longer has (it is Node._id): give it the attribute it reads; pytest itself never reads it.
    request.node._nodeid = request.node.nodeid
    cache.clear()  # another test's serving encoder or throttle counts may still be in the shared Redis
    settings.RECOMMENDER = {**getattr(settings, "RECOMMENDER", {}), "PHOTO_SEARCH_RATE": "100000/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"events": "100000/min"}}
    shirts = CategoryFactory(name="Shirts", slug="shirts")
    tees = CategoryFactory(name="T-shirts", slug="t-shirts", parent=shirts)
    shoes = CategoryFactory(name="Shoes", slug="shoes")
    for n in range(6):
        product = product_with_sizes(name=f"Fuzz Item {n}", category=(shirts, tees, shoes)[n % 3],
                                     sizes=[("M", n), ("42", 1)], price=10 + 15 * n)
        with_vector(product, direction(n))
    return schemathesis.openapi.from_wsgi("/api/schema/", application)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@hypothesis.settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
                     suppress_health_check=list(HealthCheck))
def test_every_api_operation_keeps_the_contract_its_schema_states(case):
    case.call_and_validate()


# Regressions the fuzzer found


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/products/null,null/similar/", "/api/products/abc/", "/api/products/-1/similar/",
                                  "/api/products/99999999999999999999999/similar/", "/api/products/%C2%84/",
                                  "/api/products/99999999999999999999999/"])
def test_a_product_id_that_is_not_a_number_is_a_json_404_not_a_500(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "No such product.", "code": "not_found"}


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "?format=json", "?format=yaml", "?format=bogus", "?lang=xx", "?lang=%00"])
def test_the_schema_endpoint_never_answers_a_server_error(client, query):
    assert client.get(f"/api/schema/{query}").status_code < 500
