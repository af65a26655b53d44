"""Per-client throttle for photo search (an encoder forward pass per request is the costly part).

A client is the signed-in user, else the IP (DRF's get_ident, which honours NUM_PROXIES). The rate
is RECOMMENDER["PHOTO_SEARCH_RATE"] (default 20/min); state lives in the default cache (Redis), so
every web process shares it. Used as a DRF throttle by the API and called directly by the page.
A stopped cache lets the request through (logged): the rate is a guard, not a gate.
"""

from rest_framework.throttling import SimpleRateThrottle

from recommender import cache
from recommender.conf import recommender_setting


class PhotoSearchThrottle(SimpleRateThrottle):
    scope = "photo_search"

    def get_rate(self):
        return recommender_setting("PHOTO_SEARCH_RATE")

    def allow_request(self, request, view):
        allow = super().allow_request  # reads and writes the cache: fails open as a whole
        return cache.fail_open(lambda: allow(request, view), down=True,
                               says="photo search throttle: cache unavailable, letting the request through")

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        ident = f"user-{user.pk}" if user is not None and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


def photo_search_allowed(request) -> tuple[bool, int]:
    """(allowed, seconds to wait) for a plain Django request, counting this one if allowed."""
    throttle = PhotoSearchThrottle()
    if throttle.allow_request(request, None):
        return True, 0
    return False, max(1, int(throttle.wait() or 1))
