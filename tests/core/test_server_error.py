"""A database outage answers 503 with Retry-After (HTML, or JSON under /api/); other failures stay a 500.

The outage here is real: the connection is closed and pointed at a database that does not exist, so
PostgreSQL refuses the next connect. (`make chaos` stops and restarts a whole server under load.)
"""

import pytest
from django.db import connection
from django.test import Client

from shop.core import views


@pytest.fixture
def database_gone(transactional_db):
    name = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = "vitrine_no_such_database"
    yield
    connection.close()
    connection.settings_dict["NAME"] = name


def test_a_page_answers_503_with_retry_after_while_the_database_is_unreachable(database_gone):
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(views.RETRY_AFTER_SECONDS)
    assert b"temporarily unavailable" in response.content


def test_the_api_answers_503_in_json_while_the_database_is_unreachable(database_gone):
    response = Client(raise_request_exception=False).get("/api/products/")
    assert response.status_code == 503 and response["Retry-After"]
    assert "temporarily unavailable" in response.json()["detail"]


def test_the_outage_is_logged_with_its_reason(database_gone, caplog):
    Client(raise_request_exception=False).get("/cart/")
    record = next(r for r in caplog.records if r.name == "django.request")
    assert record.getMessage() == "Service Unavailable: /cart/"
    assert "vitrine_no_such_database" in str(record.exc_info[1])


def test_any_other_failure_is_still_a_plain_500(db, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug, not an outage")

    monkeypatch.setattr("shop.catalog.views.render", broken)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500 and "Retry-After" not in response
    assert b"Something went wrong" in response.content
