"""The shop's error pages and its media view.

- `page_not_found` (`handler404`): the shop's own 404 page, JSON under /api/ (the API's error shape,
  `{"detail", "code"}`, as recommender.api.errors makes it). Nothing of the request's
  resolution (URL patterns, server paths) is shown.
- `server_error` (`handler500`): a database outage is a 503, anything else a 500, JSON under /api/.
  When PostgreSQL is down or restarting, every page fails with django.db's OperationalError or
  InterfaceError, wherever it is raised (a view, the session middleware, the auth lookup). Django hands
  each such failure to this handler with the exception still current; it answers "temporarily
  unavailable" with Retry-After, so clients and load balancers retry rather than give up. Django's
  `django.request` logger records each one with its traceback, as it does every 5xx. Neither page
  touches the database. With DEBUG on, Django shows its debug pages instead.
- `media`: uploaded files for one-machine use (SHOP_SERVE_MEDIA); a path outside MEDIA_ROOT is a 404.
"""

import sys

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults, static

RETRY_AFTER_SECONDS = 5


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    return HttpResponse(loader.get_template("404.html").render(request=request), status=404)


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    if not _database_unavailable(sys.exc_info()[1]):
        if _is_api(request):
            return JsonResponse({"detail": "Something went wrong on our side; nothing you sent was lost.",
                                 "code": "server_error"}, status=500)
        return defaults.server_error(request, template_name)
    if _is_api(request):
        response = JsonResponse({"detail": "The service is temporarily unavailable; please retry.",
                                 "code": "unavailable"}, status=503)
    else:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def media(request, path):
    """One uploaded file. Django's static.serve refuses any path that leaves MEDIA_ROOT (Http404) and
    answers 304 to a fresh If-Modified-Since; directory listings stay off."""
    try:
        return static.serve(request, path, document_root=settings.MEDIA_ROOT)
    # Suspicious: the path leaves MEDIA_ROOT; ValueError: a NUL byte or another path no file system holds.
    except (Http404, SuspiciousFileOperation, ValueError):
        raise Http404("No such file.") from None


def _database_unavailable(error: BaseException | None) -> bool:
    """The error, or one it was raised from or while handling, says the database connection failed."""
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, (OperationalError, InterfaceError)):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False
