"""Production settings: everything from the environment, nothing embedded, secure by default.

Stops at import with one line naming every missing variable.
"""

import sys

from .base import *  # noqa: F401,F403
from .base import database_settings, env, redis_settings, replica_databases

REQUIRED = ("DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOWED_HOSTS")
_missing = [name for name in REQUIRED if not env(name, default="")]
if _missing:
    sys.exit(f"Vitrine production settings: missing environment variable(s): {', '.join(_missing)}")

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

DATABASES = {"default": database_settings(env("DATABASE_URL"))}
DATABASES.update(replica_databases(env("DATABASE_REPLICA_URL", default=None)))
globals().update(redis_settings(env("REDIS_URL")))

# WhiteNoise (in base's middleware) serves the collected, hashed static files.
SHOP_SERVE_MEDIA = env.bool("SHOP_SERVE_MEDIA", default=False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
