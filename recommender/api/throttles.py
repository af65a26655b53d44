"""Per-client rate limits of the API, kept in the default cache (Redis), so every web process shares them.

A client is the signed-in user, else the IP address: REMOTE_ADDR, or the address the last of
REST_FRAMEWORK["NUM_PROXIES"] trusted proxies put in X-Forwarded-For (0 by default: a client cannot pick its
own address with that header). The rate of scope `events` is REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["events"],
read on each request (DRF's own classes read it once, at import). Past the rate: 429 with Retry-After.
A stopped cache lets requests through (logged): the rate is a guard, not a gate.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from recommender import cache


class ScopedThrottle(ScopedRateThrottle):
    """DRF's per-view-scope throttle (the view's `throttle_scope`), its rate read from the settings each time."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def allow_request(self, request, view):
        allow = super().allow_request  # reads and writes the cache: fails open as a whole
        return cache.fail_open(lambda: allow(request, view), down=True,
                               says="API throttle: cache unavailable, letting the request through")
