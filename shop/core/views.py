"""The server-error handler (`handler500` in shop.urls): a database outage is a 503, anything else a 500.

When PostgreSQL is down or restarting, every page fails with django.db's OperationalError or
InterfaceError, wherever it is raised (a view, the session middleware, the auth lookup). Django hands
each such failure to this handler with the exception still current; it answers 503 "temporarily
unavailable" with Retry-After (JSON under /api/) instead of a bare 500, so clients and load balancers
retry rather than give up. Django's `django.request` logger records each one with its traceback, as it
does every 5xx. Neither page touches the database. With DEBUG on, Django shows its debug page instead.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults

RETRY_AFTER_SECONDS = 5


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    if not _database_unavailable(sys.exc_info()[1]):
        return defaults.server_error(request, template_name)
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": "The service is temporarily unavailable; please retry."}, status=503)
    else:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _database_unavailable(error: BaseException | None) -> bool:
    """The error, or one it was raised from or while handling, says the database connection failed."""
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, (OperationalError, InterfaceError)):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False
