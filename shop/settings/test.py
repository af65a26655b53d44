"""Settings for pytest: the same real PostgreSQL and Redis as local, isolated by name.

pytest-django creates its own `test_<name>` database; Redis uses its own logical database so a
running `make run` keeps its queues.
"""

import os

from shop.core import embedded

from .base import *  # noqa: F401,F403
from .base import DATABASE_NAME, database_settings, env, redis_settings, replica_databases

DEBUG = False
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None  # nothing is collected here: WhiteNoise reads the finders' folders
SECRET_KEY = "test-only-not-secret"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast user creation

DATABASES = {
    "default": database_settings(env("DATABASE_URL", default=None) or embedded.postgres_url(DATABASE_NAME))
}
DATABASES.update(replica_databases(env("DATABASE_REPLICA_URL", default=None)))

REDIS_URL = env("REDIS_URL", default=None) or embedded.redis_url(14)  # broker 14, cache 15
globals().update(redis_settings(REDIS_URL))

# A test worker process gets the test's media folder through the environment.
MEDIA_ROOT = env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / ".data" / "test-media"))  # noqa: F405

# One test database per pytest process, so two test runs on one machine (or one beside `make run`)
# never fight over `test_vitrine`. pytest-django drops it at the end of the run.
DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}

# Hand-run benchmarks and evaluation worlds (`manage.py bench`, `evaluate_world`): never in production.
INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks"]  # noqa: F405
