"""WSGI entry point (gunicorn shop.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

from shop.core.startup_gc import startup_objects_freeze

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.local")
application = get_wsgi_application()
# Start-up's objects out of the collector's full passes (they cost requests ~120 ms each; see the module).
startup_objects_freeze()
