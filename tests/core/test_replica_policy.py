"""The read-replica policy of shop.core.replica, decision by decision (no second server needed here; the real
replica is in test_read_replica.py)."""

import time

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from shop.cart.models import Cart
from shop.catalog.models import Product
from shop.core import replica
from shop.core.replica import PIN_COOKIE, ReplicaReadsMiddleware, ReplicaRouter


@pytest.fixture
def with_replica(monkeypatch, settings):
    settings.DATABASE_REPLICA_PIN_SECONDS = 4
    monkeypatch.setattr(replica, "replica_configured", lambda: True)
    monkeypatch.setattr(replica, "replica_available", lambda: True)


def route_inside(request, model) -> tuple[HttpResponse, str]:
    seen = {}

    def view(request):
        seen["alias"] = ReplicaRouter().db_for_read(model)
        return HttpResponse("ok")

    return ReplicaReadsMiddleware(view)(request), seen["alias"]


def test_without_a_replica_the_router_leaves_every_query_where_django_puts_it():
    router = ReplicaRouter()
    assert router.db_for_read(Product) is None and router.db_for_write(Product) is None


def test_catalogue_reads_of_a_get_request_go_to_the_replica(with_replica):
    _, alias = route_inside(RequestFactory().get("/"), Product)
    assert alias == "replica"


def test_cart_reads_stay_on_the_primary(with_replica):
    _, alias = route_inside(RequestFactory().get("/cart/"), Cart)
    assert alias == "default"


def test_reads_outside_a_request_stay_on_the_primary(with_replica):
    assert ReplicaRouter().db_for_read(Product) == "default"  # a Celery task, a command


@pytest.mark.django_db
def test_reads_inside_a_transaction_on_the_primary_stay_there(with_replica):
    def view(request):
        with transaction.atomic():
            return HttpResponse(ReplicaRouter().db_for_read(Product))

    assert ReplicaReadsMiddleware(view)(RequestFactory().get("/")).content == b"default"


def test_writes_always_go_to_the_primary(with_replica):
    assert ReplicaRouter().db_for_write(Product) == "default"
    assert ReplicaRouter().allow_migrate("replica", "catalog") is False


def test_a_post_reads_the_primary_and_pins_the_shopper_there_for_the_window(with_replica):
    response, alias = route_inside(RequestFactory().post("/cart/add/"), Product)
    assert alias == "default"
    until = float(response.cookies[PIN_COOKIE].value)
    assert time.time() + 3 < until <= time.time() + 4.01  # written to the ms
    assert response.cookies[PIN_COOKIE]["httponly"]

    request = RequestFactory().get("/")
    request.COOKIES[PIN_COOKIE] = response.cookies[PIN_COOKIE].value
    assert route_inside(request, Product)[1] == "default"


def test_an_expired_or_mangled_pin_reads_the_replica_again(with_replica):
    for value in (f"{time.time() - 1:.3f}", "not-a-time"):
        request = RequestFactory().get("/")
        request.COOKIES[PIN_COOKIE] = value
        assert route_inside(request, Product)[1] == "replica"


def test_a_refused_post_does_not_pin(with_replica):
    def view(request):
        return HttpResponse(status=400)

    assert PIN_COOKIE not in ReplicaReadsMiddleware(view)(RequestFactory().post("/api/events/")).cookies


def test_an_unreachable_replica_sends_the_reads_to_the_primary(with_replica, monkeypatch):
    monkeypatch.setattr(replica, "replica_available", lambda: False)
    assert route_inside(RequestFactory().get("/"), Product)[1] == "default"
