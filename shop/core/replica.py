"""Catalogue and recommendation reads on a streaming replica, with read-your-writes and a fallback.

In: a `replica` entry in DATABASES (from DATABASE_REPLICA_URL; without it everything here is a no-op), the
request, and the cookie `ReplicaReadsMiddleware` sets. Out: the alias each ORM query runs on.

* `ReplicaRouter` sends reads of the apps in READ_APPS to `replica`, and only inside a web request that
  `ReplicaReadsMiddleware` has cleared for it; every write, every read inside a transaction on the primary,
  and everything outside a request (Celery tasks, commands) goes to `default`. A task that rebuilds a feed
  after a like must see that like, so workers never read a replica that may lag.
* Read-your-writes: a request with an unsafe method (POST, PUT, PATCH, DELETE) runs on the primary and its
  answer sets a cookie holding "primary until" (now + DATABASE_REPLICA_PIN_SECONDS). Until then that
  shopper's pages, feed and cart read the primary, so what they just did shows even while the replica lags.
  The cookie only ever moves reads to the primary, so a client forging it gains nothing.
* Fallback: before a request's first replica read the connection is checked (Django's health check, once
  per request); a replica that cannot be reached is left alone for RETRY_SECONDS in this process and the
  request reads the primary instead, with no error.
"""

from __future__ import annotations

import contextvars
import logging
import time

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
PRIMARY = "default"
READ_APPS = frozenset({"catalog", "recommender"})  # catalogue and recommendations; carts, orders, accounts: primary
PIN_COOKIE = "vitrine_primary_until"
RETRY_SECONDS = 5.0  # a replica that failed its check is not tried again in this process before this

# Per request: False (the primary only), None (may use the replica, not checked yet), True (checked, up).
_replica_allowed: contextvars.ContextVar[bool | None] = contextvars.ContextVar("replica_allowed", default=False)
_down_until = 0.0


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def read_alias() -> str:
    """The alias for a catalogue or recommendation read right now (raw SQL takes it from here too)."""
    allowed = _replica_allowed.get()
    if allowed is False or connections[PRIMARY].in_atomic_block:
        return PRIMARY
    if allowed is None:  # checked at the request's first replica read, not for requests that never make one
        allowed = replica_available()
        _replica_allowed.set(allowed)
    return REPLICA if allowed else PRIMARY


class ReplicaRouter:
    """Reads of READ_APPS to the replica when the current request may use it; all else to the primary."""

    def db_for_read(self, model, **hints):
        if not replica_configured():
            return None
        return read_alias() if model._meta.app_label in READ_APPS else PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY if replica_configured() else None

    def allow_relation(self, obj1, obj2, **hints):
        # One database seen twice: a product read from the replica may be put in a cart on the primary.
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, **hints):
        return False if db == REPLICA else None


def replica_available() -> bool:
    """Whether the replica answers now (its connection opened or kept, health-checked once per request)."""
    global _down_until
    if time.monotonic() < _down_until:
        return False
    replica = connections[REPLICA]
    try:
        replica.close_if_health_check_failed()
        replica.ensure_connection()
    except DatabaseError as error:
        _down_until = time.monotonic() + RETRY_SECONDS
        logger.warning("read replica unavailable, reading the primary for %.0f s: %s", RETRY_SECONDS, error)
        replica.close()
        return False
    return True


def pinned_to_primary(request) -> bool:
    try:
        return float(request.COOKIES.get(PIN_COOKIE, 0)) > time.time()
    except ValueError:  # a mangled cookie reads as no pin
        return False


class ReplicaReadsMiddleware:
    """Decides per request whether its catalogue and recommendation reads may use the replica."""

    UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        acting = request.method in self.UNSAFE
        token = _replica_allowed.set(False if acting or pinned_to_primary(request) else None)
        try:
            response = self.get_response(request)
        finally:
            _replica_allowed.reset(token)
        if acting and response.status_code < 400:
            seconds = float(settings.DATABASE_REPLICA_PIN_SECONDS)
            response.set_cookie(PIN_COOKIE, f"{time.time() + seconds:.3f}", max_age=max(1, round(seconds)),
                                httponly=True, samesite="Lax", secure=request.is_secure())
        return response
