"""WSGI entry point (gunicorn shop.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.local")
application = get_wsgi_application()
