"""Session authentication whose CSRF check covers guests too (REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]).

DRF checks the CSRF token only for a signed-in user's session. A guest has a session as well (their cart,
their views are keyed by it), so a page on another site could post events in a guest's name. Here any
unsafe request (POST, PUT, PATCH, DELETE) that carries the session cookie must pass Django's CSRF check (the
X-CSRFToken header matching the csrftoken cookie, and an Origin or Referer of this site over HTTPS), or
it is refused with 403. A request without the session cookie acts for no existing shopper, so API clients
without cookies need no token.
"""

from django.conf import settings
from drf_spectacular.authentication import SessionScheme
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication


class GuestAwareSessionAuthentication(SessionAuthentication):
    def authenticate(self, request):
        signed_in = super().authenticate(request)  # checks CSRF for a signed-in user
        if signed_in is None and settings.SESSION_COOKIE_NAME in request._request.COOKIES:
            self.enforce_csrf(request)
        return signed_in

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as refused:
            raise exceptions.PermissionDenied(str(refused.detail), code="csrf_failed") from None


class GuestAwareSessionScheme(SessionScheme):
    """Documents it in the schema as the session cookie, as drf-spectacular does DRF's own class."""

    target_class = GuestAwareSessionAuthentication
