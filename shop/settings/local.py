"""Settings for `make run`: the shop as shoppers meet it (DEBUG off unless DJANGO_DEBUG=true), embedded
PostgreSQL and Redis unless URLs are given."""

from shop.core import embedded
from shop.core.secret import local_secret_key

from .base import *  # noqa: F401,F403
from .base import DATABASE_NAME, database_settings, env, redis_settings, replica_databases

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default=None) or local_secret_key()

DATABASES = {
    "default": database_settings(env("DATABASE_URL", default=None) or embedded.postgres_url(DATABASE_NAME))
}
DATABASES.update(replica_databases(env("DATABASE_REPLICA_URL", default=None)))

REDIS_URL = env("REDIS_URL", default=None) or embedded.redis_url(0)
globals().update(redis_settings(REDIS_URL))

# Static files straight from the apps' and project's folders: no collectstatic step before `make run`.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None  # nothing is collected here: WhiteNoise reads the finders' folders
WHITENOISE_AUTOREFRESH = DEBUG

# Hand-run benchmarks and evaluation worlds (`manage.py bench`, `evaluate_world`): never in production.
INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks"]  # noqa: F405
